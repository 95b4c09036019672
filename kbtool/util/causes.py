"""What an exception was caused by: the chain of its causes, for telling failures apart."""

from __future__ import annotations

from collections.abc import Iterator


def causes(err: BaseException) -> Iterator[BaseException]:
    """``err``, then what caused it (``__cause__``, else ``__context__``), and so on; each once."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
