"""BibTeX for the papers: stable, unique citation keys and properly escaped entries.

Text fields (title, authors, venue) are LaTeX-encoded with pylatexenc (``&`` →
``\\&``, ``é`` → ``{\\'e}``, braces and backslashes escaped; ``$…$`` math with
balanced braces kept as written; Chinese kept as UTF-8). Identifier fields
(eprint, DOI, URL) are written verbatim with braces and backslashes
percent-encoded, so no value can unbalance an entry. bibtexparser writes the
entries.

Citation keys: the note's ``citekey`` when set (characters BibTeX keys cannot
hold are dropped), else ``<first author's surname><year><first title word>``
in lowercase ASCII. A key taken by another note gets ``-2``, ``-3``… in the
order notes were added (then by path), so adding a note never renames the
keys of the notes before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Block, Entry, Field
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import UnicodeToLatexEncoder
from slugify import slugify

from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.core.note import Note
from kbtool.util.atomic_write import write_text_atomic

_ENCODER = UnicodeToLatexEncoder(
    unknown_char_policy="keep",
    unknown_char_warning=False,
    replacement_latex_protection="braces-all",
)
_MATH = re.compile(r"(?<!\\)\$[^$]+(?<!\\)\$")
_KEY_ALLOWED = re.compile(r"[^A-Za-z0-9_:.+/-]")
_STOPWORDS_TEXT = """
a an the on of for in to towards toward with and or is are via how what why when
do does can from by at as be we our your its
"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def _balanced(text: str) -> bool:
    depth = 0
    previous = ""
    for char in text:
        if previous != "\\":
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    return False
        previous = char
    return depth == 0


_PLAIN = re.compile(r"[A-Za-z0-9 .,;:!?'()/@+=*-]*")


def latex_text(value: str) -> str:
    """``value`` as LaTeX text for a BibTeX field: specials escaped, math kept when sound."""
    value = " ".join(value.split())
    if _PLAIN.fullmatch(value):
        return value  # nothing to escape: skip the (slow) encoder
    out: list[str] = []
    last = 0
    for match in _MATH.finditer(value):
        if not _balanced(match.group(0)):
            continue
        out.append(_ENCODER.unicode_to_latex(value[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_ENCODER.unicode_to_latex(value[last:]))
    return "".join(out)


def verbatim(value: str) -> str:
    """An identifier or URL for a BibTeX field: no whitespace, braces or backslashes."""
    table = {"{": "%7B", "}": "%7D", "\\": "%5C"}
    return "".join(table.get(c, c) for c in "".join(value.split()))


def _ascii_word(text: str) -> str:
    return slugify(text, separator="", lowercase=True)


def surname(author: str) -> str:
    """The family name in ``Last, First`` or ``First Last`` form."""
    author = " ".join(author.split())
    if "," in author:
        return author.split(",", 1)[0]
    parts = author.split(" ")
    return parts[-1] if parts else ""


def year_of(note: Note) -> int | None:
    """The paper's year: ``published``, else its arXiv id's year."""
    published = note.date_of("published")
    if published is not None:
        return published.year
    if note.arxiv_id is not None and not note.arxiv_id.is_old_style:
        return 2000 + int(note.arxiv_id.base[:2])
    if note.arxiv_id is not None:
        yy = int(note.arxiv_id.base.split("/", 1)[1][:2])
        return 1900 + yy if yy >= 91 else 2000 + yy
    return None


def derived_key(note: Note) -> str:
    """``<surname><year><first title word>``, lowercase ASCII."""
    authors = note.string_list("authors")
    name = _ascii_word(surname(authors[0])) if authors else ""
    year = year_of(note)
    word = ""
    for token in re.split(r"[\s:/]+", note.title):
        candidate = _ascii_word(token)
        if candidate and token.casefold() not in _STOPWORDS:
            word = candidate
            break
    return f"{name or 'anon'}{year or ''}{word[:20]}"


def _explicit_key(note: Note) -> str:
    value = note.fields.get("citekey")
    return _KEY_ALLOWED.sub("", value) if isinstance(value, str) else ""


def citation_keys(
    notes: Iterable[Note], derive: Callable[[Note], str] | None = None
) -> dict[str, str]:
    """A unique citation key for each note, by note path (see the module docstring).

    ``derive`` stands in for :func:`derived_key` (a caller may remember its results).
    """
    derive = derive or derived_key
    notes = list(notes)
    taken: set[str] = set()
    keys: dict[str, str] = {}

    def claim(note: Note, key: str) -> None:
        candidate, counter = key, 2
        while candidate.casefold() in taken:
            candidate = f"{key}-{counter}"
            counter += 1
        taken.add(candidate.casefold())
        keys[note.path] = candidate

    def added_order(note: Note) -> tuple[date, str]:
        return (note.date_of("added") or date.max, note.path)

    explicit = [(n, k) for n in notes if (k := _explicit_key(n))]
    for note, key in sorted(explicit, key=lambda item: added_order(item[0])):
        claim(note, key)
    derived = sorted((n for n in notes if n.path not in keys), key=added_order)
    for note in derived:
        claim(note, derive(note))
    return keys


def _author_field(authors: list[str]) -> str:
    names = []
    for author in authors:
        name = latex_text(author)
        # " and " separates names in BibTeX: protect a name that contains it.
        if re.search(r"\sand\s", name, re.IGNORECASE):
            name = "{" + name + "}"
        names.append(name)
    return " and ".join(names)


def _text(note: Note, key: str) -> str:
    value = note.fields.get(key)
    return value.strip() if isinstance(value, str) else ""


def bibtex_entry(note: Note, key: str) -> Entry:
    """The BibTeX entry of ``note`` under citation key ``key``."""
    venue = _text(note, "venue") or _text(note, "journal_ref")
    is_preprint = not venue or venue.casefold().startswith("arxiv")
    fields: list[tuple[str, str]] = [("title", "{" + latex_text(note.title) + "}")]
    authors = note.string_list("authors")
    if authors:
        fields.append(("author", _author_field(authors)))
    if not is_preprint:
        fields.append(("booktitle", latex_text(venue)))
    year = year_of(note)
    if year:
        fields.append(("year", str(year)))
    arxiv = note.arxiv_id
    if arxiv is not None:
        fields += [("eprint", verbatim(arxiv.base)), ("archiveprefix", "arXiv")]
        primary = _text(note, "primary_category")
        if primary:
            fields.append(("primaryclass", verbatim(primary)))
    doi = _text(note, "doi")
    if doi:
        fields.append(("doi", verbatim(doi)))
    url = (
        _text(note, "abs_url")
        or _text(note, "url")
        or (arxiv.without_version().abs_url if arxiv else "")
    )
    if url:
        fields.append(("url", verbatim(url)))
    entry_type = "misc" if is_preprint else "inproceedings"
    return Entry(entry_type, key, [Field(name, value) for name, value in fields])


def _write(entries: list[Entry]) -> str:
    library = Library(list[Block](entries))
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]
    fmt.indent = "  "
    fmt.block_separator = "\n"
    stack = [AddEnclosingMiddleware(False, False, "{")]
    text: str = write_string(library, unparse_stack=stack, bibtex_format=fmt)
    return text


def render_bibtex(note: Note, key: str) -> str:
    """One note's BibTeX entry as text."""
    return _write([bibtex_entry(note, key)])


BIBLIOGRAPHY_HEADER = (
    "% References of the knowledge base, generated by kbtool; edit the notes instead.\n\n"
)


def join_bibliography(entries: dict[str, str]) -> str:
    """``references.bib`` from entries already rendered, by citation key (sorted by key)."""
    ordered = sorted(entries.items(), key=lambda item: (item[0].casefold(), item[0]))
    return BIBLIOGRAPHY_HEADER + "\n".join(text for _key, text in ordered)


def render_bibliography(notes: Iterable[Note], keys: dict[str, str]) -> str:
    """``references.bib``: an entry for every note, sorted by citation key."""
    return join_bibliography({keys[n.path]: render_bibtex(n, keys[n.path]) for n in notes})


def bibliography_text(layout: Layout) -> tuple[str, int]:
    """``references.bib`` for the knowledge base, and how many entries it holds."""
    kb = load_knowledge_base(layout)
    return render_bibliography(kb.notes, citation_keys(kb.notes)), len(kb.notes)


def write_bibliography(layout: Layout, output: Path) -> int:
    """Write ``references.bib`` to ``output`` atomically; return the number of entries."""
    text, count = bibliography_text(layout)
    write_text_atomic(output, text)
    return count
