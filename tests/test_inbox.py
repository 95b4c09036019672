"""inbox.yml: its format (stable, diff-friendly, round-trips), its errors, and an entry's life."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtool.config import Layout
from kbtool.errors import InboxFormatError
from kbtool.watch.inbox import (
    InboxEntry,
    file_order,
    forget_papers,
    load_inbox,
    parse_inbox,
    render_inbox,
    save_inbox,
    waiting,
)
from kbtool.watch.merge import Candidate, InboxChanges, merge_inbox
from kbtool.watch.scoring import Keyword, PaperScore, Scorer
from tests.support.inbox import BASE_ENTRY, SCRIPT_TITLE, make_entry, make_record
from tests.support.kb import KnowledgeBaseFactory

# --- the file -----------------------------------------------------------------------------------


def test_the_file_reads_back_equal_and_looks_as_documented() -> None:
    entries = [
        BASE_ENTRY,
        make_entry(
            id="2604.00001",
            version=3,
            title="0",  # YAML would read a bare 0 as a number
            authors=(),
            categories=(),
            comment="ICLR 2026: oral",
            summary="Short: it works.",
            first_seen=date(2026, 2, 8),
        ),
        make_entry(id="hep-th/9901001", title=SCRIPT_TITLE, abstract="a: b # not a comment"),
    ]
    text = render_inbox(entries)
    assert parse_inbox(text) == file_order(entries)
    assert text.startswith("# The inbox of `kbtool watch`")
    # Latest arrival first, then by id; fields in a fixed order, one per line.
    assert text.index("id: '2604.00001'") < text.index("id: '2602.05191'")
    assert text.index("id: '2602.05191'") < text.index("id: hep-th/9901001")
    assert "  title: '0'\n" in text and "  first_seen: 2026-02-07\n" in text
    assert "  comment: 'ICLR 2026: oral'\n" in text
    block = text.split("- id: '2602.05191'\n", 1)[1].split("\n- ", 1)[0]
    assert [
        line.split(":")[0].strip() for line in block.splitlines() if not line.startswith("  -")
    ] == [
        "version",
        "title",
        "authors",
        "category",
        "categories",
        "published",
        "first_seen",
        "score",
        "keywords",
        "title_keywords",
        "abstract",
    ]
    assert "summary" not in block and "comment" not in block  # absent, not null
    # Same content, same bytes, whatever the order the entries came in.
    assert render_inbox(reversed(entries)) == text


def test_shared_values_are_written_again_never_as_yaml_aliases() -> None:
    day = date(2026, 2, 8)  # one object, as the entries of one run share it
    keywords = ("motion",)
    entries = [
        make_entry(id=f"2604.0000{n}", first_seen=day, published=day, keywords=keywords)
        for n in range(3)
    ]
    text = render_inbox(entries)
    assert "&" not in text and "*" not in text
    assert text.count("  first_seen: 2026-02-08\n") == 3
    assert parse_inbox(text) == file_order(entries)


def test_an_empty_inbox() -> None:
    assert parse_inbox(render_inbox([])) == []
    assert parse_inbox("") == []
    assert parse_inbox("papers:\n") == []


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(title=_TEXT, abstract=_TEXT, author=_TEXT, summary=_TEXT)
def test_any_text_round_trips(title: str, abstract: str, author: str, summary: str) -> None:
    entry = make_entry(title=title, abstract=abstract, authors=(author,), summary=summary or None)
    assert parse_inbox(render_inbox([entry])) == [entry]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("papers: [\n", 2, "invalid YAML"),
        ("- a\n", 1, "must be a mapping"),
        ("paper: []\n", 1, "unknown key 'paper'"),
        ("papers: {a: 1}\n", 1, "must be a list"),
        ("papers:\n- just text\n", 2, "must be a mapping of fields"),
        ("papers:\n- id: '2602.05191'\n", 2, "paper without `version:`"),
        ("papers:\n- id: x\x07\n", 2, "unacceptable character #x0007"),
    ],
)
def test_bad_files(text: str, line: int, fragment: str) -> None:
    with pytest.raises(InboxFormatError) as caught:
        parse_inbox(text, "inbox.yml")
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.line == line and caught.value.exit_code == 4
    assert caught.value.message.startswith(f"inbox.yml:{line}: ")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("id: '2602.05191'", "id: ../../etc/passwd", "arXiv id without version"),
        ("id: '2602.05191'", "id: 2602.05191v2", "arXiv id without version"),
        ("id: '2602.05191'", "id: 2602.05191", "arXiv id without version"),  # a float
        ("version: 1", "version: 0", "whole number from 1"),
        ("published: 2026-02-06", "published: last week", "must be a date"),
        ("score: 7.5", "score: high", "must be a number"),
        ("category: cs.LG", "category: [cs.LG]", "must be text"),
        ("authors:", "writers: []\n  authors:", "'writers' is not an inbox field"),
    ],
)
def test_bad_entries_are_reported_at_their_line(old: str, new: str, fragment: str) -> None:
    text = render_inbox([BASE_ENTRY])
    assert old in text
    bad = text.replace(old, new, 1)
    with pytest.raises(InboxFormatError) as caught:
        parse_inbox(bad, "inbox.yml")
    assert fragment in caught.value.message
    expected_line = next(
        i
        for i, line in enumerate(bad.splitlines(), 1)
        if line.strip(" -").startswith(new.split(":")[0])
    )
    assert caught.value.line == expected_line


def test_a_paper_listed_twice() -> None:
    text = render_inbox([BASE_ENTRY]) + render_inbox([BASE_ENTRY]).split("papers:\n", 1)[1]
    with pytest.raises(InboxFormatError, match=r"listed twice \(also on line 7\)"):
        parse_inbox(text)


def test_load_and_save(kb: KnowledgeBaseFactory) -> None:
    layout = Layout(kb.root)
    assert load_inbox(layout) == []  # no file yet
    assert save_inbox(layout, [BASE_ENTRY]) is True
    assert load_inbox(layout) == [BASE_ENTRY]
    before = layout.inbox_file.stat().st_mtime_ns
    os.utime(layout.inbox_file, ns=(before - 10**9, before - 10**9))
    assert save_inbox(layout, [BASE_ENTRY]) is False  # unchanged: not rewritten
    assert layout.inbox_file.stat().st_mtime_ns == before - 10**9
    assert sorted(p.name for p in kb.root.glob(".inbox.yml*")) == []  # no temp files left
    kb.write("inbox.yml", b"papers: [\xff]\n")
    with pytest.raises(InboxFormatError, match=r"inbox\.yml: not valid UTF-8"):
        load_inbox(layout)


def test_forget_papers(kb: KnowledgeBaseFactory) -> None:
    layout = Layout(kb.root)
    other = make_entry(id="2604.00002")
    save_inbox(layout, [BASE_ENTRY, other])
    assert forget_papers(layout, ["2602.05191", "2501.00001"]) == ["2602.05191"]
    assert load_inbox(layout) == [other]
    assert forget_papers(layout, ["2501.00001"]) == []


# --- the life of an entry -----------------------------------------------------------------------

SCORER = Scorer([Keyword("attention"), Keyword("kernel")], ["survey"], title_weight=1.5)
TODAY = date(2026, 4, 13)


def candidate(arxiv_id: str, title: str, abstract: str = "An abstract.") -> Candidate:
    record = make_record(arxiv_id, title, abstract, published=datetime(2026, 4, 12, 18, tzinfo=UTC))
    return Candidate(record, SCORER.score(title, abstract))


def merge(
    current: Sequence[InboxEntry],
    candidates: Sequence[Candidate],
    *,
    known: frozenset[str] = frozenset(),
    today: date = TODAY,
    min_score: float = 1.0,
) -> InboxChanges:
    return merge_inbox(
        current,
        candidates,
        today=today,
        known=set(known),
        scorer=SCORER,
        min_score=min_score,
        keep_days=14,
    )


def test_a_new_paper_arrives_today() -> None:
    changes = merge([], [candidate("2604.00001v2", "Fast attention kernels")])
    (entry,) = changes.entries
    assert changes.added == [entry]
    assert (entry.id, entry.version, entry.first_seen) == ("2604.00001", 2, TODAY)
    assert entry.published == date(2026, 4, 12)
    assert entry.score == 3.0 and entry.title_keywords == ("attention", "kernel")
    assert entry.adopt_command == "kbtool new 2604.00001"
    assert entry.abs_url == "https://arxiv.org/abs/2604.00001"
    assert entry.pdf_url == "https://arxiv.org/pdf/2604.00001v2"


def test_a_paper_seen_again_keeps_its_first_seen_date_and_summary() -> None:
    first = merge([], [candidate("2604.00001v1", "Fast attention kernels")]).entries
    first = [replace(first[0], summary="Kept.")]
    later = merge(
        first,
        [candidate("2604.00001v2", "Fast attention kernels, revised", "A new kernel.")],
        today=date(2026, 4, 15),
    )
    (entry,) = later.entries
    assert later.refreshed == [entry] and later.added == []
    assert entry.first_seen == TODAY and entry.version == 2
    assert entry.title == "Fast attention kernels, revised" and entry.summary == "Kept."


def test_papers_age_out_after_keep_days() -> None:
    entries = merge([], [candidate("2604.00001", "Attention kernels")]).entries
    assert merge(entries, [], today=date(2026, 4, 26)).entries == entries  # day 13: stays
    gone = merge(entries, [], today=date(2026, 4, 27))  # day 14: leaves
    assert gone.entries == [] and gone.aged_out == entries


def test_adopted_papers_leave_and_are_not_added() -> None:
    entries = merge([], [candidate("2604.00001", "Attention kernels")]).entries
    changes = merge(
        entries,
        [candidate("2604.00001", "Attention kernels"), candidate("2604.00003", "Kernel")],
        known=frozenset({"2604.00001", "2604.00003"}),
    )
    assert changes.entries == [] and changes.adopted == entries and changes.added == []


def test_every_entry_is_rescored_with_the_current_settings() -> None:
    kept = make_entry(id="2604.00004", title="Attention kernels", abstract="A survey.", score=9)
    weak = make_entry(id="2604.00005", title="Kernel", abstract="Nothing else.", score=9)
    good = make_entry(id="2604.00006", title="Attention", abstract="A kernel.", score=0)
    changes = merge([kept, weak, good], [], min_score=2.0, today=date(2026, 2, 10))
    # "survey" is excluded now; "Kernel" alone scores 1.5 < 2; the third scores 2.5.
    assert changes.dropped == [
        replace(kept, score=0.0, keywords=(), title_keywords=()),
        replace(weak, score=1.5, keywords=("kernel",), title_keywords=("kernel",)),
    ]
    (entry,) = changes.entries
    assert entry.id == "2604.00006" and entry.score == 2.5


def test_waiting_leaves_out_papers_with_notes_and_ranks_the_rest() -> None:
    a = make_entry(id="2604.00001", score=3.0, published=date(2026, 4, 1))
    b = make_entry(id="2604.00002", score=5.0)
    c = make_entry(id="2604.00003", score=3.0, published=date(2026, 4, 2))
    d = make_entry(id="2604.00004", score=9.0)
    assert waiting([a, b, c, d], {"2604.00004"}) == [b, c, a]


def test_a_score_is_what_the_scorer_says() -> None:
    assert SCORER.score("Attention", "kernel") == PaperScore(
        2.5, ("attention", "kernel"), ("attention",)
    )
