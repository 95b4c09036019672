"""Does a note's title name the paper its id points at? A test lenient enough for short names.

Researchers title notes by a paper's short name ("LongLoRA", "PRM-800k", "DPO -
Q-function") as often as by its full title, so a name *matches* a paper's title
when any of these holds (case, accents, punctuation and spacing ignored):

* the name, squeezed to letters and digits, occurs in the title squeezed the
  same way (``webvid10M`` in "WebVid-10M: …", ``Stable-Video-Diffusion``);
* at least half of the name's words occur among the title's words (a plural
  ``s`` ignored; words of one letter and stop words do not count);
* the name is one short word whose letters are, in order, initials of the
  title's words (``CMD`` for "… Content-frame Motion-latent Decomposition").

The paper's abstract, when the note has one from arXiv, counts as part of its
title (it names datasets and methods the title does not). A title such as
``arXiv 2405.09673`` names no paper and is not tested. A title made of several
names joined by `` / `` (the importer's way to record that two sources named
one link differently) is tested name by name: each must match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: A title that is only an arXiv id (``arXiv 2405.09673``): it names no paper.
_PLACEHOLDER = re.compile(
    r"(?:arxiv\s*:?\s*)?(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)
_STOP_WORDS = """
a an and are as at be by for from in into is it of on or the to via vs with without
we our its all can do does not
"""
_STOP = frozenset(_STOP_WORDS.split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _split_words(words: Sequence[str]) -> set[str]:
    """Words, plus the parts of words that mix letters and digits (``webvid10m`` → webvid, 10m)."""
    found: set[str] = set()
    for word in words:
        found.add(_stem(word))
        for part in re.findall(r"[^\W\d_]+|\d+[^\W\d_]*", word):
            found.add(_stem(part))
    return found


def _is_initials(name: str, title_words: Sequence[str]) -> bool:
    letters = [w[0] for w in title_words if w and not w[0].isdigit()]
    position = 0
    for char in name:
        while position < len(letters) and letters[position] != char:
            position += 1
        if position == len(letters):
            return False
        position += 1
    return True


def name_matches(name: str, title: str, context: str = "") -> bool:
    """Whether the note name ``name`` plausibly names the paper titled ``title``.

    ``context`` is further text about the paper (its abstract). See the module docstring.
    """
    name_words = _words(name)
    if not name_words:
        return True
    title_words = _words(title)
    haystack = title_words + _words(context)
    squeezed_name = "".join(name_words)
    if squeezed_name in "".join(title_words) or (context and squeezed_name in "".join(haystack)):
        return True
    counted = [w for w in _split_words(name_words) if len(w) > 1 and w not in _STOP]
    available = _split_words(haystack)
    if counted and 2 * sum(1 for w in counted if w in available) >= len(counted):
        return True
    short = len(name_words) == 1 and 2 <= len(squeezed_name) <= 8 and squeezed_name.isalpha()
    return short and _is_initials(squeezed_name, title_words)


def unmatched_names(note_title: str, s2_title: str, context: str = "") -> list[str]:
    """The names in ``note_title`` (split at `` / ``) that do not name ``s2_title``'s paper."""
    if not s2_title.strip() or _PLACEHOLDER.fullmatch(note_title.strip()):
        return []
    names = [part.strip() for part in note_title.split(" / ") if part.strip()]
    return [name for name in names if not name_matches(name, s2_title, context)]
