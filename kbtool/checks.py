"""``kbtool check``: a registry of small checks, each returning problem records.

A *note check* looks at one note (and may consult the knowledge base); a *base
check* looks at the knowledge base as a whole (duplicates, the topics file).
:func:`run_checks` runs them all and never writes; one bad note never stops the
others from being checked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from kbtool.citations.keys import arxiv_key
from kbtool.citations.store import CitationData, load_citation_data
from kbtool.citations.titles import unmatched_names
from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.core.filenames import filename_problem
from kbtool.core.knowledge_base import KnowledgeBase, LinkTargetKind
from kbtool.core.markdown_links import LinkKind
from kbtool.core.note import InvalidValue, Note
from kbtool.core.problems import Problem, problem
from kbtool.core.schema import FIELDS, FIELDS_BY_NAME, FieldKind, FieldSpec
from kbtool.errors import CitationDataError

NoteCheck = Callable[[Note, KnowledgeBase], Iterable[Problem]]
BaseCheck = Callable[[KnowledgeBase], Iterable[Problem]]


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    description: str
    note_check: NoteCheck | None = None
    base_check: BaseCheck | None = None


CHECKS: list[RegisteredCheck] = []


def register_note_check(name: str, description: str) -> Callable[[NoteCheck], NoteCheck]:
    def decorate(func: NoteCheck) -> NoteCheck:
        CHECKS.append(RegisteredCheck(name, description, note_check=func))
        return func

    return decorate


def register_base_check(name: str, description: str) -> Callable[[BaseCheck], BaseCheck]:
    def decorate(func: BaseCheck) -> BaseCheck:
        CHECKS.append(RegisteredCheck(name, description, base_check=func))
        return func

    return decorate


def _frontmatter_readable(note: Note) -> bool:
    return note.has_frontmatter and not any(
        p.name in ("yaml-syntax", "not-a-mapping") for p in note.problems
    )


# --- field validation: one function per kind -------------------------------------------------

_DOI = re.compile(r"10\.\d{4,9}/\S+")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute http(s) URL, or None when it is one."""
    if any(c.isspace() for c in value.strip()):
        return "contains whitespace"
    try:
        parts = urlsplit(value.strip())
    except ValueError as err:
        return str(err)
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return "has no valid host"
    return None


def _check_value(spec: FieldSpec, value: Any) -> tuple[str, str] | None:
    """(code name, message) for a value that breaks ``spec``, or None when it is fine."""
    name, kind = spec.name, spec.kind
    if isinstance(value, InvalidValue):
        code = "bad-date" if kind is FieldKind.DATE else "wrong-type"
        return code, f"'{name}': cannot read {value.text!r}: {value.reason}"
    if kind is FieldKind.DATE:
        if isinstance(value, date | datetime):
            return None
        if isinstance(value, str):
            try:
                date.fromisoformat(value.strip())
                return None
            except ValueError:
                return "bad-date", f"'{name}': {value!r} is not a date (YYYY-MM-DD)"
        return "bad-date", f"'{name}' must be a date (YYYY-MM-DD), not {_describe(value)}"
    if kind is FieldKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong-type", f"'{name}' must be a whole number, not {_describe(value)}"
        low, high = spec.minimum, spec.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{low}–{high}" if high is not None else f"at least {low}"
            return "bad-value", f"'{name}' must be {span}, not {value}"
        return None
    list_kinds = (FieldKind.STRING_LIST, FieldKind.TOPIC_LIST, FieldKind.URL_LIST)
    if kind in list_kinds:
        if kind is FieldKind.URL_LIST and isinstance(value, str):
            items: list[Any] = [value]
        elif isinstance(value, list):
            items = value
        else:
            return "wrong-type", f"'{name}' must be a list, e.g. [a, b], not {_describe(value)}"
        for item in items:
            if not isinstance(item, str) or not item.strip():
                return "wrong-type", f"'{name}' items must be non-empty text, not {item!r}"
            if kind is FieldKind.URL_LIST and (why := url_problem(item)):
                return "bad-url", f"'{name}': {item!r} {why}"
        return None
    if not isinstance(value, str):
        return "wrong-type", f"'{name}' must be text, not {_describe(value)}"
    if kind is FieldKind.URL and (why := url_problem(value)):
        return "bad-url", f"'{name}': {value!r} {why}"
    if kind is FieldKind.ARXIV_ID and find_arxiv_id(value) is None:
        return "bad-arxiv-id", (
            f"'{name}': {value!r} is not an arXiv id (e.g. 2410.05677, 2410.05677v2, "
            "hep-th/9901001)"
        )
    if kind is FieldKind.DOI and not _DOI.fullmatch(value.strip()):
        return "bad-value", f"'{name}': {value!r} is not a DOI (10.NNNN/…)"
    if kind is FieldKind.CHOICE and value not in spec.choices:
        return "bad-value", f"'{name}' must be one of {', '.join(spec.choices)}, not {value!r}"
    return None


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


@register_note_check("read", "The file is UTF-8 with LF endings and has valid YAML frontmatter.")
def check_readable(note: Note, kb: KnowledgeBase) -> Iterator[Problem]:
    yield from note.problems


@register_note_check("fields", "Required fields are present; every field has its declared type.")
def check_fields(note: Note, kb: KnowledgeBase) -> Iterator[Problem]:
    if not _frontmatter_readable(note):
        return
    for spec in FIELDS:
        if spec.required and _is_empty(note.fields.get(spec.name)):
            yield problem(
                note.path,
                note.line_of(spec.name),
                "missing-field",
                f"required field '{spec.name}' is missing or empty",
            )
    for key, value in note.fields.items():
        field_spec = FIELDS_BY_NAME.get(key)
        if field_spec is None:
            yield problem(
                note.path,
                note.line_of(key),
                "unknown-key",
                f"unknown key '{key}' (kept as is; see the note format for known keys)",
            )
            continue
        found = None if _is_empty(value) else _check_value(field_spec, value)
        if found is not None:
            yield problem(note.path, note.line_of(key), found[0], found[1])


@register_note_check("topics", "Every topic is registered in topics.yml.")
def check_topics(note: Note, kb: KnowledgeBase) -> Iterator[Problem]:
    if not len(kb.topics):
        return
    value = note.fields.get("topics")
    if not isinstance(value, list):
        return
    for topic in value:
        if isinstance(topic, str) and topic.strip() and topic not in kb.topics:
            suggestion = kb.topics.find(topic)
            hint = f" (did you mean '{suggestion.id}'?)" if suggestion else ""
            yield problem(
                note.path,
                note.line_of("topics"),
                "unknown-topic",
                f"topic '{topic}' is not in topics.yml{hint}",
            )


@register_note_check("filename", "File names are safe on every OS.")
def check_filename(note: Note, kb: KnowledgeBase) -> Iterator[Problem]:
    name = note.path.rsplit("/", 1)[-1]
    if why := filename_problem(name):
        yield problem(note.path, 0, "unsafe-filename", f"file name {name!r}: {why}")


@register_note_check("links", "Internal links, wikilinks, #anchors and local images resolve.")
def check_links(note: Note, kb: KnowledgeBase) -> Iterator[Problem]:
    for ref in kb.links_of(note):
        resolved = kb.resolve(note, ref)
        if resolved.kind in (LinkTargetKind.EXTERNAL, LinkTargetKind.UNCHECKED):
            continue
        if ref.kind is LinkKind.WIKILINK:
            if resolved.kind is LinkTargetKind.MISSING:
                yield problem(
                    note.path,
                    ref.line,
                    "broken-wikilink",
                    f"[[{ref.target}]] names no note (by file name, arXiv id, title or alias)",
                )
                continue
            if len(resolved.candidates) > 1:
                names = ", ".join(n.path for n in resolved.candidates)
                yield problem(
                    note.path,
                    ref.line,
                    "ambiguous-wikilink",
                    f"[[{ref.target}]] names several notes ({names}); linking to the first",
                )
        elif resolved.kind is LinkTargetKind.MISSING:
            is_image = ref.kind is LinkKind.IMAGE or (
                ref.kind is LinkKind.HTML and not ref.target.endswith(".md")
            )
            code = "missing-image" if is_image else "broken-link"
            what = "image" if is_image else "link target"
            yield problem(note.path, ref.line, code, f"{what} {ref.target!r} does not exist")
            continue
        target = resolved.note
        if resolved.anchor and target is not None and resolved.anchor not in kb.anchors_of(target):
            where = "this note" if target.path == note.path else target.path
            yield problem(
                note.path,
                ref.line,
                "broken-anchor",
                f"#{resolved.anchor} is not a heading or anchor in {where}",
            )


@register_base_check("duplicates", "No two notes are about the same paper (arXiv id, DOI, …).")
def check_duplicates(kb: KnowledgeBase) -> Iterator[Problem]:
    seen: dict[tuple[str, str], list[Note]] = defaultdict(list)
    for note in kb.notes:
        if note.arxiv_id is not None:
            seen[("arXiv id", note.arxiv_id.base)].append(note)
        for key in ("doi", "openreview"):
            value = note.fields.get(key)
            if isinstance(value, str) and value.strip():
                seen[(key, value.strip().lower())].append(note)
    for (what, value), notes in seen.items():
        if len(notes) < 2:
            continue
        key = "arxiv" if what == "arXiv id" else what
        for note in notes:
            others = ", ".join(other.path for other in notes if other is not note)
            yield problem(
                note.path,
                note.line_of(key),
                "duplicate-paper",
                f"same paper ({what} {value}) as {others}; merge the notes into one",
            )


@register_base_check("topics-file", "topics.yml parses, and its hierarchy is sound.")
def check_topics_file(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from kb.topic_problems


@register_base_check("unreadable", "Every note file can be read.")
def check_unreadable(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from kb.read_problems


def title_problems(notes: Iterable[Note], data: CitationData) -> Iterator[Problem]:
    """Notes whose title does not name the paper Semantic Scholar has for their arXiv id.

    A sign of a wrong id (e.g. two papers' names on one link). Lenient with short
    names; the note's abstract (arXiv's, for that id) counts as part of the title.
    """
    for note in notes:
        title, base = note.fields.get("title"), note.arxiv_id
        if not isinstance(title, str) or base is None:
            continue
        entry = data.papers.get(arxiv_key(base.base))
        if entry is None:
            continue
        abstract = note.fields.get("abstract")
        wrong = unmatched_names(title, entry.title, abstract if isinstance(abstract, str) else "")
        if wrong:
            names = " and ".join(f"'{name}'" for name in wrong)
            yield problem(
                note.path,
                note.line_of("arxiv"),
                "arxiv-title-mismatch",
                f"arXiv {base.base} is '{entry.title}' on Semantic Scholar, which does not "
                f"name {names}: a wrong id? (fix the arxiv id, or the title)",
            )


@register_base_check(
    "citations", "citations.json reads, and each note's arXiv id is the paper its title names."
)
def check_citations(kb: KnowledgeBase) -> Iterator[Problem]:
    path = kb.layout.citations_file
    display = kb.layout.relative(path)
    try:
        data = load_citation_data(path, display)
    except CitationDataError as err:
        yield problem(display, err.line or 0, "bad-citations-file", err.detail)
        return
    yield from title_problems(kb.notes, data)


def run_checks(kb: KnowledgeBase, checks: Iterable[RegisteredCheck] = CHECKS) -> list[Problem]:
    """Every problem every check finds, sorted by file and line, each reported once."""
    found: set[Problem] = set()
    selected = list(checks)
    for check in selected:
        if check.base_check is not None:
            found.update(check.base_check(kb))
    for note in kb.notes:
        for check in selected:
            if check.note_check is not None:
                found.update(check.note_check(note, kb))
    return sorted(found, key=lambda p: (p.path, p.line, p.name, p.message))
