"""Writing frontmatter: YAML that reads back exactly, and edits that touch only changed keys.

:func:`render_frontmatter` writes a new note's frontmatter. :func:`update_frontmatter`
changes or adds some keys of an existing note *textually*: it finds each key's span
with the YAML parser's marks and replaces only that span, so every other byte —
other keys, their order and quoting, comments, blank lines, line endings, the body —
stays as it was. (Round-tripping through a YAML library re-emits the whole
frontmatter and changes what it does not understand.) Each edit is checked by
parsing the result again; an edit that would not read back as intended raises
:class:`~kbtool.errors.NoteFormatError` instead of being written.

Values are emitted one line per field: strings that YAML would read as something
else (``0``, ``yes``, ``2410.05677``) or that contain YAML syntax (``: ``, ``#``,
quotes) are quoted by the emitter, and strings with line breaks or invisible
characters are double-quoted with escapes, so no field ever spans lines except a
block list.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kbtool.core.note import parse_note
from kbtool.core.schema import FIELDS
from kbtool.errors import NoteFormatError

_SCHEMA_ORDER = [spec.name for spec in FIELDS]
_WIDTH = 1 << 30  # never fold a long value over several lines
# Characters a reader could take for a line break, or not see at all: double-quote
# (with escapes) any string holding one, so each field stays on one visible line.
_NEEDS_ESCAPES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f]")
_INVISIBLE = frozenset({"Cf", "Zl", "Zp"})  # format characters (zero-width, bidi…), separators


def _needs_escapes(value: str) -> bool:
    return bool(_NEEDS_ESCAPES.search(value)) or any(
        unicodedata.category(char) in _INVISIBLE for char in value
    )


def _escape_format_chars(text: str) -> str:
    """``\\uXXXX`` for the format characters PyYAML writes as they are (it finds them printable).

    Only strings holding one are double-quoted (:func:`_apply_style`), and in a
    double-quoted scalar an escape reads back as the character itself.
    """
    return "".join(
        (f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        if unicodedata.category(char) == "Cf"
        else char
        for char in text
    )


_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
_FENCE = re.compile(r"(---|\.\.\.)[ \t]*")


@dataclass(frozen=True)
class ValueStyle:
    """How an existing value was written, so a replacement can be written the same way."""

    quote: str | None = None  # "'" or '"' for a quoted scalar
    flow: bool | None = None  # True for [a, b], False for a block list
    item_indent: str = ""  # a block list's items, relative to its key


def _node(value: Any, style: ValueStyle | None) -> yaml.Node:
    node = yaml.SafeDumper(io.StringIO(), default_flow_style=False).represent_data(value)
    _apply_style(node, style or ValueStyle())
    return node


def _apply_style(node: yaml.Node, style: ValueStyle) -> None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        if _needs_escapes(node.value):
            node.style = '"'
        elif style.quote in ("'", '"'):
            node.style = style.quote
    elif isinstance(node, yaml.SequenceNode):
        node.flow_style = True if style.flow is None else style.flow
        for item in node.value:
            _apply_style(item, ValueStyle(quote=style.quote))


def render_field(key: str, value: Any, style: ValueStyle | None = None) -> str:
    """``key: value`` as YAML lines ending in ``\\n``; lists in flow style unless told."""
    mapping = yaml.MappingNode(
        "tag:yaml.org,2002:map",
        [(yaml.ScalarNode("tag:yaml.org,2002:str", key), _node(value, style))],
        flow_style=False,
    )
    text: str = yaml.serialize(mapping, Dumper=yaml.SafeDumper, allow_unicode=True, width=_WIDTH)
    return _escape_format_chars(text)


def render_frontmatter(fields: Mapping[str, Any]) -> str:
    """A complete frontmatter block (``---`` … ``---``) holding ``fields`` in their order.

    Raises ``ValueError`` if the text would not read back as exactly ``fields``.
    """
    text = "---\n" + "".join(render_field(k, v) for k, v in fields.items()) + "---\n"
    note = parse_note(text, "<new note>")
    problems = list(note.problems)
    if problems or not _same_fields(note.fields, fields):
        raise ValueError(f"frontmatter does not read back as written: {problems or fields}")
    return text


def _same_fields(parsed: Mapping[str, Any], intended: Mapping[str, Any]) -> bool:
    return list(parsed) == list(intended) and all(
        _normalized(parsed[k]) == _normalized(v) for k, v in intended.items()
    )


def _normalized(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_normalized(v) for v in value]
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


# --- editing an existing note -----------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    key: str
    key_start: int
    key_end: int  # just after the key itself
    value_end: int  # just after the last character of the value (comments excluded)
    next_line: int  # where the line after the value starts
    style: ValueStyle
    has_comments: bool  # comments inside the value, which replacing it would lose


@dataclass(frozen=True)
class _Frontmatter:
    start: int  # index of the frontmatter's first character (after the opening fence line)
    end: int  # index where the closing fence line starts
    newline: str


def _locate(text: str) -> _Frontmatter | None:
    """Where the frontmatter lies in ``text`` (any line endings), or None without one."""
    lines = [m for m in _LINE.finditer(text) if m.group(0)]
    if not lines or lines[0].group(1).rstrip(" \t") != "---" or not lines[0].group(2):
        return None
    newline = lines[0].group(2)
    for line in lines[1:]:
        if _FENCE.fullmatch(line.group(1)):
            return _Frontmatter(lines[0].end(), line.start(), newline)
    return None


def _content_end(node: yaml.Node, text: str) -> int:
    """The index just after the last character that belongs to ``node``'s value."""
    if isinstance(node, yaml.ScalarNode):
        end = int(node.end_mark.index)
        if node.style in ("|", ">"):
            # A block scalar's mark runs past its trailing blank lines.
            start = int(node.start_mark.index)
            while end > start and text[end - 1] in " \t\r\n":
                end -= 1
        return end
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        if node.flow_style or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        # A block collection's own mark runs past the comments that follow it.
        return _content_end(last[1] if isinstance(last, tuple) else last, text)
    return int(node.end_mark.index)


def _scalar_ranges(node: yaml.Node) -> list[tuple[int, int]]:
    if isinstance(node, yaml.ScalarNode):
        return [(int(node.start_mark.index), int(node.end_mark.index))]
    ranges: list[tuple[int, int]] = []
    for item in node.value:
        for child in item if isinstance(item, tuple) else (item,):
            ranges += _scalar_ranges(child)
    return ranges


def _has_comments(node: yaml.Node, text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` holds a ``#`` comment outside ``node``'s scalars."""
    inside = _scalar_ranges(node)
    return any(
        text[index] == "#"
        and (index == 0 or text[index - 1] in " \t\r\n")
        and not any(low <= index < high for low, high in inside)
        for index in range(start, end)
    )


def _style_of(node: yaml.Node, key_column: int) -> ValueStyle:
    if isinstance(node, yaml.ScalarNode):
        return ValueStyle(quote=node.style if node.style in ("'", '"') else None)
    if isinstance(node, yaml.SequenceNode):
        quotes = {item.style for item in node.value if isinstance(item, yaml.ScalarNode)}
        quote = quotes.pop() if len(quotes) == 1 else None
        flow = bool(node.flow_style)
        extra = 0 if flow else max(int(node.start_mark.column) - key_column, 0)
        return ValueStyle(quote if quote in ("'", '"') else None, flow, " " * extra)
    return ValueStyle()


def _spans(frontmatter: str, path: str) -> tuple[list[_Span], str]:
    """Each top-level key's span, and the indentation of the top-level keys."""
    try:
        root = yaml.compose(frontmatter, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        reason = str(getattr(err, "problem", None) or err).splitlines()[0]
        raise NoteFormatError(f"frontmatter is not valid YAML: {reason}", path) from err
    if root is None:
        return [], ""
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise NoteFormatError("frontmatter is not a block mapping of keys; not edited", path)
    spans: list[_Span] = []
    indent = ""
    for index, (key_node, value_node) in enumerate(root.value):
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        if index == 0:
            column = int(key_node.start_mark.column)
            indent = " " * column
        value_end = _content_end(value_node, frontmatter)
        line = _LINE.match(frontmatter, value_end)
        next_line = line.end() if line else len(frontmatter)
        # A comment after a scalar speaks of the field and stays; one on a block
        # list's last line speaks of that item, which a new list would not have.
        block = isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style
        comments_end = next_line if block else value_end
        key_end = int(key_node.end_mark.index)
        spans.append(
            _Span(
                key_node.value,
                int(key_node.start_mark.index),
                key_end,
                value_end,
                next_line,
                _style_of(value_node, int(key_node.start_mark.column)),
                _has_comments(value_node, frontmatter, key_end, comments_end),
            )
        )
    return spans, indent


def keys_with_comments(text: str) -> set[str]:
    """Frontmatter keys whose values hold comments (which a rewrite would lose)."""
    located = _locate(text)
    if located is None:
        return set()
    try:
        spans, _ = _spans(text[located.start : located.end], "<note>")
    except NoteFormatError:
        return set()
    return {span.key for span in spans if span.has_comments}


def _edit_text(key: str, value: Any, style: ValueStyle | None, indent: str, newline: str) -> str:
    """``key: value`` lines for the note: its indentation and line endings, no final break."""
    rendered = render_field(key, value, style)
    if not rendered.startswith(key + ":"):
        raise ValueError(f"cannot write key {key!r} unquoted")
    lines = rendered.rstrip("\n").split("\n")
    inner = indent + (style.item_indent if style else "")
    return newline.join(inner + line if n else line for n, line in enumerate(lines))


def update_frontmatter(text: str, updates: Mapping[str, Any], path: str) -> str:
    """``text`` with the frontmatter keys in ``updates`` set; every other character kept.

    An existing key keeps its place, its spelling and (where the value allows) its
    quoting and list style; a new key goes after the nearest field that precedes it
    in the note schema (or before the first that follows it). Raises
    :class:`NoteFormatError` when the note has no frontmatter, the frontmatter is
    not a block mapping, a key to change appears twice, or the result would not read
    back with exactly the intended values and everything else unchanged.
    """
    if not updates:
        return text
    located = _locate(text)
    if located is None:
        raise NoteFormatError("no YAML frontmatter to update", path)
    frontmatter = text[located.start : located.end]
    spans, indent = _spans(frontmatter, path)
    by_key: dict[str, _Span] = {}
    for span in spans:
        if span.key in by_key and span.key in updates:
            raise NoteFormatError(f"key {span.key!r} appears twice; not edited", path)
        by_key.setdefault(span.key, span)
    newline = located.newline
    edits: list[tuple[int, int, str]] = []
    inserts: dict[int, list[str]] = {}
    for key, value in updates.items():
        existing = by_key.get(key)
        if existing is not None and existing.has_comments:
            raise NoteFormatError(f"{key!r} holds comments; not edited", path)
        if existing is not None:
            new = _edit_text(key, value, existing.style, indent, newline)[len(key) :]
            edits.append((existing.key_end, existing.value_end, new))
        else:
            at = _insertion_point(key, by_key, frontmatter)
            line = indent + _edit_text(key, value, None, indent, newline) + newline
            inserts.setdefault(at, []).append(line)
    for at, lines in inserts.items():
        edits.append((at, at, "".join(sorted(lines, key=lambda ln: _order(ln.strip())))))
    edited = frontmatter
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        edited = edited[:start] + new + edited[end:]
    if edited and not edited.endswith(("\n", "\r")):
        edited += newline
    result = text[: located.start] + edited + text[located.end :]
    _verify(text, result, updates, path)
    return result


def _order(line: str) -> int:
    key = line.split(":", 1)[0]
    return _SCHEMA_ORDER.index(key) if key in _SCHEMA_ORDER else len(_SCHEMA_ORDER)


def _insertion_point(key: str, present: Mapping[str, _Span], frontmatter: str) -> int:
    position = _SCHEMA_ORDER.index(key) if key in _SCHEMA_ORDER else len(_SCHEMA_ORDER)
    before = [k for k in _SCHEMA_ORDER[:position] if k in present]
    if before:
        return max(present[k].next_line for k in before)
    after = [present[k] for k in _SCHEMA_ORDER[position + 1 :] if k in present]
    if after:
        start = min(span.key_start for span in after)
        return max(frontmatter.rfind("\n", 0, start), frontmatter.rfind("\r", 0, start)) + 1
    return len(frontmatter)


def _verify(old: str, new: str, updates: Mapping[str, Any], path: str) -> None:
    before, after = parse_note(old, path), parse_note(new, path)
    if before.body != after.body or not after.has_frontmatter:
        raise NoteFormatError("the edit would change the note body; not edited", path)
    if any(p.name in ("yaml-syntax", "not-a-mapping") for p in after.problems):
        raise NoteFormatError("the edit would break the frontmatter; not edited", path)
    expected = dict(before.fields)
    expected.update({k: _normalized(v) for k, v in updates.items()})
    if set(after.fields) != set(expected) or any(
        _normalized(after.fields[k]) != v for k, v in expected.items()
    ):
        raise NoteFormatError("the edit would not read back as intended; not edited", path)
