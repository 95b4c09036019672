"""The damage model: UTF-8 bytes rendered as Windows-1254/1252 characters, some bytes lost.

Which characters stand for which bytes, the characters a damaged byte group can have
been (:func:`candidates`), and the runs of mojibake in a text (:func:`find_runs`).
See :mod:`kbtool.repair` for the whole method.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import combinations, product

#: Byte values that the damage removed; a missing byte is always one of these.
LOST_BYTES: frozenset[int] = frozenset({0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD})

_LOST_SORTED = tuple(sorted(LOST_BYTES))


def _build_byte_map() -> dict[str, int]:
    """Characters that are a Windows-1254/1252 (or Latin-1) rendering of a UTF-8 byte >= 0x80.

    Only bytes that can occur in UTF-8 are included (continuations 0x80-0xBF, leads 0xC2-0xF4),
    so characters such as ``ü`` (0xFC) or ``ı`` (0xFD) end a run instead of poisoning it.
    """
    mapping: dict[str, int] = {}
    for byte in [*range(0x80, 0xC0), *range(0xC2, 0xF5)]:
        for codec in ("cp1254", "cp1252", "latin-1"):
            try:
                mapping.setdefault(bytes([byte]).decode(codec), byte)
            except UnicodeDecodeError:
                continue
    return mapping


_BYTE_OF: dict[str, int] = _build_byte_map()
_RUN_RE = re.compile("[" + "".join(sorted(_BYTE_OF)) + "]+")


def damage_text(text: str) -> str:
    """Damage ``text`` exactly the way the seed notes were damaged (for tests and benchmarks).

    UTF-8 encode, decode as Windows-1254 dropping the undefined bytes, drop soft hyphens.
    """
    return text.encode("utf-8").decode("cp1254", errors="ignore").replace("\xad", "")


def _utf8_length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _allowed(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cn", "Co", "Cs")


@cache
def _candidates(group: bytes) -> tuple[str, ...]:
    """Characters the byte group (a lead byte and the continuation bytes that survived) can be.

    A complete group decodes to itself; an incomplete one yields every assigned, non-control
    character obtained by inserting lost byte values at the missing positions. Empty if none.
    """
    size = _utf8_length(group[0])
    missing = size - len(group)
    if missing < 0:
        return ()
    if missing == 0:
        try:
            return (group.decode("utf-8"),)
        except UnicodeDecodeError:
            return ()
    tail = list(group[1:])
    found: set[str] = set()
    for slots in combinations(range(size - 1), missing):
        for values in product(_LOST_SORTED, repeat=missing):
            inserted = dict(zip(slots, values, strict=True))
            rest = iter(tail)
            cont = [inserted[i] if i in inserted else next(rest) for i in range(size - 1)]
            try:
                char = bytes([group[0], *cont]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _allowed(char):
                found.add(char)
    return tuple(sorted(found))


def _groups(raw: bytes) -> list[bytes] | None:
    """Split mojibake bytes (starting with a lead byte) into one group per lead byte."""
    groups: list[bytearray] = []
    for byte in raw:
        if byte >= 0xC0:
            groups.append(bytearray([byte]))
        elif groups:
            groups[-1].append(byte)
        else:
            return None
    return [bytes(g) for g in groups]


@dataclass
class Run:
    start: int  # offset in the input
    sources: list[str]  # the mojibake characters of each group
    slots: list[tuple[str, ...]]  # candidate readings of each group
    damaged: list[bool]  # whether each group lost bytes

    @property
    def end(self) -> int:
        """Offset in the input just after the run."""
        return self.start + sum(len(source) for source in self.sources)


def find_runs(text: str) -> tuple[list[Run], int]:
    """Mojibake runs of ``text`` that parse as (possibly damaged) UTF-8, and how many did not."""
    runs: list[Run] = []
    skipped = 0
    for match in _RUN_RE.finditer(text):
        chars = match.group()
        lead = 0  # continuation bytes cannot start a character: leave them as they are
        while lead < len(chars) and _BYTE_OF[chars[lead]] < 0xC0:
            lead += 1
        if lead == len(chars):
            continue
        start = match.start() + lead
        groups = _groups(bytes(_BYTE_OF[c] for c in chars[lead:]))
        assert groups is not None
        slots = [_candidates(group) for group in groups]
        if not all(slots) or _genuine_letter(text, start, groups):
            skipped += 1
            continue
        sources: list[str] = []
        offset = lead
        for group in groups:
            sources.append(chars[offset : offset + len(group)])
            offset += len(group)
        damaged = [len(g) < _utf8_length(g[0]) for g in groups]
        runs.append(Run(start, sources, slots, damaged))
    return runs, skipped


def _genuine_letter(text: str, start: int, groups: list[bytes]) -> bool:
    """Whether a run is a lone accented letter better left alone than read as damage.

    A lone lead byte without any continuation byte is either a character that lost all of
    them or a genuine Latin-1 letter in text that was never damaged. The seeds never show a
    two-byte character (``Ã`` + lost byte) losing its only continuation byte, so lone
    ``Â``-``ß`` are left alone; a lone ``à``-``ï`` (a CJK lead byte) is read as damage, as in
    ``SFTåI2V`` (后) or ``**é Transformer`` (非), except next to a lowercase ASCII letter, as
    in ``café`` or ``été`` (the only two lone ones in the seeds are not).
    """
    if len(groups) != 1 or len(groups[0]) != 1:
        return False
    if groups[0][0] < 0xE0:
        return True
    around = text[max(start - 1, 0) : start] + text[start + 1 : start + 2]
    return any(c.isascii() and c.islower() for c in around)


def looks_damaged(runs: list[Run]) -> bool:
    """Evidence of mojibake: some complete 3- or 4-byte character, e.g. ``ï¼Œ`` for ``，``.

    Genuine Latin-1 text virtually never spells a lead byte followed by two or three
    continuation bytes, so a text without any is treated as clean.
    """
    return any(
        len(source) >= 3 and not damaged
        for run in runs
        for source, damaged in zip(run.sources, run.damaged, strict=True)
    )
