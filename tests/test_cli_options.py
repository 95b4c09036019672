"""The CLI's shared kit: --format, --dry-run, warnings, plurals, JSON, and the progress bar."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum

import click
import pytest
from click.testing import CliRunner

from kbtool.cli.options import dry_run, output_format, progress, to_json, warn
from kbtool.util.plural import plural
from tests.support.terminal import run_on_terminal


@click.command()
@output_format("text", "json", "github")
@dry_run("Say what would change.")
def sample(output_format: str, dry_run: bool) -> None:
    warn(f"format {output_format}, dry run {dry_run}")


def test_the_shared_options_parse_and_document_themselves() -> None:
    runner = CliRunner()
    result = runner.invoke(sample, ["--format", "json", "--dry-run"])
    assert result.exit_code == 0
    assert result.stderr == "kbtool: warning: format json, dry run True\n"
    assert runner.invoke(sample, []).stderr == "kbtool: warning: format text, dry run False\n"
    bad = runner.invoke(sample, ["--format", "xml"])
    assert bad.exit_code == 2 and "'xml' is not one of 'text', 'json', 'github'" in bad.stderr
    help_text = runner.invoke(sample, ["--help"]).stdout
    assert "text for people, json for scripts, github for workflow" in " ".join(help_text.split())
    assert "Say what would change." in help_text


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 papers"), (1, "1 paper"), (2, "2 papers"), (-1, "-1 papers")],
)
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "paper") == expected


def test_plural_with_its_own_plural_form() -> None:
    assert plural(3, "entry", "entries") == "3 entries"
    assert plural(1, "entry", "entries") == "1 entry"


class Colour(Enum):
    RED = "red"


def test_json_keeps_text_as_it_is_and_writes_dates_and_enums_as_values() -> None:
    data = {"title": "视频扩散 “quoted”", "day": date(2025, 1, 2), "colour": Colour.RED}
    text = to_json(data)
    assert "视频扩散" in text
    assert json.loads(text) == {"title": "视频扩散 “quoted”", "day": "2025-01-02", "colour": "red"}
    with pytest.raises(TypeError):
        to_json({"x": object()})


def test_no_progress_bar_unless_stderr_is_a_terminal() -> None:
    # CliRunner's and pytest's stderr are not terminals.
    with progress("working") as update:
        assert update is None
    with progress("working", enabled=False) as update:
        assert update is None


_SCRIPT = """
import sys, time
from kbtool.cli.options import progress
with progress("counting pages", enabled=sys.argv[1] == "on") as update:
    print("callback" if update is not None else "none")
    for done in range(1, 4):
        if update is not None:
            update(done, None if done < 3 else 3)
        time.sleep(0.15)
"""


def test_a_progress_bar_on_a_terminal_never_touches_stdout() -> None:
    run = run_on_terminal(["-c", _SCRIPT, "on"])
    assert run.returncode == 0, run.terminal
    assert run.stdout == "callback\n"
    assert "counting pages" in run.terminal and "3/3" in run.terminal
    off = run_on_terminal(["-c", _SCRIPT, "off"])
    assert off.stdout == "none\n" and off.terminal == ""
