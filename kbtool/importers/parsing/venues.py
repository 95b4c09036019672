"""Venues and tags from the sources' bracketed labels: ``[ICLR24]``, ``[NIPS 24 spotlight]``…

A label is a venue when it is a known conference or journal followed by a year, in any of
the spellings the sources use (``ICLR24``, ``ICLR 2024``, ``CVPR 24``, ``ASPLOS'24``,
``NIPS 2024``). The venue is normalised to the official name and a four-digit year
(``NIPS`` → ``NeurIPS``, ``24`` → ``2024``); a presentation type after it (oral, spotlight,
best paper…) becomes a tag; "workshop" and "findings" stay part of the venue. Preprint
labels (``Arxiv 2024``) are not venues. Any other label becomes a tag, hyphenated and, when
it is all ASCII, lower-case (``Next-Token Prediction`` → ``next-token-prediction``); a
label saying the paper is under review (``ICLR在投``) becomes the tag ``under-review``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Spelling (case-insensitive) → official venue name.
VENUE_NAMES: dict[str, str] = {
    name.casefold(): official
    for official, spellings in {
        "NeurIPS": ("NeurIPS", "NIPS"),
        "ICLR": ("ICLR",),
        "ICML": ("ICML",),
        "CVPR": ("CVPR",),
        "ICCV": ("ICCV",),
        "ECCV": ("ECCV",),
        "WACV": ("WACV",),
        "ACL": ("ACL",),
        "NAACL": ("NAACL",),
        "EMNLP": ("EMNLP",),
        "COLING": ("COLING",),
        "COLM": ("COLM",),
        "AAAI": ("AAAI",),
        "IJCAI": ("IJCAI",),
        "KDD": ("KDD",),
        "SIGGRAPH": ("SIGGRAPH",),
        "SIGGRAPH Asia": ("SIGGRAPH-Asia",),
        "TPAMI": ("TPAMI", "PAMI"),
        "TMLR": ("TMLR",),
        "JMLR": ("JMLR",),
        "MLSys": ("MLSys",),
        "ASPLOS": ("ASPLOS",),
        "OSDI": ("OSDI",),
        "SOSP": ("SOSP",),
        "EuroSys": ("EuroSys",),
        "ISCA": ("ISCA",),
        "MICRO": ("MICRO",),
        "HPCA": ("HPCA",),
        "SC": ("SC",),
        "PPoPP": ("PPoPP",),
        "ICASSP": ("ICASSP",),
        "Interspeech": ("Interspeech",),
        "AISTATS": ("AISTATS",),
        "UAI": ("UAI",),
        "CoRL": ("CoRL",),
        "ICRA": ("ICRA",),
        "IROS": ("IROS",),
    }.items()
    for name in spellings
}
#: Labels that say "preprint", not a venue.
PREPRINT_NAMES = frozenset({"arxiv", "preprint"})
#: Words after the year that describe how the paper was presented: they become tags.
PRESENTATION_TAGS: dict[str, str] = {
    "oral": "oral",
    "spotlight": "spotlight",
    "poster": "poster",
    "highlight": "highlight",
    "best paper": "best-paper",
    "outstanding paper": "best-paper",
}
#: Words after the year that are part of the venue's name.
VENUE_SUFFIXES: dict[str, str] = {"workshop": "Workshop", "findings": "Findings"}
#: Labels (case-insensitive) that are a fixed tag.
TAG_LABELS: dict[str, str] = {"report": "technical-report", "tech report": "technical-report"}

_VENUE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z-]*?)\s*['’]?\s*(?P<year>\d{4}|\d{2})\b(?P<rest>.*)$", re.DOTALL
)
_UNDER_REVIEW = re.compile(r"在投|under review|submitted", re.IGNORECASE)


@dataclass(frozen=True)
class LabelMeaning:
    """What a bracketed label says: a venue, tags, or nothing kbtool records."""

    venue: str | None = None
    tags: tuple[str, ...] = ()


def normalize_tag(text: str) -> str:
    """A tag as the notes spell them: words joined by ``-``, lower case (if all ASCII)."""
    tag = re.sub(r"[\s_]+", "-", text.strip().strip("[]").strip())
    return tag.lower() if tag.isascii() else tag


def parse_venue(text: str) -> LabelMeaning | None:
    """The venue (and presentation tags) ``text`` names, or None when it names no venue."""
    match = _VENUE.match(text.strip())
    if match is None:
        return None
    name = match["name"].casefold()
    year = match["year"]
    if len(year) == 2:
        year = "20" + year
    rest = match["rest"].strip().casefold()
    if name in PREPRINT_NAMES:
        return LabelMeaning()
    official = VENUE_NAMES.get(name)
    if official is None:
        tag = TAG_LABELS.get(name)
        return LabelMeaning(tags=(tag,)) if tag else None
    venue = f"{official} {year}"
    tags: list[str] = []
    for word, suffix in VENUE_SUFFIXES.items():
        if word in rest:
            venue += f" {suffix}"
    for phrase, tag in PRESENTATION_TAGS.items():
        if phrase in rest:
            tags.append(tag)
    return LabelMeaning(venue, tuple(tags))


def classify_label(text: str) -> LabelMeaning:
    """What a bracketed label (without its brackets) means for the note's fields."""
    stripped = text.strip()
    if not stripped:
        return LabelMeaning()
    if _UNDER_REVIEW.search(stripped):
        return LabelMeaning(tags=("under-review",))
    venue = parse_venue(stripped)
    if venue is not None:
        return venue
    fixed = TAG_LABELS.get(stripped.casefold())
    if fixed:
        return LabelMeaning(tags=(fixed,))
    return LabelMeaning(tags=(normalize_tag(stripped),))
