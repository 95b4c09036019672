"""``kbtool --help``: every command's summary in full, and examples in the main commands."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kbtool.cli import main


def commands_section(width: int) -> str:
    result = CliRunner().invoke(main, ["--help"], terminal_width=width)
    assert result.exit_code == 0
    return result.stdout.split("Commands:\n", 1)[1]


def summaries() -> dict[str, str]:
    ctx = main.make_context("kbtool", ["--help"], resilient_parsing=True)
    commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: c.get_short_help_str(limit=1 << 16) for name, c in commands.items() if c}


@pytest.mark.parametrize("width", [80, 50])
def test_top_level_help_never_cuts_a_summary_off(width: int) -> None:
    section = commands_section(width)
    assert "..." not in section
    flowing = " ".join(section.split())
    for name, summary in summaries().items():
        assert f"{name} {summary}" in flowing, name


def test_at_80_columns_each_summary_is_one_line_ending_in_a_full_stop() -> None:
    lines = commands_section(80).splitlines()
    assert len(lines) == len(summaries())
    for (name, summary), line in zip(sorted(summaries().items()), lines, strict=True):
        assert line.split() == [name, *summary.split()]
        assert summary.endswith(".")


@pytest.mark.parametrize(
    "command", ["check", "enrich", "fix-encoding", "import", "links", "new", "watch"]
)
def test_main_commands_show_examples(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    examples = result.stdout.split("Examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert examples and all(line.strip().startswith(f"kbtool {command} ") for line in examples)
