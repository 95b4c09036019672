"""Markdown bullet lists as a tree of items, and back to Markdown the site nests correctly.

The notes app exported nesting with 2 spaces, tabs or 4 spaces, sometimes mixed in one
list; the site's Markdown (Python-Markdown) nests only at 4 spaces, so a 2-space list
would render flat. :func:`parse_tree` reads the lines into items by indentation, and
:func:`render_item` writes an item back at 4 spaces per level: the nesting the
researcher saw is the nesting the site shows.

An item owns its first line, its sub-items, and its other lines: lazy continuation
lines, indented paragraphs, images, quotes, fenced code and ``$$`` math blocks (whose
inner indentation is kept exactly). A line that is not a bullet belongs to the item
it continues (no blank line between), else to the deepest item indented less than it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

TAB_WIDTH = 4
_BULLET = re.compile(r"^(?P<indent>[ ]*)(?P<marker>[-*+]|\d{1,3}[.)])(?:[ ]+(?P<text>.*)|$)")
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def expand_indent(line: str) -> str:
    """``line`` with tabs in its leading whitespace expanded to 4-column stops."""
    stripped = line.lstrip(" \t")
    lead = line[: len(line) - len(stripped)]
    return lead.expandtabs(TAB_WIDTH) + stripped


@dataclass
class TextLine:
    """A line an item owns that is not a sub-item: text, blank, code or math."""

    number: int
    indent: int
    text: str  #: without leading whitespace
    raw: bool = False  #: inside a code fence or math block: indentation is content
    lazy: bool = False  #: continues the paragraph of the line above (no blank between)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass
class Item:
    """A list item: its first line, then sub-items and other lines in source order."""

    number: int
    indent: int
    marker: str
    text: str
    parent: Item | None = field(default=None, repr=False)
    content: list[Item | TextLine] = field(default_factory=list)

    @property
    def children(self) -> list[Item]:
        return [entry for entry in self.content if isinstance(entry, Item)]

    @property
    def depth(self) -> int:
        depth, node = 0, self.parent
        while node is not None and node.indent >= 0:
            depth, node = depth + 1, node.parent
        return depth

    def ancestors(self) -> list[Item]:
        """Enclosing items, outermost first (the root excluded)."""
        chain: list[Item] = []
        node = self.parent
        while node is not None and node.indent >= 0:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def walk(self) -> Iterator[Item]:
        """This item and every item below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def lines(self) -> list[int]:
        """Every source line number this item and its descendants own."""
        numbers = [self.number]
        for entry in self.content:
            if isinstance(entry, Item):
                numbers.extend(entry.lines())
            else:
                numbers.append(entry.number)
        return numbers

    def has_body(self) -> bool:
        """Whether the item has sub-items or non-blank lines of its own."""
        return any(isinstance(e, Item) or not e.blank for e in self.content)

    def has_sub_items(self) -> bool:
        return any(isinstance(e, Item) for e in self.content)


def new_root() -> Item:
    return Item(0, -1, "", "")


def parse_tree(lines: list[tuple[int, str]]) -> Item:
    """Read numbered lines into a tree; the root (indent -1) holds top-level items."""
    root = new_root()
    stack: list[Item] = [root]
    owner: Item = root
    previous_blank = True
    fence: str | None = None
    in_math = False
    for number, original in lines:
        line = expand_indent(original.rstrip("\n"))
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if fence is not None or in_math:
            owner.content.append(TextLine(number, indent, line.lstrip(" "), raw=True))
            if fence is not None and stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            elif in_math and stripped == "$$":
                in_math = False
            previous_blank = False
            continue
        if not stripped:
            owner.content.append(TextLine(number, indent, ""))
            previous_blank = True
            continue
        bullet = _BULLET.match(line)
        if bullet is not None:
            while len(stack) > 1 and stack[-1].indent >= indent:
                stack.pop()
            item = Item(number, indent, bullet["marker"], (bullet["text"] or "").strip(), stack[-1])
            stack[-1].content.append(item)
            stack.append(item)
            owner = item
            previous_blank = False
            continue
        lazy = not previous_blank and owner is not root
        if not lazy:
            owner = root
            for candidate in reversed(stack):
                if candidate.indent < indent:
                    owner = candidate
                    break
            while stack[-1] is not owner:
                stack.pop()
        owner.content.append(TextLine(number, indent, stripped, lazy=lazy))
        fence_match = _FENCE.match(stripped)
        if fence_match is not None:
            fence = fence_match.group(1)
        elif stripped == "$$":
            in_math = True
        previous_blank = False
    return root


LineRewriter = Callable[[int, str], str]
Replacement = Callable[[Item], str | None]


def _identity(number: int, text: str) -> str:
    return text


def render_item(
    item: Item,
    depth: int = 0,
    rewrite: LineRewriter = _identity,
    replace: Replacement | None = None,
) -> list[tuple[int | None, str]]:
    """``item`` and everything below it as (source line, Markdown line) pairs.

    Items are written at 4 spaces per level from ``depth``; an item's other lines keep
    their indentation relative to each other, under the item's text. ``replace`` may
    return a line to write instead of a whole sub-item (the importer puts a link to a
    paper's note where its subtree was), or ``""`` to leave the sub-item out. Paragraph
    lines that followed each other in the source get a Markdown hard break, so lines the
    researcher broke stay broken.
    """
    out: list[tuple[int | None, str]] = []
    if item.indent >= 0:
        out.append(
            (item.number, " " * (4 * depth) + f"{item.marker} " + rewrite(item.number, item.text))
        )
        inner = depth + 1
    else:
        inner = depth
    texts = [e for e in item.content if isinstance(e, TextLine) and not e.blank]
    base = min((t.indent for t in texts), default=0)
    for entry in item.content:
        if isinstance(entry, Item):
            if replace is not None:
                replacement = replace(entry)
                if replacement is not None:
                    if replacement:
                        out.append((None, " " * (4 * inner) + replacement))
                    continue
            out.extend(render_item(entry, inner, rewrite, replace))
        elif entry.blank:
            out.append((entry.number, ""))
        else:
            extra = max(0, entry.indent - base)
            text = entry.text if entry.raw else rewrite(entry.number, entry.text)
            if entry.lazy and out and not entry.raw:
                if _starts_block(text) and not _starts_block(out[-1][1].strip()):
                    # A quote or code block right under text renders as text ("> …"):
                    # the blank line makes it the block the notes app showed.
                    out.append((None, ""))
                else:
                    _hard_break(out)
            out.append((entry.number, " " * (4 * inner + extra) + text))
    return out


def _starts_block(text: str) -> bool:
    return text.startswith((">", "```", "~~~")) or text == "$$"


def _hard_break(out: list[tuple[int | None, str]]) -> None:
    number, previous = out[-1]
    body = previous.strip()
    if not body or body.startswith("|") or body == "$$" or body.startswith("```"):
        return
    if not previous.endswith("  "):
        out[-1] = (number, previous.rstrip() + "  ")


def tidy(lines: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Trim blank lines at both ends, collapse runs of blanks, and set ``$$`` blocks apart.

    A ``$$`` block directly under a line of text renders as text, not math; a blank line
    before and after it makes it a display formula (at the same indentation).
    """
    result: list[tuple[int | None, str]] = []
    in_math = False
    for number, text in lines:
        if not text.strip():
            if result and result[-1][1].strip():
                result.append((number, ""))
            continue
        if text.strip() == "$$":
            if not in_math and result and result[-1][1].strip():
                result.append((None, ""))
            in_math = not in_math
            result.append((number, text))
            continue
        if result and result[-1][1].strip() == "$$" and not in_math:
            result.append((None, ""))
        result.append((number, text))
    while result and not result[-1][1].strip():
        result.pop()
    return result
