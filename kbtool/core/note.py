"""A note: one paper, as YAML frontmatter plus the researcher's Markdown body.

:func:`parse_note` turns the bytes of a note file into a :class:`Note` without
ever raising on bad content: what is wrong is recorded as problems, so one bad
note never stops the others from being read. Every frontmatter key keeps the
line it came from, so problems point at the right line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from kbtool.core.arxiv_id import ArxivId, find_arxiv_id
from kbtool.core.problems import Problem, problem
from kbtool.core.schema import FIELDS_BY_NAME, FieldKind
from kbtool.util.yaml_load import AliasBudget, YamlError, check_limits, compose_yaml, construct_yaml

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
# Kinds whose scalars are read as their literal text: `arxiv: 2410.10` must not
# become the float 2410.1, nor `title: 0` the integer 0.
_TEXT_KINDS = {
    FieldKind.STRING,
    FieldKind.STRING_LIST,
    FieldKind.TOPIC_LIST,
    FieldKind.URL,
    FieldKind.URL_LIST,
    FieldKind.ARXIV_ID,
    FieldKind.DOI,
    FieldKind.CHOICE,
}


@dataclass(frozen=True)
class InvalidValue:
    """A frontmatter value YAML itself could not build (e.g. the date 2024-13-01)."""

    text: str
    reason: str


@dataclass(frozen=True)
class Note:
    """A parsed note. ``path`` is relative to the knowledge base root, POSIX style."""

    path: str
    text: str
    fields: dict[str, Any]
    field_lines: dict[str, int]
    body: str
    body_line: int
    problems: tuple[Problem, ...] = ()
    has_frontmatter: bool = True
    _arxiv: ArxivId | None = field(default=None, repr=False, compare=False)

    @cached_property
    def stem(self) -> str:
        return Path(self.path).stem

    @property
    def title(self) -> str:
        value = self.fields.get("title")
        return value if isinstance(value, str) and value.strip() else self.stem

    @property
    def arxiv_id(self) -> ArxivId | None:
        return self._arxiv

    def line_of(self, key: str) -> int:
        """The line of ``key`` in the file, or of the frontmatter's start when absent."""
        return self.field_lines.get(key, 1)

    def string_list(self, key: str) -> list[str]:
        """A list-of-strings field as a list, whatever shape it had (absent, one, many)."""
        value = self.fields.get(key)
        if isinstance(value, str):
            return [value] if value.strip() else []
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str) and v.strip()]
        return []

    def date_of(self, key: str) -> date | None:
        value = self.fields.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return None
        return None


def decode_note_bytes(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Decode a note file to text with LF line endings, reporting BOM, CRLF and bad bytes."""
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        problems.append(problem(path, 1, "bom", "file starts with a UTF-8 byte-order mark"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(
            problem(
                path,
                line,
                "not-utf8",
                f"not valid UTF-8 (byte 0x{data[err.start]:02x}); "
                "try `kbtool fix-encoding` or re-save the file as UTF-8",
            )
        )
        text = data.decode("utf-8", errors="replace")
    if (first_cr := text.find("\r")) >= 0:
        line = text[:first_cr].count("\n") + 1
        ending = "CRLF" if text.startswith("\r\n", first_cr) else "CR (\\r)"
        problems.append(problem(path, line, "crlf", f"{ending} line endings; LF is expected"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def split_frontmatter(text: str) -> tuple[str, str, int] | None:
    """Split ``text`` into (frontmatter, body, body's first line), or None without frontmatter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            frontmatter = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return frontmatter, body, index + 2
    return None


def _yaml_error_message(err: YamlError, frontmatter: str, line_index: int) -> str:
    message = f"{err.context}, {err.message}" if err.context else err.message
    lines = frontmatter.split("\n")
    if 0 <= line_index < len(lines) and "\t" in lines[line_index]:
        message += " (tabs are not allowed for indentation in YAML; use spaces)"
    return f"frontmatter is not valid YAML: {message}"


def _construct(node: yaml.Node, kind: FieldKind | None) -> Any:
    if kind in _TEXT_KINDS:
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag.endswith(":null") and not node.style else node.value
        if isinstance(node, yaml.SequenceNode):
            return [_construct(item, FieldKind.STRING) for item in node.value]
    try:
        return construct_yaml(node)
    except YamlError as err:
        return InvalidValue(_node_text(node), err.message)


def _node_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "[…]"


def _field_value(node: yaml.Node, kind: FieldKind | None, budget: AliasBudget) -> Any:
    """One field's value; YAML no value can be built from is an :class:`InvalidValue`."""
    # A value that holds itself, nests too deeply or expands through aliases beyond the
    # document's budget would send every reader of it (checks, the site) into endless
    # or exponential work: it is refused here, field by field.
    try:
        check_limits(node, budget)
    except YamlError as err:
        return InvalidValue(_node_text(node), err.message)
    return _construct(node, kind)


def parse_frontmatter(
    frontmatter: str, path: str, first_line: int
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Read frontmatter text into (fields, field lines, problems); never raises on bad YAML."""
    problems: list[Problem] = []
    try:
        root = compose_yaml(frontmatter)
    except YamlError as err:
        index = (err.line or 1) - 1
        line = first_line + max(index, 0)
        problems.append(
            problem(path, line, "yaml-syntax", _yaml_error_message(err, frontmatter, index))
        )
        return {}, {}, problems
    if root is None:
        return {}, {}, problems
    if not isinstance(root, yaml.MappingNode):
        problems.append(
            problem(path, first_line, "not-a-mapping", "frontmatter must be a mapping of keys")
        )
        return {}, {}, problems
    fields: dict[str, Any] = {}
    lines: dict[str, int] = {}
    budget = AliasBudget()
    for key_node, value_node in root.value:
        line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(problem(path, line, "wrong-type", "frontmatter keys must be text"))
            continue
        key = key_node.value
        if key in fields:
            problems.append(
                problem(
                    path,
                    line,
                    "duplicate-key",
                    f"key {key!r} appears twice (first on line {lines[key]})",
                )
            )
            continue
        spec = FIELDS_BY_NAME.get(key)
        fields[key] = _field_value(value_node, spec.kind if spec else None, budget)
        lines[key] = line
    return fields, lines, problems


def parse_note(data: bytes | str, path: str) -> Note:
    """Parse a note file's content; problems are recorded on the note, never raised."""
    if isinstance(data, bytes):
        text, problems = decode_note_bytes(data, path)
    else:
        text, problems = data.replace("\r\n", "\n"), []
    split = split_frontmatter(text)
    if split is None:
        problems.append(
            problem(
                path,
                1,
                "no-frontmatter",
                "no YAML frontmatter: the note must start with a line '---', its fields, "
                "and a closing '---'",
            )
        )
        return Note(path, text, {}, {}, text, 1, tuple(problems), has_frontmatter=False)
    frontmatter, body, body_line = split
    fields, lines, fm_problems = parse_frontmatter(frontmatter, path, 2)
    problems.extend(fm_problems)
    arxiv_value = fields.get("arxiv")
    arxiv = find_arxiv_id(arxiv_value) if isinstance(arxiv_value, str) else None
    return Note(path, text, fields, lines, body, body_line, tuple(problems), True, arxiv)
