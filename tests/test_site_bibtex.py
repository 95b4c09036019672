"""BibTeX: stable unique citation keys, and entries that parse back to the same text."""

from __future__ import annotations

import bibtexparser
from pylatexenc.latex2text import LatexNodes2Text

from kbtool.bibtex import (
    bibtex_entry,
    citation_keys,
    derived_key,
    latex_text,
    render_bibliography,
    render_bibtex,
)
from kbtool.core.note import Note, parse_note


def note(path: str, **fields: str) -> Note:
    lines = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return parse_note(f"---\n{lines}\n---\nbody\n", path)


def test_derived_key_is_surname_year_first_word() -> None:
    t2v = note(
        "notes/a.md",
        title='"T2V-Turbo-v2: Enhancing Video Generation"',
        authors="[Jiachen Li, Qian Long]",
        arxiv="2410.05677v2",
    )
    assert derived_key(t2v) == "li2024t2vturbov2"
    the = note("notes/b.md", title='"The Power of Scale"', authors='["Lester, Brian"]')
    assert derived_key(the) == "lester" + "power"
    chinese = note("notes/c.md", title="视频扩散", authors="[张三]", published="2023-01-02")
    assert derived_key(chinese) == "zhangsan2023shipinkuosan"
    assert derived_key(note("notes/d.md", title="x")) == "anonx"


def test_keys_are_unique_and_stable_as_notes_are_added() -> None:
    first = note(
        "notes/z.md",
        title="Attention",
        authors="[Ann Li]",
        published="2024-01-01",
        added="2024-02-01",
    )
    second = note(
        "notes/a.md",
        title="Attention again",
        authors="[Bo Li]",
        published="2024-03-01",
        added="2024-05-01",
    )
    keys = citation_keys([first])
    later = citation_keys([second, first])  # a later note, sorting first by path
    assert keys["notes/z.md"] == later["notes/z.md"] == "li2024attention"
    assert later["notes/a.md"] == "li2024attention-2"


def test_citekey_field_wins_and_is_cleaned() -> None:
    pinned = note("notes/p.md", title="X", citekey='"my key{1}"')
    other = note("notes/q.md", title="X", authors="[A Mykey]", citekey="mykey1")
    keys = citation_keys([pinned, other])
    assert keys == {"notes/p.md": "mykey1", "notes/q.md": "mykey1-2"}


def test_text_is_escaped_for_latex() -> None:
    assert latex_text("a < b & c | d") == r"a {\ensuremath{<}} b {\&} c | d"
    assert latex_text("50% {x} _ # ~") == r"50{\%} {\{}x{\}} {\_} {\#} {\textasciitilde}"
    assert latex_text("José") == r"Jos{\'e}"
    assert latex_text("视频 $O(n^2)$") == "视频 $O(n^2)$"  # Chinese and sound math kept
    assert latex_text("bad $a}$ math") == r"bad {\$}a{\}}{\$} math"
    assert latex_text("Plain Title: v2") == "Plain Title: v2"


def test_entries_parse_back_to_the_same_text() -> None:
    evil = note(
        "notes/e.md",
        title='"<img src=x onerror=alert(1)> a < b & c | d {x} 50% 视频"',
        authors='["O\'Brien & Sons", "Tom and Jerry", "Müller, José"]',
        venue='"ICLR 2025 } @misc{evil,"',
        arxiv="2410.05677",
        doi='"10.1/{x}"',
    )
    text = render_bibtex(evil, "k")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.key == "k" and entry.entry_type == "inproceedings"
    decode = LatexNodes2Text().latex_to_text
    assert (
        decode(entry["title"]).strip("{}")
        == "<img src=x onerror=alert(1)> a < b & c | d {x} 50% 视频"
    )
    assert decode(entry["booktitle"]) == "ICLR 2025 } @misc{evil,"
    # three names: the one containing " and " is braced so BibTeX does not split it
    assert entry["author"] == "O'Brien {\\&} Sons and {Tom and Jerry} and M{\\\"u}ller, Jos{\\'e}"
    assert entry["doi"] == "10.1/%7Bx%7D"
    assert entry["eprint"] == "2410.05677" and entry["archiveprefix"] == "arXiv"


def test_bibliography_has_every_note_sorted_by_key() -> None:
    notes = [
        note("notes/b.md", title="Beta", authors="[Zed Zulu]", published="2020-01-01"),
        note("notes/a.md", title="Alpha", authors="[Amy Able]", published="2021-01-01"),
    ]
    text = render_bibliography(notes, citation_keys(notes))
    library = bibtexparser.parse_string(text)
    assert [e.key for e in library.entries] == ["able2021alpha", "zulu2020beta"]
    assert bibtex_entry(notes[0], "x").entry_type == "misc"
