"""The CLI's error boundary: one line on stderr and a distinct exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from kbtool.cli import main
from kbtool.errors import ArxivIdError, NoteExistsError, RemoteError


@pytest.fixture
def failing_command() -> Iterator[list[BaseException]]:
    to_raise: list[BaseException] = []

    @main.command("test-fail", hidden=True)
    def test_fail() -> None:
        raise to_raise[0]

    yield to_raise
    main.commands.pop("test-fail")


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (ArxivIdError("not an arXiv id: 'abc'", "abc"), 4, "not an arXiv id: 'abc'"),
        (NoteExistsError("notes/a.md exists", None), 5, "notes/a.md exists"),  # type: ignore[arg-type]
        (RemoteError("arXiv unreachable", "http://x", 503, 3), 6, "arXiv unreachable"),
        (RuntimeError("boom"), 70, "internal error: RuntimeError: boom"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_errors_become_one_line_and_an_exit_code(
    failing_command: list[BaseException], error: BaseException, code: int, message: str
) -> None:
    failing_command.append(error)
    result = CliRunner().invoke(main, ["test-fail"])
    assert result.exit_code == code
    assert result.stderr.startswith(f"kbtool: error: {message}")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback_of_internal_errors(
    failing_command: list[BaseException],
) -> None:
    failing_command.append(RuntimeError("boom"))
    result = CliRunner().invoke(main, ["--debug", "test-fail"])
    assert result.exit_code == 70
    assert "Traceback" in result.stderr


def test_version_and_help() -> None:
    assert CliRunner().invoke(main, ["--version"]).stdout.startswith("kbtool, version ")
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "check" in result.stdout and "init" in result.stdout
    assert isinstance(main, click.Group)
