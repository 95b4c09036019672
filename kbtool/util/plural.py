"""Counted nouns in messages: ``1 paper``, ``2 papers``, ``0 papers``."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, the noun in the plural unless ``count`` is 1.

    The plural adds an ``s`` unless ``many`` gives it (``plural(2, "entry", "entries")``).
    """
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many if many is not None else word + 's'}"
