"""The ``kbtool`` command group: global options and the one place errors become exit codes.

Commands live in their own modules (``kbtool/cli/<command>.py``); each parses its
options, calls one function of the package, and prints the result. Package
errors (:mod:`kbtool.errors`) become one line on stderr and their exit code;
nothing else in kbtool prints or exits.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from kbtool import __version__
from kbtool.cli.options import warn
from kbtool.config import Layout, find_root
from kbtool.errors import KbtoolError

OPERATION_FAILED_EXIT = 1
INTERNAL_ERROR_EXIT = 70
INTERRUPTED_EXIT = 130


@dataclass
class CliContext:
    """What every command may need: the knowledge base root, found lazily."""

    root_option: Path | None = None
    debug: bool = False
    _layout: Layout | None = field(default=None, repr=False)

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = find_root(explicit=self.root_option)
        return self._layout


def os_error_message(err: OSError) -> str:
    """``PATH: reason`` for an error of the operating system (the target of a rename)."""
    name = err.filename2 if err.filename2 is not None else err.filename
    reason = err.strerror or str(err)
    return f"{os.fsdecode(name)}: {reason}" if name is not None else reason


def fail(message: str, exit_code: int) -> None:
    # One line, always: a message may quote another program's output over several.
    line = " ".join(part.strip() for part in message.strip().splitlines() if part.strip())
    click.echo(f"kbtool: error: {line}", err=True)
    sys.exit(exit_code)


class _WarningLines(logging.Handler):
    """kbtool's own warnings (``logging.getLogger("kbtool")``) as ``kbtool: warning:`` lines
    on stderr, each once per command."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        if message not in self.seen:
            self.seen.add(message)
            warn(message)


_WARNINGS = _WarningLines()


def _show_warnings() -> None:
    logger = logging.getLogger("kbtool")
    _WARNINGS.seen.clear()
    if _WARNINGS not in logger.handlers:
        logger.addHandler(_WARNINGS)
        logger.propagate = False


class KbtoolGroup(click.Group):
    """A click group that turns kbtool's errors into one line and a distinct exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbtoolError as err:
            fail(err.message, err.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", INTERRUPTED_EXIT)
        except BrokenPipeError:
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as err:  # the system refused (permissions, a full disk…): not a bug
            obj = ctx.obj
            if isinstance(obj, CliContext) and obj.debug:
                traceback.print_exc()
            fail(os_error_message(err), OPERATION_FAILED_EXIT)
        except Exception as err:  # a bug: say so in one line, traceback on request
            obj = ctx.obj
            if isinstance(obj, CliContext) and obj.debug:
                traceback.print_exc()
            fail(
                f"internal error: {type(err).__name__}: {err} (rerun with --debug for details)",
                INTERNAL_ERROR_EXIT,
            )
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, wrapped when long, never cut off with "..."."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1 << 16)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=KbtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The knowledge base to work on (default: the one holding the current directory).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, prog_name="kbtool")
@click.pass_context
def main(ctx: click.Context, root: Path | None, debug: bool) -> None:
    """A knowledge base of machine-learning paper notes, published as a static site.

    Every command works on the knowledge base holding the current directory
    (found by walking up to mkdocs.yml), or on the one named by --root.
    """
    _show_warnings()
    ctx.obj = CliContext(root, debug)
