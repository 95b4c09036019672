"""``kbtool enrich``: fills and refreshes arXiv fields, keeps every other byte, loses no note."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.core.note import parse_note
from kbtool.enrich import EnrichOptions, Outcome, enrich_notes
from kbtool.errors import RemoteError
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeLookup, Reply
from tests.support.kb import REPO_ROOT, KnowledgeBaseFactory, RunKbtool
from tests.support.terminal import run_on_terminal

HEAT = """\
---
# kept: a comment at the top
title: "Heat-bath walks"    # my own short title
arxiv: 1605.08386
topics: [rlhf]
tags: ['markov', "walks"]
rating: 4
---

## TL;DR

Mixing is fast. — 中文笔记也在这里。
"""

HEAT_ENRICHED = """\
---
# kept: a comment at the top
title: "Heat-bath walks"    # my own short title
arxiv: 1605.08386
authors: [Caprice Stanley, Tobias Windisch]
published: 2016-05-26
updated: 2016-05-26
version: 1
primary_category: math.CO
categories: [math.CO, math.ST]
comment: 20 pages, 3 figures
abstract: Graphs on lattice points are studied whose edges come from a finite set of allowed \
moves of arbitrary length. We show that the diameter of these graphs on fibers of a fixed integer \
matrix can be bounded from above by a constant. We then study the mixing behaviour of heat-bath \
random walks on these graphs. We also state explicit conditions on the set of moves so that the \
heat-bath random walk, a generalization of the Glauber dynamics, is an expander in fixed dimension.
abs_url: https://arxiv.org/abs/1605.08386
pdf_url: https://arxiv.org/pdf/1605.08386v1
topics: [rlhf]
tags: ['markov', "walks"]
rating: 4
---

## TL;DR

Mixing is fast. — 中文笔记也在这里。
"""


def let_time_pass(kb: KnowledgeBaseFactory) -> None:
    """Age the last-request stamp, as if the next CLI run came a minute later.

    Pacing across runs is tested on the injected clock; here only the output matters.
    """
    stamp = kb.root / ".kbtool-cache" / "arxiv" / "last-request"
    stamp.write_text(f"{time.time() - 60}\n")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def body_bytes(data: bytes) -> bytes:
    """Everything after the closing fence line, as bytes."""
    second = data.index(b"\n---", 3)
    return data[data.index(b"\n", second + 1) + 1 :]


def test_fills_missing_fields_and_keeps_every_other_byte(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    path = kb.write_note("heat.md", HEAT)
    result = run_kbtool("enrich", "--no-citations")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == HEAT_ENRICHED
    assert result.stdout == (
        "updated notes/heat.md: filled authors, published, updated, version, "
        "primary_category, categories, comment, abstract, abs_url, pdf_url\n"
    )
    assert result.stderr == (
        "enrich: 1 note with arXiv ids: 1 updated; 1 request, 0 from cache\n"
    )  # no progress bar: stderr is not a terminal
    assert fake_arxiv.id_requests() == [["1605.08386"]]


def test_a_warm_rerun_makes_no_request_and_changes_nothing(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    kb.write_note("heat.md", HEAT)
    kb.write_note("zero.md", "---\ntitle: zero\narxiv: 2104.12255v1\ntopics: [rlhf]\n---\n")
    assert run_kbtool("enrich").exit_code == 0
    assert len(fake_arxiv.requests) == 1
    before = snapshot(kb.root / "notes")
    result = run_kbtool("enrich")
    assert result.exit_code == 0 and result.stdout == ""
    assert "2 up to date; 0 requests, 2 from cache" in result.stderr
    assert len(fake_arxiv.requests) == 1
    assert snapshot(kb.root / "notes") == before


def test_crlf_bom_and_unusual_quoting_survive(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    text = (
        "---\r\n"
        "title: >-\r\n  Heat-bath\r\n  walks\r\n"
        'arxiv: "1605.08386"\r\n'
        "abstract:    # to fill\r\n"
        "authors:\r\n"
        "  - 'Stanley, C.'\r\n"
        "topics:\r\n  - rlhf\r\n"
        "---\r\n\r\nBody line 1\r\nBody line 2 with trailing spaces   \r\n\r\n"
    )
    original = b"\xef\xbb\xbf" + text.encode("utf-8")
    path = kb.write_note("heat.md", original)
    result = run_kbtool("enrich")
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\ntitle: >-\r\n  Heat-bath\r\n  walks\r\n")
    assert body_bytes(data) == body_bytes(original)
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert b"abstract: Graphs on lattice points" in data and b"   # to fill\r\n" in data
    # "Stanley, C." is not arXiv's spelling and kbtool never wrote it: kept.
    assert b"  - 'Stanley, C.'\r\n" in data
    assert "kept notes/heat.md: authors differs from arXiv and was not written by kbtool" in (
        result.stdout
    )


def test_refresh_what_kbtool_wrote_keep_what_the_researcher_changed(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fake_arxiv.add_entry(
        "2410.05677v1", "T2V", summary="First abstract.", published="2024-10-07T10:00:00Z"
    )
    assert run_kbtool("new", "2410.05677", "--topic", "rlhf").exit_code == 0
    [path] = (kb.root / "notes").glob("2410.05677-*.md")
    # The researcher edits the comment by hand and writes notes.
    edited = path.read_text(encoding="utf-8").replace(
        "abstract: First abstract.", "abstract: First abstract (my summary)."
    )
    path.write_text(edited + "My own notes.\n", encoding="utf-8")
    # arXiv publishes v3.
    fake_arxiv.add_entry(
        "2410.05677v3",
        "T2V (renamed)",
        summary="A better abstract.",
        published="2024-10-07T10:00:00Z",
        updated="2024-11-30T10:00:00Z",
        comment="ICLR 2025",
    )
    let_time_pass(kb)
    result = run_kbtool("enrich", "--refresh")
    assert result.exit_code == 0, result.output
    name = f"notes/{path.name}"
    assert result.stdout.splitlines() == [
        f"updated {name}: filled comment; refreshed updated (2024-10-07 → 2024-11-30), "
        "version (1 → 3), pdf_url",
        f"newer version: {name}: arXiv has v3, the note had v1",
        f"kept {name}: abstract differs from arXiv and was not written by kbtool "
        "(--overwrite abstract to take arXiv's)",
    ]
    note = parse_note(path.read_bytes(), name)
    assert note.fields["version"] == 3 and note.fields["title"] == "T2V"  # title: researcher's
    assert note.fields["abstract"] == "First abstract (my summary)."
    assert note.body.endswith("My own notes.\n")
    # Asked explicitly, arXiv's abstract replaces the researcher's.
    let_time_pass(kb)
    result = run_kbtool("enrich", "--overwrite", "abstract", name)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"updated {name}: refreshed abstract\n"
    assert parse_note(path.read_bytes(), name).fields["abstract"] == "A better abstract."


def test_the_record_travels_with_the_notes_so_a_fresh_clone_refreshes(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    # The monthly workflow runs on a fresh clone: no .kbtool-cache, but the committed record.
    fake_arxiv.add_entry("2410.05677v1", "T2V", summary="First.", published="2024-10-07T10:00:00Z")
    assert run_kbtool("new", "2410.05677", "--topic", "rlhf").exit_code == 0
    assert (kb.root / ".kbtool-sync.json").is_file()
    shutil.rmtree(kb.root / ".kbtool-cache")
    fake_arxiv.add_entry("2410.05677v2", "T2V", summary="Second.", published="2024-10-07T10:00:00Z")
    # no stamp either: a fresh clone never waits
    result = run_kbtool("enrich")
    assert result.exit_code == 0, result.output
    assert "refreshed" in result.stdout and "abstract" in result.stdout
    assert "kept" not in result.stdout
    [path] = (kb.root / "notes").glob("2410.05677-*.md")
    assert parse_note(path.read_bytes(), "n.md").fields["abstract"] == "Second."


def test_without_a_record_differing_values_are_kept_equal_ones_adopted(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    # A fresh clone: the note was enriched elsewhere, there is no local cache.
    kb.write_note(
        "heat.md",
        "---\ntitle: x\narxiv: 1605.08386\nversion: 1\ncomment: my comment\ntopics: [rlhf]\n---\n",
    )
    result = run_kbtool("enrich")
    assert "kept notes/heat.md: comment differs" in result.stdout
    # version 1 equals arXiv's: from now on it is kbtool's to refresh.
    fake_arxiv.add_entry("1605.08386v2", "Heat", published="2016-05-26T17:59:46Z")
    let_time_pass(kb)
    result = run_kbtool("enrich", "--refresh")
    assert result.stdout.startswith("updated notes/heat.md: refreshed authors, version (1 → 2),")
    assert "kept notes/heat.md: comment differs" not in result.stdout  # arXiv has none now


def test_values_holding_comments_are_kept(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    text = (
        "---\ntitle: x\narxiv: 1605.08386\nauthors:\n  - Caprice Stanley  # emailed her\n"
        "  - T. Windisch\ntopics: [rlhf]\n---\n"
    )
    path = kb.write_note("heat.md", text)
    result = run_kbtool("enrich", "--overwrite", "all")
    assert result.exit_code == 0, result.output
    assert "  - Caprice Stanley  # emailed her\n  - T. Windisch\n" in path.read_text()
    assert "kept notes/heat.md: authors differs from arXiv and holds comments" in result.stdout


def test_dry_run_prints_a_diff_and_writes_nothing(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    kb.write_note("heat.md", HEAT)
    before = snapshot(kb.root)
    result = run_kbtool("enrich", "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(kb.root) == before  # the cache neither
    lines = result.stdout.splitlines()
    assert lines[0].startswith("would update notes/heat.md: filled authors")
    assert lines[1:4] == ["--- a/notes/heat.md", "+++ b/notes/heat.md", "@@ -2,6 +2,16 @@"]
    assert "+authors: [Caprice Stanley, Tobias Windisch]" in lines
    assert ' title: "Heat-bath walks"    # my own short title' in lines
    assert not any(line.startswith("-") and not line.startswith("---") for line in lines)
    assert "(dry run: nothing written)" in result.stderr


def test_unknown_ids_and_bad_notes_are_reported_the_others_written(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    good = kb.write_note("heat.md", HEAT)
    unknown = kb.write_note("gone.md", "---\ntitle: x\narxiv: 0808.05394\ntopics: [rlhf]\n---\n")
    broken_text = b"---\ntitle: [unclosed\narxiv: 2104.12255\n---\nbody\n"
    broken = kb.write_note("broken.md", broken_text)
    latin = kb.write_note(
        "latin.md", "---\ntitle: caf\xe9\narxiv: 2104.12255\n---\n".encode("latin-1")
    )
    bad_id = kb.write_note("badid.md", "---\ntitle: x\narxiv: 9999.99999\n---\n")
    kb.write_note("plain.md", "---\ntitle: no id\ntopics: [rlhf]\n---\n")
    untouched = {p: p.read_bytes() for p in (unknown, broken, latin, bad_id)}
    result = run_kbtool("enrich")
    assert result.exit_code == 4
    assert good.read_text(encoding="utf-8") == HEAT_ENRICHED
    assert all(p.read_bytes() == data for p, data in untouched.items())
    assert result.stdout.splitlines() == [
        "not editable: notes/badid.md: arxiv: '9999.99999' is not an arXiv id",
        "not editable: notes/broken.md: line 3: frontmatter is not valid YAML: while parsing a "
        "flow sequence, did not find expected ',' or ']'; not edited",
        "unknown to arXiv: notes/gone.md: arXiv has no paper 0808.05394",
        "updated notes/heat.md: filled authors, published, updated, version, primary_category, "
        "categories, comment, abstract, abs_url, pdf_url",
        "not editable: notes/latin.md: not valid UTF-8; not edited (try `kbtool fix-encoding`)",
    ]
    assert "1 without an arXiv id skipped" in result.stderr
    assert result.stderr.endswith(
        "kbtool: error: 4 notes not enriched (1 unknown to arXiv, 3 not editable); "
        "1 enriched or up to date\n"
    )


def test_duplicate_keys_and_flow_mappings_are_left_alone(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    duplicate = "---\narxiv: 1605.08386\nabstract: mine\nabstract: also mine\n---\nbody\n"
    flow = "---\n{arxiv: '2104.12255', title: x}\n---\nbody\n"
    paths = [kb.write_note("dup.md", duplicate), kb.write_note("flow.md", flow)]
    result = run_kbtool("enrich", "--overwrite", "all")
    assert result.exit_code == 4
    assert [p.read_text() for p in paths] == [duplicate, flow]
    assert result.stdout.splitlines() == [
        "not editable: notes/dup.md: key 'abstract' appears twice; not edited",
        "not editable: notes/flow.md: frontmatter is not a block mapping of keys; not edited",
    ]


def test_enrich_selected_notes_by_path_or_id(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    kb.write_note("heat.md", HEAT)
    kb.write_note("sub/zero.md", "---\ntitle: zero\narxiv: 2104.12255v1\ntopics: [rlhf]\n---\n")
    kb.write_note("astro.md", "---\ntitle: a\narxiv: astro-ph/0601001\ntopics: [rlhf]\n---\n")
    result = run_kbtool("enrich", str(kb.root / "notes" / "heat.md"), "arXiv:2104.12255")
    assert result.exit_code == 0, result.output
    assert fake_arxiv.id_requests() == [["1605.08386", "2104.12255"]]
    assert "updated notes/sub/zero.md" in result.stdout
    assert "astro.md" not in result.stdout


@pytest.mark.parametrize(
    ("selector", "fragment"),
    [
        ("../x", "../x: not a note (outside"),
        ("../mkdocs.yml", "not a note (outside"),
        ("/etc/passwd", "/etc/passwd: not a note (outside"),
        ("notes/missing.md", "notes/missing.md: no such note"),
        ("2410.05677", "2410.05677: no note has arXiv id 2410.05677"),
        ("abc", "abc: no such note, and not an arXiv id"),
        ("notes/heat.md\x00", "contains a NUL byte"),
    ],
)
def test_bad_selectors_one_line_exit_4_nothing_fetched(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    monkeypatch: pytest.MonkeyPatch,
    selector: str,
    fragment: str,
) -> None:
    kb.write_note("heat.md", HEAT)
    monkeypatch.chdir(kb.root)
    before = snapshot(kb.root)
    result = run_kbtool("enrich", "notes/heat.md", selector)
    assert result.exit_code == 4
    assert fragment in result.stderr and result.stderr.count("\n") == 1
    assert fake_arxiv.requests == [] and snapshot(kb.root) == before


def test_all_batches_fail_exit_6(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  retries: 0\n")
    path = kb.write_note("heat.md", HEAT)
    fake_arxiv.script(Reply(503))
    result = run_kbtool("enrich")
    assert result.exit_code == 6
    assert "not fetched: notes/heat.md: arXiv did not answer for 1605.08386: HTTP 503" in (
        result.stdout
    )
    assert result.stderr.endswith("run again later for the rest\n")
    assert path.read_text(encoding="utf-8") == HEAT


# --- batches, with the injected clock -----------------------------------------------------------

IDS = ["1605.08386", "2104.12255", "1707.08567", "astro-ph/0601001", "quant-ph/0201082"]


def write_id_notes(kb: KnowledgeBaseFactory) -> list[Path]:
    return [
        kb.write_note(f"n{i}.md", f"---\ntitle: n{i}\narxiv: {arxiv}\ntopics: [rlhf]\n---\nB{i}\n")
        for i, arxiv in enumerate(IDS)
    ]


def test_batched_polite_requests(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup, clock: ManualClock
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  batch_size: 2\n")
    write_id_notes(kb)
    report = enrich_notes(Layout(kb.root), lookup=make_lookup())
    assert report.count(Outcome.UPDATED) == 5 and report.error() is None
    assert fake_arxiv.id_requests() == [IDS[0:2], IDS[2:4], IDS[4:5]]
    assert {r.query["max_results"] for r in fake_arxiv.requests} == {"2"}
    assert clock.sleeps == [3.0, 3.0]  # one request at a time, 3 s apart
    again = enrich_notes(Layout(kb.root), lookup=make_lookup())
    assert again.requests == 0 and again.from_cache == 5
    assert again.count(Outcome.UP_TO_DATE) == 5


def test_one_failed_batch_never_loses_the_other_notes(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  batch_size: 2\n  retries: 1\n")
    paths = write_id_notes(kb)
    first = fake_arxiv.answer({"id_list": ",".join(IDS[0:2])})
    fake_arxiv.script(first, Reply(503), Reply(503))
    report = enrich_notes(Layout(kb.root), lookup=make_lookup())
    outcomes = {r.path: r.outcome for r in report.results}
    assert outcomes == {
        "notes/n0.md": Outcome.UPDATED,
        "notes/n1.md": Outcome.UPDATED,
        "notes/n2.md": Outcome.FAILED,
        "notes/n3.md": Outcome.FAILED,
        "notes/n4.md": Outcome.UPDATED,
    }
    for index in (0, 1, 4):
        assert parse_note(paths[index].read_bytes(), "n").fields.get("authors")
    for index in (2, 3):
        assert "authors" not in parse_note(paths[index].read_bytes(), "n").fields
    error = report.error()
    assert isinstance(error, RemoteError) and error.exit_code == 6
    assert error.message.startswith("2 notes not enriched (2 not fetched); 3 enriched or up to")


def test_a_note_changed_during_the_run_is_not_overwritten(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    paths = write_id_notes(kb)
    edited = b"---\ntitle: edited meanwhile\narxiv: astro-ph/0601001\n---\nNew text.\n"

    def researcher_saves(done: int, total: int) -> None:
        if done == 1:  # the others were read before the first was written
            paths[3].write_bytes(edited)

    report = enrich_notes(Layout(kb.root), lookup=make_lookup(), progress=researcher_saves)
    result = next(r for r in report.results if r.path == "notes/n3.md")
    assert result.outcome is Outcome.SKIPPED and "changed on disk" in (result.message or "")
    assert paths[3].read_bytes() == edited
    assert report.count(Outcome.UPDATED) == 4


def test_dry_run_through_the_library_leaves_the_cache_alone(
    kb: KnowledgeBaseFactory, arxiv_url: str
) -> None:
    write_id_notes(kb)
    before = snapshot(kb.root)
    report = enrich_notes(Layout(kb.root), options=EnrichOptions(dry_run=True))
    assert report.count(Outcome.UPDATED) == 5
    assert all(r.diff for r in report.results) and snapshot(kb.root) == before


# --- the progress bar, on a real terminal -------------------------------------------------------


def test_progress_bar_on_a_terminal_only(
    kb: KnowledgeBaseFactory, arxiv_url: str, tmp_path: Path
) -> None:
    kb.write_note("heat.md", HEAT)
    run = run_on_terminal(["-m", "kbtool", "--root", str(kb.root), "enrich", "--dry-run"])
    assert run.returncode == 0
    assert "━" in run.terminal and "1/1" in run.terminal  # rich's bar and count
    assert "━" not in run.stdout  # never on the (piped) output


def test_python_m_kbtool_is_the_cli() -> None:
    assert shutil.which(sys.executable)
    result = subprocess.run(
        [sys.executable, "-m", "kbtool", "enrich", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0 and "--dry-run" in result.stdout


def test_a_dry_run_waits_for_the_last_run_but_leaves_no_stamp(
    kb: KnowledgeBaseFactory, make_lookup: MakeLookup, clock: ManualClock
) -> None:
    write_id_notes(kb)
    stamp = kb.root / ".kbtool-cache" / "arxiv" / "last-request"
    stamp.parent.mkdir(parents=True)
    stamp.write_text(f"{clock.now().timestamp() - 1.0}\n")  # another run, a second ago
    enrich_notes(
        Layout(kb.root), options=EnrichOptions(dry_run=True), lookup=make_lookup(persist=False)
    )
    assert clock.sleeps == [pytest.approx(2.0)]
    assert stamp.read_text() == f"{clock.now().timestamp() - 3.0}\n"


def test_an_unchanged_sync_record_is_not_rewritten(
    kb: KnowledgeBaseFactory, make_lookup: MakeLookup
) -> None:
    write_id_notes(kb)
    enrich_notes(Layout(kb.root), lookup=make_lookup())
    synced = kb.root / ".kbtool-sync.json"
    before = synced.stat().st_mtime_ns
    time.sleep(0.01)
    enrich_notes(Layout(kb.root), lookup=make_lookup())
    assert synced.stat().st_mtime_ns == before


def test_a_note_named_from_the_root_or_inside_notes(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb.write_note("heat.md", HEAT)
    monkeypatch.chdir(kb.root)
    result = run_kbtool("enrich", "heat.md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("updated notes/heat.md")
    result = run_kbtool("enrich", "gone.md")
    assert result.exit_code == 4 and result.stderr == "kbtool: error: gone.md: no such note\n"


def test_a_failed_batch_names_its_first_ids_not_all(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  retries: 0\n")
    write_id_notes(kb)
    fake_arxiv.script(Reply(503))
    report = enrich_notes(Layout(kb.root), lookup=make_lookup())
    message = report.results[0].message or ""
    assert message == (
        "arXiv did not answer for 1605.08386, 2104.12255, 1707.08567… (5 ids): HTTP 503 "
        f"after 1 try ({fake_arxiv.url})"
    )


# --- JSON ---------------------------------------------------------------------------------------


def test_json_output_reports_each_note(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    kb.write_note("heat.md", HEAT.replace("title:", "published: 2015-01-01\ntitle:"))
    kb.write_note("gone.md", "---\ntitle: x\narxiv: 0808.05394\ntopics: [rlhf]\n---\n")
    kb.write_note("mine.md", "---\ntitle: mine\ntopics: [rlhf]\n---\n")
    dry = run_kbtool("enrich", "--dry-run", "--format", "json")
    assert dry.exit_code == 4  # the unknown paper
    assert dry.stderr.startswith("kbtool: error: 1 note not enriched (1 unknown to arXiv)")
    data = json.loads(dry.stdout)
    assert data["dry_run"] is True and data["without_arxiv_id"] == 1
    assert data["counts"] == {
        "updated": 1,
        "up_to_date": 0,
        "unknown": 1,
        "skipped": 0,
        "failed": 0,
    }
    gone, heat = data["notes"]
    assert gone == {
        "path": "notes/gone.md",
        "arxiv": "0808.05394",
        "outcome": "unknown",
        "changes": [],
        "kept": [],
        "newer_version": None,
        "message": "arXiv has no paper 0808.05394",
        "diff": None,
    }
    assert heat["path"] == "notes/heat.md" and heat["outcome"] == "updated"
    assert {
        "field": "authors",
        "action": "filled",
        "old": None,
        "new": [
            "Caprice Stanley",
            "Tobias Windisch",
        ],
    } in heat["changes"]
    assert heat["kept"] == [
        {
            "field": "published",
            "value": "2015-01-01",
            "arxiv": "2016-05-26",
            "reason": "differs from arXiv and was not written by kbtool",
        }
    ]
    assert heat["diff"].startswith("--- a/notes/heat.md\n+++ b/notes/heat.md\n")
    result = run_kbtool("enrich", "--format", "json", "notes/heat.md")
    assert result.exit_code == 0 and result.stderr == ""
    written = json.loads(result.stdout)
    assert written["dry_run"] is False and written["requests"] == 1
    assert [(n["path"], n["outcome"]) for n in written["notes"]] == [("notes/heat.md", "updated")]
    assert "diff" not in written["notes"][0]
