"""Repairing a text: :func:`repair_text` and what it reports (:class:`RepairResult`)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from kbtool.repair.context_table import CharContext, ContextTable
from kbtool.repair.lattice import PairScorer, Reading, decode, segment
from kbtool.repair.lexicon import Lexicon
from kbtool.repair.mojibake import Run, find_runs, looks_damaged

#: An uncertain restoration is written as ``MARK_OPEN + best guess + MARK_CLOSE``.
MARK_OPEN = "⟦"
MARK_CLOSE = "⟧"
#: Minimum log-probability lead (in nats) of the chosen reading over the best alternative for a
#: restoration to count as confident; ``4.0`` means the chosen reading is ~55 times likelier.
CONFIDENCE_MARGIN = 4.0


@dataclass(frozen=True)
class UncertainChar:
    """A damaged character whose reading was not confident; it is marked in the output."""

    line: int  #: 1-based line number (lines are the same in the input and the output)
    column: int  #: 1-based column of the guess in the repaired line (markers count)
    guess: str  #: the reading written between the markers (the most probable one)
    alternatives: tuple[str, ...]  #: next most probable readings, best first (at most 3)
    mojibake: str  #: the damaged characters in the input that were read


@dataclass(frozen=True)
class RepairResult:
    """Repaired text and what the repair did.

    Counts are of mojibake *runs* (maximal sequences of characters that render UTF-8 bytes
    >= 0x80) and of damaged *characters* (original characters that lost bytes). Every damaged
    character is exactly one of: restored uniquely, restored by lexicon choice, or uncertain.
    """

    text: str
    mojibake_runs: int = 0  #: runs decoded back to UTF-8
    damaged_runs: int = 0  #: runs in which at least one byte was lost
    damaged_chars: int = 0  #: characters that had lost bytes
    restored_unique: int = 0  #: damaged characters with a single valid reading
    restored_by_lexicon: int = 0  #: damaged characters chosen by the lexicon with confidence
    uncertain: tuple[UncertainChar, ...] = ()  #: damaged characters marked as uncertain
    skipped_runs: int = 0  #: look-alike runs left unchanged (not parseable as damaged UTF-8)

    @property
    def uncertain_count(self) -> int:
        """Number of characters marked as uncertain."""
        return len(self.uncertain)

    @property
    def uncertain_lines(self) -> tuple[int, ...]:
        """Sorted distinct line numbers that contain marked characters."""
        return tuple(sorted({u.line for u in self.uncertain}))


def repair_text(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    assume_damaged: bool | None = None,
    context: ContextTable | None = None,
    char_context: CharContext | None = None,
) -> RepairResult:
    """Undo the mojibake in ``text``, restoring lost bytes where the evidence allows.

    Promises:

    * characters outside mojibake runs (ASCII, CJK, emoji, any character that is not a
      cp1254/cp1252 rendering of a UTF-8 byte) are copied unchanged, and so are runs that do
      not parse as damaged UTF-8; line breaks are never added or removed;
    * if ``text`` shows no evidence of mojibake (see ``assume_damaged``) it is returned as is;
    * every damaged character is restored to a candidate consistent with the damage model
      (lost bytes are among :data:`~kbtool.repair.mojibake.LOST_BYTES`); when the best
      reading does not beat every alternative by :data:`CONFIDENCE_MARGIN` nats it is
      written as ``⟦guess⟧`` and listed in :attr:`RepairResult.uncertain`, never silently
      guessed.

    ``lexicon`` defaults to jieba's dictionary; the document's own vocabulary (segmented
    from the characters that are certain) is learned on top of it. ``assume_damaged=None``
    detects mojibake from the text (a complete 3- or 4-byte character such as ``ï¼Œ``);
    ``True``/``False`` forces the decision. ``context`` scores adjacent word pairs (default:
    :meth:`ContextTable.default`, the table shipped with kbtool) and ``char_context``
    adjacent characters (default: :meth:`CharContext.default`, technical Chinese).
    """
    runs, skipped = find_runs(text)
    damaged_doc = looks_damaged(runs) if assume_damaged is None else assume_damaged
    if not runs or not damaged_doc:
        return RepairResult(text, skipped_runs=skipped)

    base = lexicon if lexicon is not None else Lexicon.default()
    newline_offsets = [i for i, c in enumerate(text) if c == "\n"]
    lines = [bisect_right(newline_offsets, run.start) + 1 for run in runs]
    table = context if context is not None else ContextTable.default()
    chars = char_context if char_context is not None else CharContext.default()
    segments = _certain_segments(_certain_text(text, runs), base)
    vocabulary = base.learn(word for segment in segments for word in segment)
    readings = _decode_lines(runs, lines, vocabulary, PairScorer(table, chars))

    pieces: list[str] = []
    out_len = 0
    line_start = 0  # output offset where the current line starts
    uncertain: list[UncertainChar] = []
    damaged_runs = damaged_chars = unique = by_lexicon = 0
    cursor = 0

    def emit(piece: str) -> None:
        nonlocal out_len, line_start
        pieces.append(piece)
        newline = piece.rfind("\n")
        if newline >= 0:
            line_start = out_len + newline + 1
        out_len += len(piece)

    for index, run in enumerate(runs):
        emit(text[cursor : run.start])
        cursor = run.end
        if not any(run.damaged):
            emit("".join(slot[0] for slot in run.slots))
            continue
        damaged_runs += 1
        reading = readings[index]
        assert reading is not None
        best, margins, rivals = reading
        line = lines[index]
        open_mark = False
        for i, char in enumerate(best):
            sure = True
            if run.damaged[i]:
                damaged_chars += 1
                if len(run.slots[i]) == 1:
                    unique += 1
                elif margins[i] >= CONFIDENCE_MARGIN:
                    by_lexicon += 1
                else:
                    sure = False
            if not sure and not open_mark:
                emit(MARK_OPEN)
                open_mark = True
            elif sure and open_mark:
                emit(MARK_CLOSE)
                open_mark = False
            if not sure:
                column = out_len - line_start + 1
                uncertain.append(UncertainChar(line, column, char, rivals[i], run.sources[i]))
            emit(char)
        if open_mark:
            emit(MARK_CLOSE)
    emit(text[cursor:])
    return RepairResult(
        text="".join(pieces),
        mojibake_runs=len(runs),
        damaged_runs=damaged_runs,
        damaged_chars=damaged_chars,
        restored_unique=unique,
        restored_by_lexicon=by_lexicon,
        uncertain=tuple(uncertain),
        skipped_runs=skipped,
    )


_GAP = "\0"


def _certain_text(text: str, runs: list[Run]) -> str:
    """``text`` with its mojibake runs decoded where the reading is certain and every ambiguous
    character replaced by :data:`_GAP`: the text known to be right, to learn vocabulary from."""
    pieces: list[str] = []
    cursor = 0
    for run in runs:
        pieces.append(text[cursor : run.start])
        pieces.extend(slot[0] if len(slot) == 1 else _GAP for slot in run.slots)
        cursor = run.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _certain_segments(certain: str, lexicon: Lexicon) -> list[list[str]]:
    """Words of the certain text: each stretch of non-ASCII characters, segmented.

    A word next to a gap is dropped: it may be the rest of a word cut by the gap (段 of 字段
    when 字 is ambiguous), and learning it as a word of its own would make the document
    seem to favour exactly the wrong readings next to damaged characters.
    """
    segments: list[list[str]] = []
    for match in re.finditer(r"[^\x00-\x7f\s]+", certain):
        words = segment(match.group(), lexicon)
        if match.start() > 0 and certain[match.start() - 1] == _GAP:
            words = words[1:]
        if match.end() < len(certain) and certain[match.end()] == _GAP:
            words = words[:-1]
        if words:
            segments.append(words)
    return segments


def _decode_lines(
    runs: list[Run], lines: list[int], lexicon: Lexicon, pairs: PairScorer
) -> list[Reading | None]:
    """Read every damaged run, decoding all the runs of a line as one lattice.

    Runs on one line are separated by ASCII text (spaces, code, ``%s``); decoding them
    together lets the words on either side of it inform each other, and lets a bracket be
    read by its partner in another run. Runs without lost bytes get ``None``.
    """
    readings: list[Reading | None] = [None] * len(runs)
    first = 0
    while first < len(runs):
        last = first
        while last + 1 < len(runs) and lines[last + 1] == lines[first]:
            last += 1
        group = range(first, last + 1)
        if any(any(runs[i].damaged) for i in group):
            slots: list[tuple[str, ...]] = []
            starts: list[int] = []
            for i in group:
                starts.append(len(slots))
                slots.extend(runs[i].slots)
            best, margins, rivals = decode(slots, lexicon, ("", ""), pairs, frozenset(starts[1:]))
            for i, begin in zip(group, starts, strict=True):
                end = begin + len(runs[i].slots)
                if any(runs[i].damaged):
                    readings[i] = (best[begin:end], margins[begin:end], rivals[begin:end])
        first = last + 1
    return readings
