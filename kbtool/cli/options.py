"""What every command shares: ``--format``, ``--dry-run``, progress bars, warnings, JSON.

One place for them keeps the commands alike (the same option names, help and
defaults; the same ``kbtool: warning:`` line; the same bar), the way
sqlite-utils' ``output_options`` does for its commands.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from kbtool.util.plural import plural
from kbtool.util.progress import Progress as ProgressCallback

__all__ = [
    "dry_run",
    "echo_json",
    "output_format",
    "plural",
    "progress",
    "to_json",
    "warn",
]

F = TypeVar("F", bound=Callable[..., Any])

_FORMAT_HELP = {
    "text": "text for people",
    "json": "json for scripts",
    "github": "github for workflow annotations on the diff",
}


def output_format(*formats: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` with ``formats`` (default ``text``, ``json``), read as ``output_format``."""
    choices = formats or ("text", "json")
    text = help or ", ".join(_FORMAT_HELP[name] for name in choices) + "."
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=text,
    )


def dry_run(help: str = "Show what would change; write nothing.") -> Callable[[F], F]:
    """``--dry-run``, read as ``dry_run``."""
    return click.option("--dry-run", "dry_run", is_flag=True, help=help)


def warn(message: str) -> None:
    """The one warning line: ``kbtool: warning: MESSAGE`` on stderr."""
    click.echo(f"kbtool: warning: {message}", err=True)


class _Count(ProgressColumn):
    """``3/10``, or ``3`` while the total is not known."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        total = f"/{int(task.total)}" if task.total is not None else ""
        return Text(f"{done}{total}", style="progress.download")


@contextmanager
def progress(label: str, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr while the block runs, as a ``progress(done, total)`` callback.

    Only on a terminal (and when ``enabled``): otherwise the callback is None, so
    logs, pipes and CI stay free of bar drawing. The bar disappears when done.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        _Count(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,  # stdout is the command's output, maybe a pipe: never touch it
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def to_json(data: object) -> str:
    """``data`` as indented JSON (text as it is, not \\u-escaped; dates as ISO 8601)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain)


def echo_json(data: object) -> None:
    """Print ``data`` as JSON on stdout: the whole output of a ``--format json`` run."""
    click.echo(to_json(data))
