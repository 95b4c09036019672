"""Word-pair context scores for choosing between readings of damaged Chinese text.

A unigram lexicon cannot tell 中 from 与 or 不 (all three lose their last byte to ``ä¸``):
the neighbours can. This module scores a pair of adjacent words ``h w`` by pointwise mutual
information, ``PMI(h, w) = log P(w | h) - log P(w)`` in nats: positive when the pair occurs
more often than chance (应用 中, 中 ，), negative when less (与 ，).

Two sources:

* :class:`ContextTable` — distilled from the back-off word trigram model of Debian's
  ``sunpinyin-data`` (trained on the open-gram corpus of modern Chinese, CC-BY-SA 3.0) by
  ``scripts/build_context_table.py``; shipped as ``kbtool/repair/data/context_zh.tsv.gz``. It keeps
  only pairs with a word that damage makes confusable; an unlisted pair after a listed
  history ``h`` scores the model's back-off weight ``log bow(h)``, as the model would.
* :class:`CharContext` — adjacent *character* pairs counted in zh_CN message catalogues of
  free software (technical Chinese: 套接字, 子进程, 不支持), built by
  ``scripts/build_char_table.py``; shipped as ``kbtool/repair/data/char_context_zh.tsv.gz``
  (LGPL-2.1-or-later). It knows the technical words that the web-text model lacks.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["CharContext", "ContextTable", "TableFormatError"]

DEFAULT_TABLE = "context_zh.tsv.gz"
DEFAULT_CHAR_TABLE = "char_context_zh.tsv.gz"
#: Byte values the damage drops (kept equal to ``encoding_repair.LOST_BYTES``).
_LOST = frozenset({0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD})


class TableFormatError(ValueError):
    """A context table file that does not follow the format; names the file and line."""


class ContextTable:
    """Word unigrams and PMI of adjacent word pairs; immutable after construction.

    ``pmi(h, w)`` is the listed value, else ``log bow(h)`` for a word ``h`` of the table,
    else 0.0 (nothing known). Each word's list of followers is parsed on first use, so that
    loading the shipped table costs little more than reading it.
    """

    __slots__ = ("_parsed", "_rows", "_source")

    def __init__(
        self,
        rows: Mapping[str, tuple[float, float, Mapping[str, float]]],
        *,
        source: str = "<table>",
    ) -> None:
        """Wrap ``rows``: word -> (log P(word), log bow(word), follower -> PMI)."""
        self._rows: dict[str, tuple[float, float, str]] = {}
        self._parsed: dict[str, Mapping[str, float]] = {}
        for word, (logp, bow, followers) in rows.items():
            self._rows[word] = (logp, bow, "")
            self._parsed[word] = dict(followers)
        self._source = source

    @classmethod
    def empty(cls) -> ContextTable:
        """A table that knows nothing (no words; every pair scores 0.0)."""
        return cls({})

    @classmethod
    def from_lines(cls, lines: Iterable[str], source: str = "<table>") -> ContextTable:
        """Parse the text format written by ``scripts/build_context_table.py``.

        ``#`` lines are comments; every other line is ``w, log P(w), log bow(w), (follower,
        pmi)*`` separated by tabs, numbers in tenths of a nat. Raises
        :class:`TableFormatError` naming ``source`` and the line on a malformed word entry
        (followers are checked when first used; see :meth:`pmi`).
        """
        table = cls({}, source=source)
        rows = table._rows
        for number, line in enumerate(lines, start=1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t", 3)
            try:
                if len(fields) < 3 or not fields[0]:
                    raise ValueError("expected a word, log P and log bow")
                rest = fields[3] if len(fields) > 3 else ""
                rows[fields[0]] = (int(fields[1]) / 10, int(fields[2]) / 10, f"{number}\t{rest}")
            except ValueError as error:
                raise TableFormatError(f"{source}:{number}: {error}") from None
        return table

    @classmethod
    def from_file(cls, path: str | Path) -> ContextTable:
        """Load a table file (gzip-compressed if its name ends in ``.gz``)."""
        path = Path(path)
        return cls.from_lines(_read_table_text(path).splitlines(), str(path))

    @classmethod
    def default(cls) -> ContextTable:
        """The table shipped with kbtool (loaded once per process, then cached)."""
        return _default_table()

    def __len__(self) -> int:
        """Number of words in the table."""
        return len(self._rows)

    def unigrams(self) -> dict[str, float]:
        """Natural-log unigram probability of every word in the table."""
        return {word: row[0] for word, row in self._rows.items()}

    def followers(self, history: str) -> Mapping[str, float]:
        """The listed followers of ``history`` with their PMI (empty if none)."""
        found = self._parsed.get(history)
        if found is None:
            row = self._rows.get(history)
            found = self._parse(history, row[2]) if row is not None else {}
            self._parsed[history] = found
        return found

    def pmi(self, history: str, word: str) -> float:
        """PMI (nats) of ``word`` right after ``history``; 0.0 when ``history`` is unknown."""
        row = self._rows.get(history)
        if row is None:
            return 0.0
        return self.followers(history).get(word, row[1])

    def _parse(self, history: str, packed: str) -> dict[str, float]:
        number, _, rest = packed.partition("\t")
        if not rest:
            return {}
        fields = rest.split("\t")
        try:
            if len(fields) % 2:
                raise ValueError(f"odd number of follower fields after {history!r}")
            values = (int(value) / 10 for value in fields[1::2])
            return dict(zip(fields[0::2], values, strict=True))
        except ValueError as error:
            raise TableFormatError(f"{self._source}:{number}: {error}") from None


@cache
def _default_table() -> ContextTable:
    with resources.as_file(resources.files("kbtool.repair") / "data" / DEFAULT_TABLE) as path:
        return ContextTable.from_file(path)


def _read_table_text(path: Path) -> str:
    try:
        if path.suffix == ".gz":
            return gzip.decompress(path.read_bytes()).decode("utf-8")
        return path.read_text(encoding="utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise TableFormatError(f"{path}: cannot read context table: {error}") from None


def lossy(char: str) -> bool:
    """Whether the damage can drop one of ``char``'s UTF-8 bytes (its reading can be in doubt)."""
    return any(byte in _LOST for byte in char.encode("utf-8")[1:])


class CharContext:
    """Smoothed PMI of adjacent characters, from character and pair counts.

    ``pmi(a, b) = log((c(ab) + m) / (E + m))`` with ``E = c(a) c(b) / N`` the count expected
    by chance and ``m`` the smoothing: a pair seen more often than chance scores positive, a
    pair of common characters never seen scores negative, rare characters score about 0.
    Only pairs with a :func:`lossy` character are counted (others cannot differ between
    readings), so any other pair scores 0.0.
    """

    __slots__ = ("_cache", "_chars", "_pairs", "_smoothing", "_total")

    def __init__(
        self,
        chars: Mapping[str, int],
        pairs: Mapping[str, int],
        total: int,
        *,
        smoothing: float = 1.0,
    ) -> None:
        """Wrap counts of characters, of two-character ``pairs``, and the total count."""
        self._chars = dict(chars)
        self._pairs = dict(pairs)
        self._total = max(total, 1)
        self._smoothing = smoothing
        self._cache: dict[tuple[str, str], float] = {}

    @classmethod
    def empty(cls) -> CharContext:
        """A table that knows nothing (every pair scores 0.0)."""
        return cls({}, {}, 0)

    @classmethod
    def from_lines(
        cls, lines: Iterable[str], source: str = "<table>", *, smoothing: float = 1.0
    ) -> CharContext:
        """Parse the format written by ``scripts/build_char_table.py``.

        ``#`` lines are comments; ``*<TAB>N`` gives the total; every other line is a
        character or a pair of characters and its count. Raises :class:`TableFormatError`
        naming ``source`` and the line otherwise.
        """
        chars: dict[str, int] = {}
        pairs: dict[str, int] = {}
        total = 0
        for number, line in enumerate(lines, start=1):
            if line.startswith("#") or not line.strip():
                continue
            key, _, value = line.rstrip("\n").partition("\t")
            try:
                if key == "*":
                    total = int(value)
                elif len(key) == 1:
                    chars[key] = int(value)
                elif len(key) == 2:
                    pairs[key] = int(value)
                else:
                    raise ValueError(f"expected one or two characters, found {key!r}")
            except ValueError as error:
                raise TableFormatError(f"{source}:{number}: {error}") from None
        return cls(chars, pairs, total, smoothing=smoothing)

    @classmethod
    def from_file(cls, path: str | Path) -> CharContext:
        """Load a table file (gzip-compressed if its name ends in ``.gz``)."""
        path = Path(path)
        return cls.from_lines(_read_table_text(path).splitlines(), str(path))

    @classmethod
    def default(cls) -> CharContext:
        """The table shipped with kbtool (loaded once per process, then cached)."""
        return _default_char_table()

    def __len__(self) -> int:
        """Number of counted pairs."""
        return len(self._pairs)

    def pmi(self, first: str, second: str) -> float:
        """Smoothed PMI (nats) of ``second`` right after ``first``."""
        key = (first, second)
        found = self._cache.get(key)
        if found is None:
            if lossy(first) or lossy(second):
                expected = self._chars.get(first, 0) * self._chars.get(second, 0) / self._total
                seen = self._pairs.get(first + second, 0)
                m = self._smoothing
                found = math.log((seen + m) / (expected + m))
            else:
                found = 0.0
            self._cache[key] = found
        return found


@cache
def _default_char_table() -> CharContext:
    with resources.as_file(resources.files("kbtool.repair") / "data" / DEFAULT_CHAR_TABLE) as path:
        return CharContext.from_file(path)
