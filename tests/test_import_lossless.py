"""Nothing is silently lost: every non-empty line of all five seeds is accounted for.

For every line of every seed (after the encoding repair, which keeps lines as they are):
it is blank; or markup only (``</details>``, ``---``: no words in it); or in the report's
list of deliberately skipped lines, with a reason; or its text is in the note or topic
text the report says it went to. "Its text is in" is checked on the written files
themselves: the line's letters and digits (any script; markup, punctuation, spacing and
URL schemes ignored) appear in that order in the file. A heading that became a note's
title must equal that note's title, and its link the note's arXiv id.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kbtool.core.note import parse_note
from kbtool.importers.model import LineUse
from tests.support.seeds import SEEDS, ImportedSeeds, repaired_seed

_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def fingerprint(text: str) -> str:
    """Letters and digits only, lower case; HTML tags (escaped too) and URL schemes dropped."""
    text = _SCHEME.sub("", _TAG.sub("", html.unescape(text)))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@pytest.fixture(scope="module")
def repaired_variants() -> dict[str, set[str]]:
    """Each raw seed line → the fingerprints of its repairs in every seed that holds it.

    File 001 is a copy of part of 000; the note holds one copy of such a passage, as the
    repair read it in one file, and may read a damaged character differently in another.
    """
    variants: dict[str, set[str]] = {}
    for seed in SEEDS:
        raw, repaired = repaired_seed(seed)
        for line, fixed in zip(raw.split("\n"), repaired.split("\n"), strict=True):
            variants.setdefault(line.strip(), set()).add(fingerprint(fixed))
    return variants


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_every_line_is_in_a_note_a_topic_text_or_skipped_with_a_reason(
    imported_seeds: ImportedSeeds, repaired_variants: dict[str, set[str]], seed: Path
) -> None:
    root, report = imported_seeds.root, imported_seeds.report
    raw, repaired = repaired_seed(seed)
    raw_lines = raw.split("\n")
    lines = repaired.split("\n")
    uses = report.uses[seed.name]
    destinations = report.destinations[seed.name]
    (file_report,) = [f for f in report.files if f.name == seed.name]
    skipped = {s.line: s for s in file_report.skipped_lines}
    texts: dict[str, str] = {}

    def written(path: str) -> str:
        if path not in texts:
            texts[path] = fingerprint((root / path).read_text(encoding="utf-8"))
        return texts[path]

    checked = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        use = uses.get(number)
        assert use is not None, f"{seed.name}:{number} is not accounted for: {line!r}"
        words = fingerprint(line)
        if use is LineUse.MARKUP:
            assert words == "", f"{seed.name}:{number} called markup but has text: {line!r}"
            continue
        if use is LineUse.SKIPPED:
            assert number in skipped and skipped[number].reason, f"{seed.name}:{number}"
            assert skipped[number].text == line
            continue
        targets = destinations.get(number, ())
        assert targets, f"{seed.name}:{number} went nowhere: {line!r}"
        if use is LineUse.TITLE:
            (target,) = targets
            note = parse_note((root / target).read_bytes(), target)
            assert fingerprint(note.title) in words, f"{seed.name}:{number} vs {target}"
            if note.arxiv_id is not None and "arxiv" in line:
                assert fingerprint(note.arxiv_id.base) in words
        elif use is LineUse.CONTEXT:
            assert any(words in written(t) for t in targets), f"{seed.name}:{number} {line!r}"
        else:
            readings = {words} | repaired_variants[raw_lines[number - 1].strip()]
            for target in targets:
                assert any(w in written(target) for w in readings), (
                    f"{seed.name}:{number} not in {target}: {line!r}"
                )
        checked += 1
    assert checked > 0


def test_skipped_lines_are_few_and_explained(imported_seeds: ImportedSeeds) -> None:
    report = imported_seeds.report
    reasons = {f.name: {s.reason for s in f.skipped_lines} for f in report.files}
    assert reasons["004_02f32a247155a116.txt"] == {
        "the digest bot's own set-up text",
    }
    skipped = {f.name: len(f.skipped_lines) for f in report.files}
    # 000/001: the file title and an empty section; 002: two file-level titles;
    # 003: title, preamble, a commented-out entry, empty sections; 004: the bot's set-up.
    assert skipped == {
        "000_5d12a05c003c2611.txt": 2,
        "001_c7c9bcd0b8655519.txt": 2,
        "002_9e0ac7a3b9bc28b9.txt": 2,
        "003_cf0bf9a65bc717fa.txt": 8,
        "004_02f32a247155a116.txt": 41,
    }
