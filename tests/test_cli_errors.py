"""The CLI's error boundary: one line on stderr and a distinct exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kbtool.cli import main
from kbtool.errors import ArxivIdError, KbtoolError, PaperHasNoteError, RemoteError
from tests.support.kb import KnowledgeBaseFactory, RunKbtool


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
        (PaperHasNoteError("notes/a.md exists", Path("notes/a.md")), 1, "notes/a.md exists"),
        (RemoteError("arXiv unreachable", "http://x", 503, 3), 6, "arXiv unreachable"),
        (PermissionError(13, "Permission denied", "n.md"), 1, "n.md: Permission denied"),
        (RuntimeError("boom"), 70, "internal error: RuntimeError: boom"),
        # messages quoting another program's output (git's stderr, a parser's error)
        (
            KbtoolError("git diff failed: fatal: bad\n  object\n"),
            1,
            "git diff failed: fatal: bad object",
        ),
        (ValueError("line one\n  line two"), 70, "internal error: ValueError: line one line two"),
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


def test_settings_know_the_line_of_each_key(tmp_path: Path) -> None:
    from kbtool.config import Layout, load_settings

    (tmp_path / "kbtool.yml").write_text(
        "# c\narxiv:\n  contact: a@b.c\n\n  batch_size: 5\nlinks: {}\n"
    )
    settings = load_settings(Layout(tmp_path))
    assert settings.key_line("arxiv", "batch_size") == 5
    assert settings.key_line("arxiv", "missing") == 2
    assert settings.key_line("links", "x") == 6
    assert settings.key_line("nope", "x") is None


def test_a_file_the_system_refuses_to_write_is_a_failed_operation_not_a_bug(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # README: exit 1 is "operation failed", 70 an internal error (a bug in kbtool).
    (kb.root / "afile").write_text("x", encoding="utf-8")
    result = run_kbtool("bib", "-o", str(kb.root / "afile" / "refs.bib"))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("kbtool: error: ")
    assert "afile" in result.stderr and "internal error" not in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "line"), [("arxiv:\n  contact: a\x07b\n", 2), ("# x\n\nlinks: {a: \x00}\n", 3)]
)
def test_a_control_character_in_kbtool_yml_is_one_line_naming_its_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, text: str, line: int
) -> None:
    kb.write("kbtool.yml", text)
    result = run_kbtool("check")
    assert result.exit_code == 4
    assert result.stderr.startswith(f"kbtool: error: {kb.root / 'kbtool.yml'}:{line}: invalid YAML")
    assert result.stderr.count("\n") == 1
