"""Pure parts of the citations: S2's answers parsed, citations.json read and written, the graph
between notes, the missing papers, and whether a note's title names its paper."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbtool.citations.graph import build_citation_graph
from kbtool.citations.keys import doi_key, note_keys, paper_key, request_id
from kbtool.citations.parse import (
    S2FormatError,
    S2Paper,
    clean_title,
    error_message,
    parse_batch,
    parse_reference_page,
)
from kbtool.citations.store import (
    CitationData,
    CitedPaper,
    PaperEntry,
    assemble_citation_data,
    parse_citation_data,
    render_citation_data,
)
from kbtool.citations.titles import name_matches, unmatched_names
from kbtool.core.note import parse_note
from kbtool.errors import CitationDataError
from tests.support.s2_server import DATA_DIR, load_recording

READ = date(2026, 11, 28)


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("10.1145/3368089.3409741", "DOI:10.1145/3368089.3409741"),
        ("https://doi.org/10.1145/ABC", "DOI:10.1145/abc"),  # DOIs ignore case
        ("doi: 10.1145/x", "DOI:10.1145/x"),
        ("10.48550/arXiv.2106.09685", "arXiv:2106.09685"),  # arXiv's DOI is the arXiv id
        ("not a doi", None),
    ],
)
def test_doi_keys(value: str, key: str | None) -> None:
    assert doi_key(value) == key


def test_a_note_is_named_by_its_arxiv_id_then_its_doi() -> None:
    note = parse_note("---\ntitle: x\narxiv: 2106.09685v2\ndoi: 10.1145/ABC\n---\n", "notes/x.md")
    assert note_keys(note) == ("arXiv:2106.09685", "DOI:10.1145/abc")
    assert request_id("arXiv:2106.09685") == "ARXIV:2106.09685"
    assert request_id("S2:" + "a" * 40) == "a" * 40


def test_a_cited_paper_is_keyed_arxiv_then_doi_then_corpus_then_s2() -> None:
    assert paper_key({"ArXiv": "2106.09685v1", "DOI": "10.1145/x"}, None) == "arXiv:2106.09685"
    assert paper_key({"DOI": "10.1145/X", "CorpusId": 5}, "a" * 40) == "DOI:10.1145/x"
    assert paper_key({"CorpusId": 470667}, "a" * 40) == "CorpusId:470667"
    assert paper_key(None, "b" * 40) == "S2:" + "b" * 40
    assert paper_key(None, None) is None  # an unresolved reference: no key, left out
    assert paper_key(None, "../../etc/passwd") is None  # ids are data, checked


# --- parsing S2's answers -----------------------------------------------------------------------


def test_the_recorded_batch_parses_with_null_for_the_unknown_id() -> None:
    recorded = load_recording("batch_with_unknown.json")
    papers = parse_batch(recorded["body"].encode(), 4)
    assert papers[0] is None
    second = papers[1]
    assert second is not None
    assert second.paper_id == "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
    assert second.keys == ("DOI:10.2139/ssrn.288970",)
    assert (second.citation_count, second.reference_count) == (10670, 30)


def test_the_recorded_batch_of_another_shape_parses_too() -> None:
    recorded = load_recording("batch_authors.json")  # fields=authors: no ids, no counts
    papers = parse_batch(recorded["body"].encode(), 3)
    assert all(p is not None and p.citation_count is None and p.keys == () for p in papers)


@pytest.mark.parametrize(
    ("body", "asked"),
    [
        (b"{}", 1),
        (b"[null]", 2),
        (b"[1]", 1),
        (b'[{"title": "no id"}]', 1),
        (b'[{"paperId": "x", "citationCount": -1}]', 1),
        (b'[{"paperId": "x", "references": 3}]', 1),
        (b"\xff", 1),
    ],
)
def test_a_batch_answer_of_the_wrong_shape_is_refused(body: bytes, asked: int) -> None:
    with pytest.raises(S2FormatError):
        parse_batch(body, asked)


def test_the_recorded_reference_pages_parse() -> None:
    first = parse_reference_page(load_recording("references_page_0.json")["body"].encode())
    last = parse_reference_page(load_recording("references_page_50.json")["body"].encode())
    assert (first.offset, first.next, first.items, len(first.works)) == (0, 50, 50, 40)
    assert (last.offset, last.next, last.items) == (50, None, 17)


def test_error_messages_from_the_recordings() -> None:
    assert error_message(load_recording("paper_not_found.json")["body"].encode()) == (
        "Paper with id 0 not found"
    )
    assert error_message(b'{"message": "Too Many Requests"}') == "Too Many Requests"
    assert error_message(b"<html>") is None


def test_titles_are_one_line_of_text_and_capped() -> None:
    item = {"paperId": "p", "title": "A\n  <b>bold</b>\ttitle " + "x" * 900}
    (paper,) = parse_batch(json.dumps([item]).encode(), 1)
    assert paper is not None and "\n" not in paper.title and len(paper.title) == 500
    assert paper.title.startswith("A <b>bold</b> title")  # kept as text; escaped when shown


def test_a_cached_answer_reads_back_equal() -> None:
    papers = json.loads((DATA_DIR / "papers.json").read_text(encoding="utf-8"))
    for paper in parse_batch(json.dumps(papers).encode(), len(papers)):
        assert paper is not None
        assert S2Paper.from_json(json.loads(json.dumps(paper.to_json()))) == paper


# --- citations.json -----------------------------------------------------------------------------


def entry(*references: str, ids: tuple[str, ...] = (), count: int | None = 10) -> PaperEntry:
    return PaperEntry("a" * 40, "A title", ids, count, READ, tuple(references))


def sample_data() -> CitationData:
    papers = {
        "arXiv:2305.14314": entry("arXiv:2106.09685", "arXiv:1706.03762", "arXiv:2302.13971"),
        "arXiv:2309.12307": entry("arXiv:2106.09685", "arXiv:1706.03762", "arXiv:2302.13971"),
        "arXiv:2402.09353": entry("arXiv:2106.09685", "arXiv:1706.03762", "DOI:10.1/only-once"),
        "DOI:10.5555/lora": entry("arXiv:1706.03762", ids=("arXiv:2106.09685", "DOI:10.5555/lora")),
    }
    titles = {
        "arXiv:1706.03762": CitedPaper("Attention Is All You Need", 2017),
        "arXiv:2302.13971": CitedPaper("LLaMA", 2023),
        "DOI:10.1/only-once": CitedPaper("Cited once", 2020),
    }
    return assemble_citation_data(papers, titles)


def test_assembling_works_out_cited_by_and_keeps_titles_of_shared_references() -> None:
    data = sample_data()
    # The DOI-keyed note is LoRA: S2's ids say so, so the arXiv references reach it.
    assert data.papers["DOI:10.5555/lora"].cited_by == (
        "arXiv:2305.14314",
        "arXiv:2309.12307",
        "arXiv:2402.09353",
    )
    assert sorted(data.cited) == ["arXiv:1706.03762", "arXiv:2302.13971"]  # cited ≥ 2 times


def test_the_file_is_sorted_one_reference_per_line_and_reads_back_equal() -> None:
    data = sample_data()
    text = render_citation_data(data)
    assert parse_citation_data(text) == data
    assert render_citation_data(parse_citation_data(text)) == text  # same bytes again
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1] == ' "format": 1,'
    keys = [line.strip().split('"')[1] for line in lines if line.startswith('  "')]
    assert keys == sorted(keys[:4]) + sorted(keys[4:])  # papers sorted, then cited sorted
    assert '    "arXiv:1706.03762",' in lines  # one reference per line


def test_a_changed_count_is_a_small_diff() -> None:
    data = sample_data()
    before = render_citation_data(data).splitlines()
    papers = dict(data.papers)
    old = papers["arXiv:2305.14314"]
    papers["arXiv:2305.14314"] = PaperEntry(
        old.s2_id, old.title, old.ids, 11, date(2026, 12, 3), old.references, old.cited_by
    )
    after = render_citation_data(CitationData(papers, data.cited)).splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ('   "citations": 10,', '   "citations": 11,'),
        ('   "read": "2026-11-28",', '   "read": "2026-12-03",'),
    ]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('{\n "format": 1,\n "papers": [\n', 4, "not valid JSON"),
        ('{"format": 2}', 1, "format 1"),
        ('{\n "format": 1,\n "extra": 1\n}', 3, "unknown key 'extra'"),
        ('{\n "format": 1,\n "papers": {\n  "arXiv:1": {"s2": 1}\n }\n}', 4, "`s2` must be text"),
        (
            '{"format": 1, "papers": {"k": {"s2": "", "title": "", "read": "soon"}}}',
            1,
            "`read` must be a date",
        ),
        ('{"format": 1, "cited": {"k": {"title": 3}}}', 1, "cited paper k"),
    ],
)
def test_a_damaged_file_is_an_error_at_its_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CitationDataError) as caught:
        parse_citation_data(text, "citations.json")
    assert caught.value.line == line and fragment in caught.value.detail
    assert str(caught.value).startswith(f"citations.json:{line}: ")


@given(st.text(max_size=200))
def test_any_title_reads_back_as_one_clean_line(title: str) -> None:
    data = CitationData({"arXiv:2106.09685": PaperEntry("s", title, (), None, READ, ())})
    read = parse_citation_data(render_citation_data(data)).papers["arXiv:2106.09685"].title
    assert read == clean_title(title)
    assert clean_title(read) == read and "\n" not in read


# --- the graph between notes --------------------------------------------------------------------


def note(path: str, arxiv: str | None = None, doi: str | None = None) -> object:
    lines = ["---", "title: t"]
    if arxiv:
        lines.append(f"arxiv: '{arxiv}'")
    if doi:
        lines.append(f"doi: {doi}")
    return parse_note("\n".join([*lines, "---", ""]), path)


def test_notes_cite_notes_and_the_papers_cited_by_three_are_missing() -> None:
    notes = [
        note("notes/qlora.md", "2305.14314"),
        note("notes/longlora.md", "2309.12307"),
        note("notes/dora.md", "2402.09353"),
        note("notes/lora.md", doi="10.5555/LORA"),
        note("notes/lora-again.md", doi="10.5555/lora"),  # a duplicate note of one paper
        note("notes/no-id.md"),
    ]
    graph = build_citation_graph(notes, sample_data(), missing_min=3)  # type: ignore[arg-type]
    assert graph.cites["notes/qlora.md"] == ("notes/lora-again.md", "notes/lora.md")
    assert graph.cited_by["notes/lora.md"] == (
        "notes/dora.md",
        "notes/longlora.md",
        "notes/qlora.md",
    )
    assert "notes/lora.md" not in graph.cites.get("notes/lora-again.md", ())  # same paper
    assert graph.edge_count == 6
    (missing,) = graph.missing  # LLaMA is cited by 2 notes only
    assert missing.key == "arXiv:1706.03762" and missing.title == "Attention Is All You Need"
    # cited by four notes' papers: LoRA's own reference counts too, once for its two notes
    assert missing.cited_by == (
        "notes/dora.md",
        "notes/longlora.md",
        "notes/lora-again.md",
        "notes/qlora.md",
    )
    assert missing.add_command == "kbtool new 1706.03762"
    assert missing.url == "https://arxiv.org/abs/1706.03762"
    two = build_citation_graph(notes, sample_data(), missing_min=2)  # type: ignore[arg-type]
    assert [m.key for m in two.missing] == ["arXiv:1706.03762", "arXiv:2302.13971"]


def test_without_data_there_is_no_graph() -> None:
    graph = build_citation_graph([note("notes/a.md", "2305.14314")], CitationData())  # type: ignore[list-item]
    assert graph.cites == {} and graph.missing == [] and graph.entries == {}


# --- does the title name the paper? -------------------------------------------------------------

CHRONOMAGIC = (
    "ChronoMagic-Bench: A Benchmark for Metamorphic Evaluation of Text-to-Time-lapse Video "
    "Generation"
)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("LongLoRA", "LongLoRA: Efficient Fine-tuning of Long-Context Large Language Models"),
        ("Stable-Video-Diffusion", "Stable Video Diffusion: Scaling Latent Video Diffusion Models"),
        ("vbench", "VBench: Comprehensive Benchmark Suite for Video Generative Models"),
        ("webvid10M", "WebVid-10M: a dataset"),
        ("Generative Verifier", "Generative Verifiers: Reward Modeling as Next-Token Prediction"),
        ("CMD", "Efficient Video Diffusion Models via Content-Frame Motion-Latent Decomposition"),
        ("DPO - Q-function", "From r to Q*: Your Language Model is Secretly a Q-Function"),
        ("Quiter-StAR", "Quiet-STaR: Language Models Can Teach Themselves to Think"),
        ("ChronoMagic", CHRONOMAGIC),
        ("Crème brûlée", "Creme Brulee: a recipe"),
    ],
)
def test_short_names_match_their_papers(name: str, title: str) -> None:
    assert name_matches(name, title)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Panda-70M", CHRONOMAGIC),
        ("LoRA", "Attention Is All You Need"),
        ("Efficient Streaming Language Models with Attention Sinks", "Stable Video Diffusion"),
        ("PRM-800k", "Let's Verify Step by Step"),
    ],
)
def test_other_papers_names_do_not(name: str, title: str) -> None:
    assert not name_matches(name, title)


def test_the_abstract_names_what_the_title_does_not() -> None:
    abstract = (
        "We release PRM800K, the complete dataset of 800,000 step-level human feedback labels."
    )
    assert name_matches("PRM-800k", "Let's Verify Step by Step", abstract)


def test_a_title_naming_two_papers_is_reported_for_the_wrong_one() -> None:
    assert unmatched_names("Panda-70M / ChronoMagic", CHRONOMAGIC) == ["Panda-70M"]
    assert unmatched_names("arXiv 2405.09673", "LoRA Learns Less and Forgets Less") == []
    assert unmatched_names("Anything", "") == []  # S2 gave no title: nothing to compare
