"""Fingerprints: a short digest of a value that is the same in every process and every run.

The cache of rendered pages is keyed by what produced each page: a note (its
path and text), the records of the papers a page lists, the settings. Python's
``hash`` changes from run to run and ``repr`` can show memory addresses, so
:class:`Fingerprinter` walks the value itself: text, numbers, dates, enums,
tuples, lists, dicts, sets and dataclasses (their compared fields), feeding a
BLAKE2b digest with a tag for every type so that ``("a", "b")`` and ``"ab"``
differ. Anything else is :class:`Unfingerprintable`: the caller then does not
cache what depends on it, rather than risk a wrong hit.

Within one fingerprinter, the digest of a tuple of a few items or more, or of a
frozen dataclass, is worked out once per object (``listings``, the records every
index page shows, and the site's paths appear in many inputs).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


class Unfingerprintable(TypeError):
    """A value whose identity across processes cannot be told from what it holds."""


_SHARED = 8  # tuples at least this long are remembered by identity


#: Turns a value of some type into the smaller value that determines it.
Reducer = Callable[[Any], object]


class Fingerprinter:
    """Digests of values, remembering those of large tuples it has already seen.

    ``reducers`` name, per type, a smaller value that determines a value of that
    type (a note is all in its path and text: the rest is parsed from them);
    ``otherwise`` reduces any other object (or raises :class:`Unfingerprintable`).
    """

    def __init__(
        self,
        reducers: Mapping[type, Reducer] | None = None,
        *,
        otherwise: Reducer | None = None,
    ) -> None:
        self._seen: dict[int, tuple[object, bytes]] = {}
        self._reducers = dict(reducers or {})
        self._otherwise = otherwise

    def digest(self, value: object) -> str:
        """The hex digest of ``value``; :class:`Unfingerprintable` if it holds something opaque."""
        return self._digest(value).hex()

    def _digest(self, value: object) -> bytes:
        hasher = hashlib.blake2b(digest_size=20)
        self._feed(hasher, value)
        return hasher.digest()

    def _shared(self, value: object, feed: Callable[[Any], None]) -> bytes:
        """The digest of an immutable value seen often, worked out once per fingerprinter."""
        known = self._seen.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        hasher = hashlib.blake2b(digest_size=20)
        feed(hasher)
        result = hasher.digest()
        self._seen[id(value)] = (value, result)  # keeps it alive: the id stays its own
        return result

    def _tuple(self, hasher: Any, value: tuple[object, ...] | list[object]) -> None:
        hasher.update(b"t%d:" % len(value))
        for item in value:
            self._feed(hasher, item)

    def _dataclass(self, hasher: Any, value: Any) -> None:
        hasher.update(b"o" + _qualname(type(value)).encode() + b"{")
        for item in dataclasses.fields(value):
            if item.compare:
                self._feed(hasher, item.name)
                self._feed(hasher, getattr(value, item.name))
        hasher.update(b"}")

    def _feed(self, hasher: Any, value: object) -> None:
        update = hasher.update
        reducer = self._reducers.get(type(value)) if self._reducers else None
        if reducer is not None:
            update(b"r" + _qualname(type(value)).encode() + b":")
            self._feed(hasher, reducer(value))
        elif value is None or isinstance(value, bool):
            update(b"c" + repr(value).encode())
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            update(b"s%d:" % len(data) + data)
        elif isinstance(value, bytes):
            update(b"b%d:" % len(value) + value)
        elif isinstance(value, enum.Enum):
            update(b"e" + _qualname(type(value)).encode() + b".")
            self._feed(hasher, value.value)
        elif isinstance(value, int | float):
            update(b"n" + repr(value).encode() + b";")
        elif isinstance(value, datetime | date):
            update(b"d" + value.isoformat().encode() + b";")
        elif isinstance(value, tuple) and len(value) >= _SHARED:
            update(b"h" + self._shared(value, lambda h: self._tuple(h, value)))
        elif isinstance(value, tuple | list):
            self._tuple(hasher, value)
        elif isinstance(value, dict):
            update(b"m%d:" % len(value))
            for key, item in value.items():
                self._feed(hasher, key)
                self._feed(hasher, item)
        elif isinstance(value, set | frozenset):
            parts = sorted(self._digest(item) for item in value)
            update(b"z%d:" % len(parts) + b"".join(parts))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
                update(b"h" + self._shared(value, lambda h: self._dataclass(h, value)))
            else:
                self._dataclass(hasher, value)
        elif isinstance(value, PurePath):
            update(b"p")
            self._feed(hasher, value.as_posix())
        elif isinstance(value, functools.partial):
            update(b"f")
            self._feed(hasher, (_callable_name(value.func), value.args, value.keywords))
        elif callable(value) and hasattr(value, "__qualname__"):
            update(b"f")
            self._feed(hasher, _callable_name(value))
        elif self._otherwise is not None:
            update(b"x" + _qualname(type(value)).encode() + b":")
            self._feed(hasher, self._otherwise(value))
        else:
            raise Unfingerprintable(f"cannot fingerprint a {type(value).__qualname__}")


def _qualname(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _callable_name(function: object) -> str:
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None)
    if name is None or "<locals>" in name or "<lambda>" in name:
        raise Unfingerprintable(f"cannot fingerprint the function {function!r}")
    return f"{module}.{name}"


def fingerprint(value: object) -> str:
    """The hex digest of ``value`` (see :class:`Fingerprinter`)."""
    return Fingerprinter().digest(value)
