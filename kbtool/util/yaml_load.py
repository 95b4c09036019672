"""The one way kbtool reads YAML: safe types only, bounded, and every failure one line at its line.

Notes' frontmatter, ``kbtool.yml``, ``topics.yml`` and ``inbox.yml`` are all read
here. Three things a plain ``yaml.safe_load`` does not do:

* **Limits.** Aliases may repeat at most :data:`MAX_ALIAS_EXPANSION` values in a
  document (a "billion laughs" bomb of a few hundred bytes would otherwise expand
  to billions in every reader that walks the value), values nest at most
  :data:`MAX_DEPTH` levels, and a value that holds itself (``&a [*a]``) is refused.
  The check walks the composed node graph once, counting each shared node once, so
  it is linear in the size of the text whatever the aliases say.
* **Constructor errors are errors.** A tag that cannot be built (``!!timestamp abc``,
  ``!!bool abc``, the date ``2024-02-30``) raises :class:`YamlError` naming the value,
  at its line, instead of whatever exception the constructor happened to hit.
* **One line.** :class:`YamlError` carries a one-line message and a 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

#: Values that aliases (``*name``) may add to one document, all aliases together.
MAX_ALIAS_EXPANSION = 10_000
#: Levels of nesting (lists in mappings in lists…) a value may have.
MAX_DEPTH = 64
#: How much of a value an error message quotes.
_QUOTE = 60

_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG_NAMES = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:binary": "base64 data",
    "tag:yaml.org,2002:null": "null",
}


class YamlError(Exception):
    """YAML that cannot be read: a one-line ``message``, its 1-based ``line`` (None: unknown),
    and the parser's ``context`` ("while parsing a flow sequence"), if it gave one."""

    def __init__(self, message: str, line: int | None = None, context: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.context = context


def quote_value(text: str, limit: int = _QUOTE) -> str:
    """``repr`` of ``text``, shortened to about ``limit`` characters for a message."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown)


def describe_yaml_error(err: yaml.YAMLError, text: str) -> tuple[str, int | None]:
    """What a PyYAML error in ``text`` says, in one line, and its 1-based line when known."""
    if isinstance(err, yaml.reader.ReaderError):
        # Its own text spans two lines and gives a character offset, not a line.
        char = err.character  # a code point (bytes when decoding failed)
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return f"unacceptable character {what}: {err.reason}", text.count("\n", 0, err.position) + 1
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    reason = getattr(err, "problem", None) or str(err)
    return " ".join(str(reason).split()), (mark.line + 1 if mark is not None else None)


def compose_yaml(text: str) -> yaml.Node | None:
    """The node graph of the one YAML document in ``text`` (None when empty); YamlError if bad.

    Limits are not checked here (see :func:`check_limits`), so a caller can read
    the well-formed parts of a document and refuse only the values that break them.
    """
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as err:
        message, line = describe_yaml_error(err, text)
        context = getattr(err, "context", None)
        raise YamlError(message, line, " ".join(context.split()) if context else None) from err
    except RecursionError as err:  # the pure-Python composer, on values nested too deeply
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep", None) from err
    return node


@dataclass
class AliasBudget:
    """What aliases may still add to a document, shared by every value read from it.

    It remembers the nodes already counted (and their expanded sizes), so a value that
    is an alias of another field's counts as the repetition it is.
    """

    remaining: int = MAX_ALIAS_EXPANSION
    sizes: dict[int, int] = field(default_factory=dict)  # id(node) → expanded size
    depths: dict[int, int] = field(default_factory=dict)  # id(node) → levels of nesting


def check_limits(node: yaml.Node, budget: AliasBudget | None = None) -> None:
    """Raise YamlError (at the line of the culprit) if ``node`` holds itself, nests more
    than :data:`MAX_DEPTH` levels, or its aliases repeat more values than ``budget``
    allows (which is then spent; a fresh budget of :data:`MAX_ALIAS_EXPANSION` when None).

    Linear in the nodes not yet counted in ``budget``: whatever the aliases say, each
    node is walked once per document.
    """
    budget = budget if budget is not None else AliasBudget()
    size, depth = budget.sizes, budget.depths
    if id(node) in size:  # counted in an earlier value: all of it is a repetition
        _spend(budget, size[id(node)], node.start_mark.line + 1)
        return
    if isinstance(node, yaml.ScalarNode):  # most values: nothing to walk
        size[id(node)], depth[id(node)] = 1, 1
        return
    # Post-order walk over the nodes not yet counted: expanded size and depth of each.
    new = 0
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            on_path.discard(key)
            children = _children(current)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            here = current.start_mark.line + 1
            if depth[key] > MAX_DEPTH:
                raise YamlError(f"nested more than {MAX_DEPTH} levels deep", here)
            # The nodes counted in this walk include this one's own: if even that many
            # cannot explain its size, its aliases alone break the budget. Say where.
            if size[key] - new > budget.remaining:
                raise _too_many(here)
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlError(
                "the value contains itself (a recursive YAML alias)", current.start_mark.line + 1
            )
        on_path.add(key)
        new += 1
        stack.append((current, True))
        stack.extend((child, False) for child in reversed(_children(current)))
    _spend(budget, size[id(node)] - new, node.start_mark.line + 1)


def _spend(budget: AliasBudget, added: int, line: int) -> None:
    if added > budget.remaining:
        raise _too_many(line)
    budget.remaining -= added


def _too_many(line: int) -> YamlError:
    return YamlError(
        f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} values (an alias bomb?)", line
    )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


class _Constructor(yaml.SafeLoader):
    """PyYAML's safe constructor, whose every failure is a ConstructorError at the value."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError) as err:
            what = _TAG_NAMES.get(node.tag, f"a {node.tag.rsplit(':', 1)[-1]}")
            value = node.value if isinstance(node, yaml.ScalarNode) else "…"
            detail = str(err) if isinstance(err, ValueError) else ""
            reason = f"cannot read {quote_value(str(value))} as {what}"
            raise yaml.constructor.ConstructorError(
                None, None, f"{reason}: {detail}" if detail else reason, node.start_mark
            ) from err


def construct_yaml(node: yaml.Node, budget: AliasBudget | None = None) -> Any:
    """The Python value of ``node`` (safe types only), after :func:`check_limits`.

    Raises YamlError at the line of the value that cannot be built.
    """
    check_limits(node, budget)
    try:
        return _Constructor("").construct_object(node, deep=True)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else node.start_mark.line + 1
        message, _ = describe_yaml_error(err, "")
        raise YamlError(message, line) from err
    except RecursionError as err:
        raise YamlError(
            f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1
        ) from err


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The value of the YAML document in ``text`` and its node (None, None when empty).

    Raises YamlError for bad YAML, a broken limit, or a value that cannot be built.
    """
    node = compose_yaml(text)
    if node is None:
        return None, None
    return construct_yaml(node), node
