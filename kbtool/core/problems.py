"""Problem records: what a check found, where, under which stable code.

Codes are stable (scripts and CI filters rely on them); names are for people.
The table of codes is data, so the site's "Note format" page can list them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ProblemCode:
    code: str
    name: str
    severity: Severity
    summary: str


_CODES = (
    ProblemCode("KB001", "not-utf8", Severity.ERROR, "The file is not valid UTF-8."),
    ProblemCode("KB002", "bom", Severity.WARNING, "The file starts with a byte-order mark."),
    ProblemCode("KB003", "crlf", Severity.WARNING, "The file uses CRLF (Windows) line endings."),
    ProblemCode("KB004", "unreadable", Severity.ERROR, "The file cannot be read."),
    ProblemCode("KB010", "no-frontmatter", Severity.ERROR, "The note has no YAML frontmatter."),
    ProblemCode("KB011", "yaml-syntax", Severity.ERROR, "The frontmatter is not valid YAML."),
    ProblemCode("KB012", "duplicate-key", Severity.ERROR, "A frontmatter key appears twice."),
    ProblemCode("KB013", "not-a-mapping", Severity.ERROR, "The frontmatter is not a mapping."),
    ProblemCode("KB020", "missing-field", Severity.ERROR, "A required field is missing or empty."),
    ProblemCode("KB021", "wrong-type", Severity.ERROR, "A field has the wrong type."),
    ProblemCode("KB022", "bad-arxiv-id", Severity.ERROR, "A malformed arXiv id."),
    ProblemCode("KB023", "bad-date", Severity.ERROR, "A malformed or impossible date."),
    ProblemCode("KB024", "bad-url", Severity.ERROR, "A malformed URL."),
    ProblemCode("KB025", "bad-value", Severity.ERROR, "A value outside the allowed set or range."),
    ProblemCode("KB026", "unknown-key", Severity.WARNING, "A key the note format does not know."),
    ProblemCode("KB030", "unknown-topic", Severity.ERROR, "A topic not in the topics registry."),
    ProblemCode("KB031", "duplicate-paper", Severity.ERROR, "Two notes for the same paper."),
    ProblemCode("KB032", "unsafe-filename", Severity.ERROR, "A file name unsafe on some OS."),
    ProblemCode(
        "KB040", "broken-link", Severity.ERROR, "A link to a note or file that is missing."
    ),
    ProblemCode("KB041", "broken-anchor", Severity.ERROR, "A link to a #heading that is missing."),
    ProblemCode("KB042", "missing-image", Severity.ERROR, "A local image that does not exist."),
    ProblemCode("KB043", "broken-wikilink", Severity.ERROR, "A [[wikilink]] that names no note."),
    ProblemCode(
        "KB044", "ambiguous-wikilink", Severity.WARNING, "A [[wikilink]] naming several notes."
    ),
    ProblemCode("KB050", "bad-topics-file", Severity.ERROR, "The topics registry is invalid."),
    ProblemCode("KB051", "bad-config", Severity.ERROR, "kbtool.yml is invalid."),
    ProblemCode(
        "KB060",
        "arxiv-title-mismatch",
        Severity.WARNING,
        "Semantic Scholar's paper for the arXiv id has a title the note's title does not name.",
    ),
    ProblemCode("KB061", "bad-citations-file", Severity.ERROR, "citations.json is invalid."),
)

PROBLEM_CODES: dict[str, ProblemCode] = {c.name: c for c in _CODES}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: ``path:line`` (line 0 = whole file), a code name, and a message."""

    path: str
    line: int
    name: str
    message: str

    @property
    def code(self) -> ProblemCode:
        return PROBLEM_CODES[self.name]

    @property
    def severity(self) -> Severity:
        return self.code.severity


def problem(path: Path | str, line: int, name: str, message: str) -> Problem:
    """Build a :class:`Problem`, refusing code names that are not in the table."""
    if name not in PROBLEM_CODES:
        raise KeyError(f"unknown problem code name {name!r}")
    return Problem(Path(path).as_posix(), line, name, message)


def count_errors(problems: Iterable[Problem]) -> int:
    return sum(1 for p in problems if p.severity is Severity.ERROR)


def format_text(p: Problem) -> str:
    where = f"{p.path}:{p.line}" if p.line else p.path
    return f"{where}: {p.severity.value} {p.code.code} [{p.name}] {p.message}"


def escape_github_data(value: str) -> str:
    """``value`` as the message of a GitHub workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_github_property(value: str) -> str:
    """``value`` as a property (file, title) of a GitHub workflow command."""
    return escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(p: Problem) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request's diff."""
    props = f"file={escape_github_property(p.path)}"
    if p.line:
        props += f",line={p.line}"
    props += f",title={escape_github_property(f'{p.code.code} {p.name}')}"
    return f"::{p.severity.value} {props}::{escape_github_data(p.message)}"


def format_json(problems: Iterable[Problem]) -> str:
    records = [
        {
            "path": p.path,
            "line": p.line,
            "code": p.code.code,
            "name": p.name,
            "severity": p.severity.value,
            "message": p.message,
        }
        for p in problems
    ]
    return json.dumps(records, ensure_ascii=False, indent=2)
