"""How text becomes search terms: the same rules at build time (here) and in the browser.

``assets/search-tokens.js`` implements these rules again for queries, and a test
runs both on the same strings: a term the index holds is a term a query can ask for.

- **Normalised** first: the encoding repair's ``⟦…⟧`` marks are dropped (their
  characters kept), then Unicode NFKC (full-width ``ＡＢＣ１２３`` reads as ``ABC123``),
  then lower case.
- **Chinese and Japanese** (Han ideographs, kana) run together without spaces, so a
  run of ``n`` characters is indexed as its ``n`` characters *and* its ``n - 1``
  character pairs (bigrams), one position per character. A query of two or more
  characters is asked as its bigrams at consecutive positions, so any substring of
  the text matches exactly and nothing else does; one character is asked as itself.
  No dictionary is involved, so the build and the browser cannot disagree on where
  words end.
- **Everything else** (letters and digits of any script) is read as words. Words joined
  by ``- _ . / ' ’ + &`` without spaces form one compound (``T2V-Turbo-v2``,
  ``2602.05774v2``, ``text-to-video``, ``kv_cache``): the compound is indexed whole,
  and each part at its own consecutive position, so ``text to video`` and
  ``text-to-video`` find each other and ``2602.05774`` is one exact term. An arXiv id
  with a version is indexed without it as well. Letters and digits are never split
  apart, and neither is camelCase: ``FastGen``, ``LongLoRA`` and ``t2v`` are one term each.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

#: Han ideographs (with 々 and 〇) and kana: scripts written without spaces between words.
CJK_RANGES = (
    "\u3005\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
)
#: Characters that join words into one compound when nothing separates them.
JOINERS = "-_./'\u2019+&"

_WORD_CHAR = rf"[^\W_{CJK_RANGES}]"  # a letter or digit (Unicode L or N), not CJK
_TOKEN = re.compile(rf"([{CJK_RANGES}]+)|({_WORD_CHAR}+(?:[{re.escape(JOINERS)}]{_WORD_CHAR}+)*)")
_JOINER = re.compile(rf"[{re.escape(JOINERS)}]")
_VERSIONED_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})v\d+$")


def normalize(text: str) -> str:
    """``text`` as terms are read from it: repair marks dropped, NFKC, lower case."""
    if "⟦" in text or "⟧" in text:
        text = text.replace("⟦", "").replace("⟧", "")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def add_terms(
    text: str, terms: dict[str, list[int]], chars: Counter[str], position: int = 0
) -> int:
    """Add the terms of ``text``, from ``position`` on: to ``terms`` (term → positions) all
    but single CJK characters, which ``chars`` counts (only their number is ever asked).

    Returns the position after the last term. Positions count characters of
    CJK runs and parts of words; a compound and its first part share one.
    :func:`tokenize` lists the same terms one by one.
    """
    # The hottest loop of the index build: written for CPython's speed.
    get = terms.get
    for run, word in _TOKEN.findall(normalize(text)):
        if word:
            if word.isalnum():  # no joiner: a plain word
                found = get(word)
                if found is None:
                    terms[word] = [position]
                else:
                    found.append(position)
                position += 1
                continue
            terms.setdefault(word, []).append(position)
            unversioned = _VERSIONED_ARXIV.match(word)
            if unversioned is not None:
                terms.setdefault(unversioned[1], []).append(position)
            for part in _JOINER.split(word):
                terms.setdefault(part, []).append(position)
                position += 1
            continue
        chars.update(run)
        for offset in range(len(run) - 1):
            bigram = run[offset : offset + 2]
            found = get(bigram)
            if found is None:
                terms[bigram] = [position + offset]
            else:
                found.append(position + offset)
        position += len(run)
    return position


def tokenize(text: str) -> list[tuple[str, int]]:
    """Every (term, position) of ``text``, in the order the browser's ``tokenize`` lists them.

    The plain statement of the rules that :func:`add_terms` implements for speed.
    """
    found: list[tuple[str, int]] = []
    position = 0
    for run, word in _TOKEN.findall(normalize(text)):
        if run:
            for offset, char in enumerate(run):
                if offset + 1 < len(run):
                    found.append((run[offset : offset + 2], position + offset))
                found.append((char, position + offset))
            position += len(run)
            continue
        parts = _JOINER.split(word)
        if len(parts) > 1:
            found.append((word, position))
            unversioned = _VERSIONED_ARXIV.match(word)
            if unversioned is not None:
                found.append((unversioned[1], position))
        for part in parts:
            found.append((part, position))
            position += 1
    return found


def atoms(text: str) -> Iterator[str]:
    """The smallest pieces of ``text``: each CJK character and each part of each word."""
    for run, word in _TOKEN.findall(normalize(text)):
        yield from run or _JOINER.split(word)


def canonical(text: str) -> str:
    """``text`` reduced to its atoms joined by spaces: how exact names are compared.

    ``T2V-Turbo-v2``, ``t2v turbo v2`` and ``T2V Turbo-V2`` all read ``t2v turbo v2``.
    """
    return " ".join(atoms(text))
