"""``kbtool import`` and ``kbtool fix-encoding`` through the real CLI, on real files."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.core.note import parse_note
from kbtool.importers.manifest import MANIFEST_FILE
from kbtool.importers.pipeline import import_files
from tests.support.kb import DATA_DIR
from tests.support.kb import run_cli as run
from tests.support.seeds import (
    SEEDS,
    SEEDS_DIR,
    ImportedSeeds,
    new_knowledge_base,
    seed_arxiv_ids,
    snapshot,
)
from tests.support.terminal import run_on_terminal

SEED_ARGS = [str(seed) for seed in SEEDS]


def copy_of(imported: ImportedSeeds, tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(imported.root, root)
    return root


def notes_of(root: Path) -> list:
    return [
        parse_note(path.read_bytes(), f"notes/{path.name}")
        for path in sorted((root / "notes").glob("*.md"))
    ]


def test_every_arxiv_paper_in_the_seeds_has_exactly_one_note(imported_seeds: ImportedSeeds) -> None:
    root = imported_seeds.root
    expected = seed_arxiv_ids()
    assert len(expected) == 121
    found = [n.arxiv_id.base for n in notes_of(root) if n.arxiv_id is not None]
    assert sorted(found) == sorted(expected)


def test_papers_without_an_arxiv_link_have_notes_too(imported_seeds: ImportedSeeds) -> None:
    root = imported_seeds.root
    notes = notes_of(root)
    titles = {n.title for n in notes if n.arxiv_id is None}
    monthly = (SEEDS_DIR / "002_9e0ac7a3b9bc28b9.txt").read_text(encoding="utf-8")
    for line in monthly.split("\n"):
        if line.startswith("#### "):
            assert line[5:].strip() in titles
    openreview = {n.fields.get("openreview") for n in notes}
    assert {"pzElnMrgSD", "hYHsrKDiX7", "LCTmppB165"} <= openreview
    assert {"STAR", "Quiter-StAR", "V-StaR", "Venhancer", "vbench", "Dynamic-NTK"} <= titles


def test_imported_knowledge_base_passes_check(imported_seeds: ImportedSeeds) -> None:
    result = run(imported_seeds.root, "check")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.stderr


def test_report_counts_and_lists(imported_seeds: ImportedSeeds) -> None:
    report = imported_seeds.report_text
    assert "000_5d12a05c003c2611.txt: nested-bullet paper-reading notes, 463 lines" in report
    assert "001_c7c9bcd0b8655519.txt: nested-bullet paper-reading notes, 243 lines" in report
    lines = report.split("\n")
    counts = lines[
        lines.index("001_c7c9bcd0b8655519.txt: nested-bullet paper-reading notes, 243 lines") + 2
    ]
    # 001 is an earlier copy of part of 000: every paper in it merges into 000's notes.
    assert counts.strip().startswith("papers found 54 · notes created 0 ·")
    assert "merged 54" in counts
    assert "Conflicting names for one link — settle these (1):" in report
    assert '2406.18522 is "Panda-70M" (000_5d12a05c003c2611.txt:123) and "ChronoMagic"' in report
    assert "004_02f32a247155a116.txt:3: the digest bot's own set-up text:" in report
    assert "003_cf0bf9a65bc717fa.txt:133: commented out in the source" in report


def test_conflicting_note_keeps_both_texts(imported_seeds: ImportedSeeds) -> None:
    root = imported_seeds.root
    (note,) = [n for n in notes_of(root) if n.arxiv_id and n.arxiv_id.base == "2406.18522"]
    assert note.title == "Panda-70M / ChronoMagic"
    assert "a curated subset of HDVILA-100M" in note.body
    assert "[ChronoMagic](https://arxiv.org/pdf/2406.18522) benchmark" in note.body
    assert set(note.string_list("topics")) == {
        "image-to-video",
        "video-datasets",
        "video-benchmarks",
    }


def test_second_run_creates_nothing_and_changes_nothing(
    imported_seeds: ImportedSeeds, tmp_path: Path
) -> None:
    root = copy_of(imported_seeds, tmp_path)
    before = snapshot(root)
    result = run(root, "import", *SEED_ARGS)
    assert result.exit_code == 0, result.output
    assert "Notes: 167 unchanged" in result.stdout
    assert "Topic texts: 14 unchanged" in result.stdout
    assert "create" not in result.stdout.split("Files")[-1]
    assert snapshot(root) == before


def test_a_note_edited_since_the_import_is_never_overwritten(
    imported_seeds: ImportedSeeds, tmp_path: Path
) -> None:
    root = copy_of(imported_seeds, tmp_path)
    edited = next((root / "notes").glob("2310.12190-*.md"))
    edited_text = edited.read_text(encoding="utf-8") + "\nMy own thoughts.\n"
    edited.write_text(edited_text, encoding="utf-8")
    topic = root / "topics" / "kv-cache.md"
    topic.write_text("My own overview of KV caches.\n", encoding="utf-8")
    # The sources change too, so the import would otherwise rewrite both files.
    sources = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, sources)
    seed = sources / "000_5d12a05c003c2611.txt"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(
        text.replace("trained on WebVid10M dataset", "trained on the WebVid10M dataset").replace(
            "- insights: attention", "- insights (revised): attention"
        ),
        encoding="utf-8",
    )
    result = run(root, "import", *(str(p) for p in sorted(sources.glob("*.txt"))))
    assert result.exit_code == 0, result.output
    assert edited.read_text(encoding="utf-8") == edited_text
    assert topic.read_text(encoding="utf-8") == "My own overview of KV caches.\n"
    assert f"notes/{edited.name}: keep (edited since import)" in result.stdout
    assert "topics/kv-cache.md: keep (edited since import)" in result.stdout
    assert "Notes: 166 unchanged, 1 keep (edited since import)" in result.stdout
    assert "Topic texts: 13 unchanged, 1 keep (edited since import)" in result.stdout


def test_an_unedited_note_follows_its_source(imported_seeds: ImportedSeeds, tmp_path: Path) -> None:
    root = copy_of(imported_seeds, tmp_path)
    sources = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, sources)
    seed = sources / "002_9e0ac7a3b9bc28b9.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace(
            "Memory bank; Long-Term", "Memory bank; long-term"
        ),
        encoding="utf-8",
    )
    note = next((root / "notes").glob("ma-lmm-*.md"))
    added = parse_note(note.read_bytes(), "n").fields["added"]
    result = run(root, "import", *(str(p) for p in sorted(sources.glob("*.txt"))))
    assert result.exit_code == 0, result.output
    assert "Notes: 1 update, 166 unchanged" in result.stdout
    updated = parse_note(note.read_bytes(), "n")
    assert "Memory bank; long-term" in updated.body
    assert updated.fields["added"] == added


def test_an_existing_note_for_a_paper_is_left_alone(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    mine = root / "notes" / "my-t2v-turbo.md"
    mine.write_text(
        "---\ntitle: T2V-Turbo-v2\narxiv: 2410.05677v2\ntopics: [image-to-video]\n---\n\nMine.\n"
    )
    result = run(root, "import", str(SEEDS_DIR / "000_5d12a05c003c2611.txt"))
    assert result.exit_code == 0, result.output
    assert (
        mine.read_text()
        == "---\ntitle: T2V-Turbo-v2\narxiv: 2410.05677v2\ntopics: [image-to-video]\n---\n\nMine.\n"
    )
    assert "notes/my-t2v-turbo.md: keep (not written by the importer)" in result.stdout
    assert (
        "papers found 79 · notes created 77 · updated 0 · unchanged 0 · merged 1 · skipped 1"
        in (result.stdout)
    )
    assert not list((root / "notes").glob("2410.05677-*.md"))
    assert run(root, "check").exit_code == 0


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    before = snapshot(root)
    result = run(root, "import", "--dry-run", *SEED_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Import report (dry run: nothing written)")
    assert "Notes: 167 create" in result.stdout
    assert "create     notes/2410.05677-t2v-turbo-v2.md" in result.stdout
    assert snapshot(root) == before


def test_unsorted_topic_is_added_when_the_registry_lacks_it(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb", topics=None)
    (root / "topics.yml").write_text("# my topics\nrlhf:\n  title: RLHF\n", encoding="utf-8")
    result = run(root, "import", str(SEEDS_DIR / "004_02f32a247155a116.txt"))
    assert result.exit_code == 0, result.output
    assert "topics.yml: did add the topic 'unsorted'" in result.stdout
    topics = (root / "topics.yml").read_text(encoding="utf-8")
    assert topics.startswith("# my topics\nrlhf:\n  title: RLHF\n\nunsorted:\n")
    assert run(root, "check").exit_code == 0


def test_report_file(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    report = tmp_path / "report.txt"
    result = run(
        root, "import", "--report", str(report), str(SEEDS_DIR / "002_9e0ac7a3b9bc28b9.txt")
    )
    assert result.exit_code == 0
    assert report.read_text(encoding="utf-8") == result.stdout


def test_manifest_records_what_was_written(imported_seeds: ImportedSeeds) -> None:
    root = imported_seeds.root
    manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    entry = manifest["files"]["notes/2310.12190-dynamicrafter.md"]
    assert entry["key"] == "arxiv:2310.12190"
    assert entry["sources"] == ["000_5d12a05c003c2611.txt:22"]
    assert len(manifest["files"]) == 167 + 14


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "prose.md",
            b"# Thoughts\n\nJust prose, no papers.\n",
            "not in a format kbtool can import",
        ),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not text"),
        ("latin1.txt", "## Caf\u00e9\n".encode("latin-1"), "not UTF-8 (byte 0xe9)"),
    ],
)
def test_bad_input_is_one_line_exit_4_and_nothing_written(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    bad = tmp_path / name
    bad.write_bytes(content)
    before = snapshot(root)
    # A good file before the bad one: nothing is written unless every file is good.
    result = run(root, "import", str(SEEDS_DIR / "002_9e0ac7a3b9bc28b9.txt"), str(bad))
    assert result.exit_code == 4
    assert result.stdout == ""
    (line,) = result.stderr.strip().split("\n")
    assert line.startswith(f"kbtool: error: {bad}") and message in line
    assert snapshot(root) == before


def test_missing_file(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    before = snapshot(root)
    result = run(root, "import", str(tmp_path / "nope.txt"))
    assert result.exit_code == 4
    assert result.stderr == f"kbtool: error: {tmp_path / 'nope.txt'}: no such file\n"
    assert snapshot(root) == before


def test_import_needs_files(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    result = run(root, "import")
    assert result.exit_code == 2


DAMAGED = SEEDS_DIR.parent / "encoding" / "seed_lines_damaged.txt"


def test_fix_encoding_prints_the_repaired_text(tmp_path: Path) -> None:
    result = run(tmp_path, "fix-encoding", str(DAMAGED))
    assert result.exit_code == 0
    assert result.stdout.startswith("        - 三阶段训练\n")
    assert "(自己标了LVD，并过滤)" in result.stdout
    assert result.stdout.count("\n") == DAMAGED.read_text(encoding="utf-8").count("\n")
    uncertain = [line for line in result.stderr.split("\n") if line]
    assert uncertain, "the damaged sample has characters the repair marks"
    for line in uncertain:
        assert line.startswith(f"{DAMAGED}:") and ": uncertain character ⟦" in line
    line_no = int(uncertain[0].split(":")[1])
    assert "⟦" in result.stdout.split("\n")[line_no - 1]


def test_fix_encoding_in_place(tmp_path: Path) -> None:
    target = tmp_path / "note.md"
    shutil.copy(DAMAGED, target)
    printed = run(tmp_path, "fix-encoding", str(target)).stdout
    result = run(tmp_path, "fix-encoding", "--in-place", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == printed
    assert "repaired (" in result.stderr
    again = run(tmp_path, "fix-encoding", "--in-place", str(target))
    assert again.exit_code == 0
    assert again.stderr.strip().endswith("nothing to repair")
    assert target.read_text(encoding="utf-8") == printed


def test_fix_encoding_leaves_clean_text_alone(tmp_path: Path) -> None:
    clean = SEEDS_DIR / "003_cf0bf9a65bc717fa.txt"
    result = run(tmp_path, "fix-encoding", str(clean))
    assert result.exit_code == 0
    assert result.stdout == clean.read_text(encoding="utf-8")
    assert result.stderr == ""


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary", b"caf\xe9\n"])
def test_fix_encoding_bad_input(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "bad.md"
    target.write_bytes(content)
    result = run(tmp_path, "fix-encoding", "--in-place", str(target))
    assert result.exit_code == 4
    assert result.stderr.startswith(f"kbtool: error: {target}:1: ")
    assert target.read_bytes() == content
    missing = run(tmp_path, "fix-encoding", str(tmp_path / "gone.md"))
    assert (missing.exit_code, missing.stderr) == (
        4,
        f"kbtool: error: {tmp_path / 'gone.md'}: no such file\n",
    )


def test_importing_some_of_the_files_again_never_drops_the_others_text(
    imported_seeds: ImportedSeeds, tmp_path: Path
) -> None:
    root = copy_of(imported_seeds, tmp_path)
    before = snapshot(root)
    # FreeNoise's note holds text from 000 and 003; a run with 003 alone must not
    # rewrite it from 003 only, even though the note was never edited.
    result = run(root, "import", str(SEEDS_DIR / "003_cf0bf9a65bc717fa.txt"))
    assert result.exit_code == 0, result.output
    freenoise = next((root / "notes").glob("2310.15169-*.md")).name
    assert f"notes/{freenoise}: keep (also made from files not in this import)" in result.stdout
    assert "Notes: 42 unchanged, 1 keep (also made from files not in this import)" in result.stdout
    assert snapshot(root) == before


def test_an_import_file_name_shows_as_text_on_the_site(tmp_path: Path) -> None:
    # Every part of an imported note is labelled with its source file's name, in a
    # code span: a name holding backticks must not close the span and become markup.
    name = "a`<img src=x onerror=alert(1)>`.md"
    source = tmp_path / name
    shutil.copyfile(Path(__file__).parent / "data" / "import" / "awesome_list.md", source)
    root = new_knowledge_base(tmp_path / "kb")
    assert run(root, "import", str(source)).exit_code == 0
    assert run(root, "build", "-q").exit_code == 0
    pages = [p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html")]
    labelled = [html for html in pages if "onerror=alert(1)" in html]
    assert labelled, "no page shows the source label"
    for html in labelled:
        assert "<img src=x onerror" not in html
        assert "<code>a`&lt;img src=x onerror=alert(1)&gt;`.md</code>" in html


def test_a_manifest_path_outside_the_knowledge_base_is_refused(tmp_path: Path) -> None:
    # The manifest is committed data: a path in it must never lead the importer to
    # rewrite a file outside notes/ and topics/, even one whose hash it records.
    source = Path(__file__).parent / "data" / "import" / "awesome_list.md"
    root = new_knowledge_base(tmp_path / "kb")
    assert run(root, "import", str(source)).exit_code == 0
    victim = tmp_path / "victim.md"
    victim.write_text("the researcher's other file\n", encoding="utf-8")
    manifest_file = root / MANIFEST_FILE
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    path, entry = next((p, e) for p, e in manifest["files"].items() if p.startswith("notes/"))
    entry["sha256"] = [hashlib.sha256(victim.read_bytes()).hexdigest()]
    manifest["files"] = {"../victim.md": entry}
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    (root / path).unlink()
    result = run(root, "import", str(source))
    assert result.exit_code == 4, result.output
    assert "../victim.md" in result.stderr and "\n" not in result.stderr.rstrip("\n")
    assert victim.read_text(encoding="utf-8") == "the researcher's other file\n"


def test_a_topics_file_that_cannot_be_read_stops_the_import(tmp_path: Path) -> None:
    # Papers are filed by topics.yml: with it unreadable, every paper would land in
    # 'unsorted' and the broken file would get an entry appended. Nothing is written.
    root = new_knowledge_base(tmp_path / "kb")
    topics = root / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") + "broken: [\n", encoding="utf-8")
    before = snapshot(root)
    result = run(root, "import", str(Path(__file__).parent / "data" / "import" / "awesome_list.md"))
    assert result.exit_code == 4
    assert result.stderr.startswith("kbtool: error: ")
    assert "topics.yml:" in result.stderr and "invalid YAML" in result.stderr
    assert snapshot(root) == before


def test_progress_per_file_on_a_terminal_only(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    sources = [DATA_DIR / "import" / name for name in ("monthly_list.md", "awesome_list.md")]
    heard: list[tuple[int, int | None]] = []
    import_files(
        Layout(root),
        sources,
        today=date(2025, 1, 2),
        dry_run=True,
        progress=lambda done, total: heard.append((done, total)),
    )
    assert heard == [(0, 2), (1, 2), (2, 2)]
    run = run_on_terminal(
        ["-m", "kbtool", "--root", str(root), "import", *(str(s) for s in sources)]
    )
    assert run.returncode == 0, run.terminal
    assert "reading files" in run.terminal and "2/2" in run.terminal
    assert run.stdout.startswith("Import report\n")


def test_json_report(tmp_path: Path) -> None:
    root = new_knowledge_base(tmp_path / "kb")
    report_file = tmp_path / "report.json"
    source = str(SEEDS_DIR / "002_9e0ac7a3b9bc28b9.txt")
    result = run(root, "import", "--format", "json", "--report", str(report_file), source)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert report_file.read_text(encoding="utf-8") == result.stdout
    (file,) = data["files"]
    assert file["name"] == "002_9e0ac7a3b9bc28b9.txt" and file["format"] == "monthly-list"
    assert file["notes_created"] == file["papers_found"] > 0
    assert all({"line", "reason", "text"} == set(s) for s in file["skipped_lines"])
    notes = [w for w in data["written"] if w["kind"] == "note"]
    assert len(notes) == file["notes_created"] and {w["action"] for w in notes} == {"create"}
    assert all((root / w["path"]).is_file() for w in data["written"])
    assert data["papers"]["total"] == len(notes) and data["dry_run"] is False
    again = json.loads(run(root, "import", "--format", "json", "--dry-run", source).stdout)
    assert {w["action"] for w in again["written"]} == {"unchanged"} and again["dry_run"] is True
