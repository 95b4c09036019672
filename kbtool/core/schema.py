"""The note format, declared once: every frontmatter field, its kind, and who owns it.

The checks validate against this table, ``kbtool new``/``enrich`` write the fields
whose owner is ``arxiv``, and the site's "Note format" page is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FieldKind(Enum):
    """How a field's value is read and validated."""

    STRING = "string"
    STRING_LIST = "list of strings"
    DATE = "date (YYYY-MM-DD)"
    URL = "URL"
    URL_LIST = "URL or list of URLs"
    ARXIV_ID = "arXiv id"
    DOI = "DOI"
    CHOICE = "one of a fixed set"
    INTEGER = "integer"
    TOPIC_LIST = "list of topic ids"


class Owner(Enum):
    """Who writes a field: tools refresh ``ARXIV`` fields and never touch the others."""

    RESEARCHER = "researcher"
    ARXIV = "arxiv"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    description: str
    example: str
    owner: Owner = Owner.RESEARCHER
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


STATUSES = ("to-read", "reading", "read")

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "title",
        FieldKind.STRING,
        "The paper's title. Always read as text, even when it looks like a number.",
        "'0'",
        required=True,
    ),
    FieldSpec(
        "arxiv",
        FieldKind.ARXIV_ID,
        "arXiv id, new-style with optional version or old-style.",
        "2410.05677v2",
    ),
    FieldSpec(
        "openreview",
        FieldKind.STRING,
        "OpenReview forum id, for papers without an arXiv id.",
        "rJl0r3R9KX",
    ),
    FieldSpec("doi", FieldKind.DOI, "Digital Object Identifier.", "10.1145/3368089.3409741"),
    FieldSpec("url", FieldKind.URL, "Where the paper lives when it has no other id.", "https://…"),
    FieldSpec(
        "aliases",
        FieldKind.STRING_LIST,
        "Other names the paper goes by (model or dataset names); [[wikilinks]] resolve them.",
        "[T2V-Turbo-v2]",
    ),
    FieldSpec(
        "authors",
        FieldKind.STRING_LIST,
        "Authors in order.",
        "[Jiachen Li, Qian Long]",
        Owner.ARXIV,
    ),
    FieldSpec(
        "published", FieldKind.DATE, "Date of the first version (v1).", "2024-10-07", Owner.ARXIV
    ),
    FieldSpec("updated", FieldKind.DATE, "Date of the latest version.", "2024-10-21", Owner.ARXIV),
    FieldSpec(
        "version",
        FieldKind.INTEGER,
        "Latest arXiv version known to the note.",
        "2",
        Owner.ARXIV,
        minimum=1,
    ),
    FieldSpec(
        "venue",
        FieldKind.STRING,
        "Where the paper appeared (conference, journal, or arXiv's journal_ref).",
        "ICLR 2025",
    ),
    FieldSpec(
        "primary_category",
        FieldKind.STRING,
        "arXiv primary category.",
        "cs.CV",
        Owner.ARXIV,
    ),
    FieldSpec(
        "categories", FieldKind.STRING_LIST, "arXiv categories.", "[cs.CV, cs.LG]", Owner.ARXIV
    ),
    FieldSpec(
        "journal_ref", FieldKind.STRING, "arXiv's journal reference.", "ICLR 2025", Owner.ARXIV
    ),
    FieldSpec("comment", FieldKind.STRING, "The authors' arXiv comment.", "22 pages", Owner.ARXIV),
    FieldSpec("abstract", FieldKind.STRING, "The abstract from arXiv.", "…", Owner.ARXIV),
    FieldSpec(
        "abs_url", FieldKind.URL, "Abstract page.", "https://arxiv.org/abs/2410.05677", Owner.ARXIV
    ),
    FieldSpec("pdf_url", FieldKind.URL, "PDF.", "https://arxiv.org/pdf/2410.05677v2", Owner.ARXIV),
    FieldSpec(
        "topics",
        FieldKind.TOPIC_LIST,
        "Topic ids from topics.yml (at least one); the site indexes the paper under each.",
        "[image-to-video]",
        required=True,
    ),
    FieldSpec("tags", FieldKind.STRING_LIST, "Free tags.", "[distillation, reward-model]"),
    FieldSpec(
        "code", FieldKind.URL_LIST, "Code repositories.", "https://github.com/Ji4chenLi/t2v-turbo"
    ),
    FieldSpec("project", FieldKind.URL_LIST, "Project pages.", "https://t2v-turbo-v2.github.io"),
    FieldSpec(
        "status",
        FieldKind.CHOICE,
        "Reading status.",
        "to-read",
        choices=STATUSES,
    ),
    FieldSpec("rating", FieldKind.INTEGER, "Your rating, 1 to 5.", "4", minimum=1, maximum=5),
    FieldSpec("added", FieldKind.DATE, "When the note was added.", "2024-11-02"),
    FieldSpec(
        "citekey",
        FieldKind.STRING,
        "BibTeX citation key; derived from the first author, year and title when absent.",
        "li2024t2vturbov2",
    ),
)

FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
ARXIV_OWNED_FIELDS: tuple[str, ...] = tuple(s.name for s in FIELDS if s.owner is Owner.ARXIV)
