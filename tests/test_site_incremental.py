"""Builds that reuse their work: each kind of edit changes the pages it should, and no others.

After every edit, the pages a rebuild produces (reading only what changed,
rendering only pages whose inputs changed) must equal those of a clean render;
and the set of pages whose text changed is what a researcher would expect: a
body edit changes one page, a title change the pages that list or link to the
paper. The MkDocs-level checks (``--dirty`` rebuilds as ``kbtool serve`` does
them, the page cache, worker processes) compare whole built sites byte for byte.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from kbtool.citations.graph import load_citation_graph
from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.site.build import build_site
from kbtool.site.incremental.convert import Conversion, PageConverter, apply_conversion
from kbtool.site.incremental.session import SiteSession
from kbtool.site.markup.raw_html import stash_raw_blocks
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, render_site
from kbtool.watch.inbox import load_inbox
from tests.support.kb import REPO_ROOT
from tests.support.site import (
    CITATIONS,
    DPO,
    DYNAMICRAFTER,
    SVD,
    T2V,
    XSS,
    copy_fixture,
    fixture_site,
)

OPTIONS = SiteOptions(site_name="Fixture notes")
PATHS = SitePaths()


def clean_pages(root: Path) -> dict[str, str]:
    """The site's pages rendered from nothing."""
    layout = Layout(root)
    kb = load_knowledge_base(layout)
    return render_site(kb, PATHS, OPTIONS, load_inbox(layout), load_citation_graph(kb)).pages


class Rebuilds:
    """One serve session's renders of a knowledge base, each checked against a clean render."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.session = SiteSession(
            Layout(root), serving=True, dirty=True, workers=1, use_cache=False
        )
        self.pages = self.session.render(PATHS, OPTIONS).pages

    def build(self, *, same_as_clean: bool = True) -> set[str]:
        """Render again; the names of the files whose text changed."""
        before = self.pages
        self.pages = self.session.render(PATHS, OPTIONS).pages
        if same_as_clean:
            assert self.pages == clean_pages(self.root)
        changed = {uri for uri, text in self.pages.items() if before.get(uri) != text}
        changed |= before.keys() - self.pages.keys()
        report = self.session.report
        assert changed == set(report.changed) | set(report.removed)
        return changed

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def rebuilds(tmp_path: Path) -> Rebuilds:
    return Rebuilds(copy_fixture(tmp_path / "kb", citations=True))


def note(uri: str) -> str:
    """The note file of a paper page (``papers/x.md`` → ``notes/x.md``)."""
    return "notes/" + uri.removeprefix("papers/")


def test_nothing_changed_renders_nothing(rebuilds: Rebuilds) -> None:
    assert rebuilds.build() == set()
    assert rebuilds.session.report.rendered == 0


def test_a_body_edit_changes_the_page_of_that_note_alone(rebuilds: Rebuilds) -> None:
    rebuilds.edit(note(DPO), "奖励模型不再需要单独训练。", "奖励模型不再需要单独训练，真的。")
    assert rebuilds.build() == {DPO}


def test_a_title_change_reaches_the_pages_that_list_or_link_to_the_paper(
    rebuilds: Rebuilds,
) -> None:
    rebuilds.edit(note(SVD), 'title: "Stable Video Diffusion', 'title: "Stable Video Diffusion 2')
    changed = rebuilds.build()
    listing = {
        "index.md",  # recently added
        "timeline.md",
        "venues.md",
        "tags.md",
        "topics/video-diffusion/index.md",
        "topics/image-to-video/index.md",
        "references.bib",
        "notes.xml",
    }
    # T2V links to it ([[2311.15127|SVD]] keeps its label, but the wikilink without one
    # shows the title) and lists it among related papers; DynamiCrafter shares a tag.
    assert listing | {SVD, T2V, DYNAMICRAFTER} <= changed
    assert DPO not in changed and XSS not in changed  # they neither list nor link to it
    assert "topics/rlhf/index.md" not in changed


def test_a_title_changed_only_in_case_still_reaches_the_links_that_show_it(
    rebuilds: Rebuilds,
) -> None:
    # [[SVD#training-stages]] in T2V's note shows SVD's title: same names, new letters.
    rebuilds.edit(note(SVD), 'title: "Stable Video Diffusion', 'title: "STABLE VIDEO DIFFUSION')
    assert {SVD, T2V} <= rebuilds.build()
    assert "STABLE VIDEO DIFFUSION" in rebuilds.pages[T2V]


def test_a_new_link_changes_both_ends(rebuilds: Rebuilds) -> None:
    rebuilds.edit(
        note(DPO), "奖励模型不再需要单独训练。", "奖励模型不再需要单独训练。见 [[2311.15127]]。"
    )
    assert rebuilds.build() == {DPO, SVD}  # SVD's page now lists DPO under "Mentioned in"


def test_a_tag_change(rebuilds: Rebuilds) -> None:
    rebuilds.edit(note(DPO), "tags: [reward-model]", "tags: [reward-model, preference]")
    changed = rebuilds.build()
    assert {DPO, "tags.md"} <= changed
    assert SVD not in changed and "timeline.md" not in changed


def test_a_status_change(rebuilds: Rebuilds) -> None:
    rebuilds.edit(note(DPO), "status: to-read", "status: read")
    changed = rebuilds.build()
    assert {DPO, "reading-queue.md", "index.md", "timeline.md", "topics/rlhf/index.md"} <= changed
    assert SVD not in changed


def test_adding_deleting_and_renaming_notes(rebuilds: Rebuilds) -> None:
    root = rebuilds.root
    (root / "notes" / "2501.00001-new.md").write_text(
        "---\ntitle: A new paper\ntopics: [rlhf]\ntags: [reward-model]\nadded: 2025-01-02\n---\n\n"
        "Compare [[2305.18290]].\n",
        encoding="utf-8",
    )
    changed = rebuilds.build()
    assert {"papers/2501.00001-new.md", DPO, "topics/rlhf/index.md", "index.md"} <= changed
    assert DYNAMICRAFTER not in changed

    (root / note(XSS)).unlink()
    changed = rebuilds.build()
    assert XSS in changed and XSS not in rebuilds.pages
    assert {"topics/rlhf/index.md", "topics/xss-topic/index.md", "tags.md"} <= changed

    # T2V links to DynamiCrafter by file name: after the rename that link is broken.
    (root / note(DYNAMICRAFTER)).rename(root / "notes" / "dynamicrafter.md")
    changed = rebuilds.build()
    assert {DYNAMICRAFTER, "papers/dynamicrafter.md", T2V} <= changed
    assert "kb-broken-link" in rebuilds.pages[T2V].split("the DynamiCrafter note")[0][-200:]


def test_topics_yml_and_topic_texts(rebuilds: Rebuilds) -> None:
    rebuilds.edit(
        "topics/video-diffusion.md", "Video diffusion is where", "Video diffusion is still where"
    )
    assert rebuilds.build() == {"topics/video-diffusion/index.md"}

    rebuilds.edit("topics.yml", "title: RLHF & reward models", "title: Preference learning")
    changed = rebuilds.build()
    # The topic's page and overview, and the cards of its papers, show the new title.
    assert {"topics/rlhf/index.md", "topics/index.md", DPO, XSS} <= changed
    assert SVD not in changed


def test_citations_json(tmp_path: Path) -> None:
    rebuilds = Rebuilds(copy_fixture(tmp_path / "kb"))
    assert "citations.json" not in {p.name for p in rebuilds.root.iterdir()}
    shutil.copy(CITATIONS, rebuilds.root / "citations.json")
    changed = rebuilds.build()
    # T2V cites three papers: their pages list it, its own lists them; the maps draw it.
    assert {T2V, DPO, SVD, DYNAMICRAFTER, "map.md", "citation-map.json", "inbox.md"} <= changed
    text = (rebuilds.root / "citations.json").read_text(encoding="utf-8")
    count = re.search(r'"citations": (\d+)', text)
    assert count is not None
    (rebuilds.root / "citations.json").write_text(
        text.replace(count.group(0), f'"citations": {int(count.group(1)) + 1}', 1),
        encoding="utf-8",
    )
    changed = rebuilds.build()
    assert len(changed & {T2V, DPO, SVD, DYNAMICRAFTER, XSS}) == 1  # one card's count
    assert "map.md" not in changed and "citation-map.json" not in changed


def test_the_inbox(rebuilds: Rebuilds) -> None:
    rebuilds.edit("inbox.yml", "Motion-Aware Video Diffusion for Long Clips", "Motion-Aware Clips")
    assert rebuilds.build() == {"inbox.md", "feed.xml"}


def test_a_broken_note_keeps_its_last_good_version(rebuilds: Rebuilds) -> None:
    good = rebuilds.pages[DPO]
    path = rebuilds.root / note(DPO)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("topics: [rlhf]", "topics: [rlhf"), encoding="utf-8")
    assert rebuilds.build(same_as_clean=False) == set()
    assert rebuilds.pages[DPO] == good
    assert rebuilds.session.report.read is not None
    (kept,) = rebuilds.session.report.read.kept_back
    # The line `kbtool check` reports: YAML notices the missing bracket on the next line.
    assert (kept.path, kept.line, kept.name) == (note(DPO), 8, "yaml-syntax")
    path.write_text(text.replace("奖励模型", "奖励模型（改）"), encoding="utf-8")
    assert rebuilds.build() == {DPO}


def test_a_note_saved_twice_within_the_same_second_is_read_again(rebuilds: Rebuilds) -> None:
    path = rebuilds.root / note(DPO)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("不再", "不必"), encoding="utf-8")
    stamp = path.stat()
    assert rebuilds.build() == {DPO}
    # Same size, and the time of the first write: only the text tells the change.
    path.write_text(text.replace("不再", "无须"), encoding="utf-8")
    import os

    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert rebuilds.build() == {DPO}


# --- any sequence of edits: a rebuild equals a clean render --------------------------------

EDITS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "body",
                "title",
                "tags",
                "topics",
                "status",
                "link",
                "add",
                "delete",
                "rename",
                "claim",
                "image",
            ]
        ),
        st.integers(0, 30),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_any_sequence_of_edits_rebuilds_like_a_clean_render(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int]]
) -> None:
    root = copy_fixture(tmp_path_factory.mktemp("seq") / "kb", citations=True)
    rebuilds = Rebuilds(root)
    for kind, n in edits:
        notes = sorted((root / "notes").glob("*.md"))
        if not notes and kind != "add":
            continue
        target = notes[n % len(notes)] if notes else root / "notes" / "x.md"
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        if kind == "body":
            target.write_text(text + f"\nEdit {n}.\n", encoding="utf-8")
        elif kind in ("title", "tags", "topics", "status"):
            value = {
                "title": f"Paper {n}",
                "tags": f"[t{n % 3}]",
                "topics": f"[{['rlhf', 'video-diffusion', 'image-to-video'][n % 3]}]",
                "status": ["to-read", "reading", "read"][n % 3],
            }[kind]
            head, sep, body = text.partition("\n---\n")
            lines = [line for line in head.splitlines() if not line.startswith(f"{kind}:")]
            target.write_text("\n".join([*lines, f"{kind}: {value}"]) + sep + body, "utf-8")
        elif kind == "link":
            other = notes[(n + 1) % len(notes)].stem
            target.write_text(text + f"\nSee [[{other}]].\n", encoding="utf-8")
        elif kind == "add":
            (root / "notes" / f"added-{n}.md").write_text(
                f"---\ntitle: Added {n}\ntopics: [rlhf]\ntags: [t{n % 3}]\n"
                f"added: 2025-01-0{n % 9 + 1}\n---\n\nSee [[{notes[0].stem if notes else 'x'}]].\n",
                encoding="utf-8",
            )
        elif kind == "delete":
            target.unlink()
        elif kind == "rename":
            target.rename(target.with_name(f"renamed-{n}.md"))
        elif kind == "claim":
            # A note whose title is a name other notes' wikilinks already use (or miss).
            claimed = ["no-such-paper", "SVD", notes[n % len(notes)].stem][n % 3] if notes else "x"
            (root / "notes" / f"claim-{n}.md").write_text(
                f"---\ntitle: {claimed}\ntopics: [rlhf]\n---\n\nClaims a name.\n", "utf-8"
            )
        elif kind == "image":
            # T2V's note shows ../figures/pipeline.png: the file comes and goes.
            figure = root / "notes" / "figures" / "pipeline.png"
            if figure.exists():
                figure.unlink()
            else:
                figure.parent.mkdir(exist_ok=True)
                figure.write_bytes(b"\x89PNG\r\n")
        rebuilds.build()
    shutil.rmtree(root)


# --- whole sites, built by MkDocs --------------------------------------------------------------


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site; the search index as its sorted entries (order is free)."""
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    index = files.pop("search/search_index.json", None)
    if index is not None:
        data = json.loads(index)
        entries = sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in data["docs"])
        files["search/search_index.json"] = json.dumps([data["config"], entries]).encode()
    return files


class ServeBuilds:
    """``kbtool serve``'s rebuilds (``--dirty``, one session), run on demand in a subprocess."""

    def __init__(self, root: Path, site: Path) -> None:
        self.root, self.site = root, site
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.serve_builds", str(root), str(site)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )

    def build(self) -> dict[str, object]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"the serve builds stopped:\n{stderr[-3000:]}")
        answer: dict[str, object] = json.loads(line)
        return answer

    def close(self) -> str:
        return self.process.communicate(timeout=60)[1]


def clean_site(root: Path, site: Path) -> dict[str, bytes]:
    """A clean build of ``root`` (no cache, one process), as serve would address it."""
    command = [sys.executable, "-m", "tests.support.serve_builds", str(root), str(site), "--clean"]
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return site_files(site)


def changed_outputs(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serve_rebuilds_write_only_what_changed_and_equal_a_clean_build(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    served = ServeBuilds(root, tmp_path / "served")
    try:
        assert served.build()["everything"] is True
        before = site_files(served.site)
        stamps = {p: p.stat().st_mtime_ns for p in served.site.rglob("*.html")}

        edit(root, note(DPO), "奖励模型不再需要单独训练。", "奖励模型不再需要单独训练，真的。")
        report = served.build()
        assert report == {"changed": [DPO], "removed": [], "everything": False}
        after = site_files(served.site)
        changed = changed_outputs(before, after)
        assert {name for name in changed if not name.startswith("search/")} == {
            "papers/2305.18290-dpo/index.html"
        }
        # The note's search entries, made again: the pieces of the index that hold them.
        assert any(name.startswith("search/") for name in changed)
        assert len([name for name in changed if name.startswith("search/")]) < len(
            [name for name in after if name.startswith("search/")]
        )
        rewritten = {
            p.relative_to(served.site).as_posix()
            for p, stamp in stamps.items()
            if p.stat().st_mtime_ns != stamp
        }
        assert rewritten == {"papers/2305.18290-dpo/index.html", "404.html"}

        edit(root, note(SVD), 'title: "Stable Video Diffusion', 'title: "Stable Video Diffusion 2')
        assert served.build()["everything"] is False
        assert site_files(served.site) == clean_site(root, tmp_path / "clean1")
    finally:
        served.close()


@pytest.mark.slow
def test_serve_rebuilds_after_every_kind_of_edit_equal_a_clean_build(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    served = ServeBuilds(root, tmp_path / "served")
    try:
        served.build()
        (root / "notes" / "2501.00001-new.md").write_text(
            "---\ntitle: A new paper\ntopics: [rlhf]\ntags: [reward-model]\nadded: 2025-01-02\n"
            "---\n\n## Results\n\nCompare [[2305.18290]].\n",
            encoding="utf-8",
        )
        assert served.build()["everything"] is False
        (root / note(XSS)).unlink()
        report = served.build()
        assert report["removed"] == [XSS]
        assert not (served.site / "papers" / "xss-title").exists()
        (root / note(DYNAMICRAFTER)).rename(root / "notes" / "dynamicrafter.md")
        edit(root, note(DPO), "status: to-read", "status: read")
        edit(root, "topics/video-diffusion.md", "Video diffusion is where", "It is where")
        assert served.build()["everything"] is False
        edit(root, "topics.yml", "title: RLHF & reward models", "title: Preference learning")
        assert served.build()["everything"] is True  # the navigation shows topic titles
        edit(root, "docs/about.md", "# About", "# About these notes")
        assert served.build()["everything"] is True
        edit(root, "inbox.yml", "Motion-Aware Video Diffusion for Long Clips", "Motion-Aware Clips")
        served.build()
        assert site_files(served.site) == clean_site(root, tmp_path / "clean")
    finally:
        served.close()


def test_a_build_from_the_cache_equals_a_clean_build(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    built = tmp_path / "site"
    build_site(Layout(root), site_dir=built)
    assert (root / ".kbtool-cache" / "site" / "pages.sqlite3").is_file()
    edit(root, note(DPO), "奖励模型不再需要单独训练。", "奖励模型不再需要单独训练，真的。")
    edit(root, note(SVD), 'title: "Stable Video Diffusion', 'title: "Stable Video Diffusion 2')
    (root / note(XSS)).unlink()
    build_site(Layout(root), site_dir=built)
    cached = site_files(built)
    reference = tmp_path / "reference"
    shutil.copytree(root, reference, ignore=shutil.ignore_patterns(".kbtool-cache", "site"))
    clean = build_site(Layout(reference), site_dir=tmp_path / "clean", cache=False)
    assert site_files(clean) == cached
    assert not (reference / ".kbtool-cache").exists()


# --- converting with one Markdown instance; worker processes -------------------------------------

PAGES_THAT_KEEP_STATE = {
    "a.md": "# A\n\nThe HTML spec[^1] and a term.\n\n*[HTML]: Hyper Text Markup Language\n\n"
    "[^1]: A footnote.\n\nTerm\n:   Its definition.\n\n## Same heading\n\n## Same heading\n",
    "b.md": "# B\n\nHTML again[^1], [to A](a.md#same-heading_1), [nowhere](gone.md).\n\n"
    '[^1]: Another footnote.\n\n- [x] done\n\n??? note "Folded"\n    inside\n',
    "c.md": "Text without a heading, `code`, ~~struck~~ and ==marked==.\n\n"
    "```python\nprint('x')\n```\n",
}


def _virtual(config: MkDocsConfig, uri: str, text: str) -> File:
    """A file with ``text`` as its content (as ``File.generated`` makes, outside a build)."""
    file = File(uri, src_dir=None, dest_dir=config.site_dir, use_directory_urls=True)
    file.content_string = text
    return file


def _toc(items: list[Any]) -> list[Any]:
    return [(i.title, i.id, i.level, _toc(i.children)) for i in items]


def test_one_markdown_instance_converts_as_mkdocs_does(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    config = load_config(config_file=str(root / "mkdocs.yml"))
    texts = {**fixture_site().pages, **PAGES_THAT_KEEP_STATE}
    files = Files([_virtual(config, uri, text) for uri, text in texts.items()])
    converter = PageConverter(config, files)
    pages = files.documentation_pages()
    assert len(pages) > 15
    for file in pages:
        markdown, meta = get_data(file.content_string)
        source = stash_raw_blocks(markdown)[0]
        ours = converter.convert(source, file)
        page = Page(None, file, config)
        page.markdown, page.meta = source, meta
        page.render(config, files)  # MkDocs' own: a new Markdown instance for the page
        applied = Page(None, _virtual(config, file.src_uri, ""), config)
        apply_conversion(applied, ours, files, replay=False)
        assert ours.content == page.content, file.src_uri
        assert _toc(list(applied.toc)) == _toc(list(page.toc)), file.src_uri
        assert applied._title_from_render == page._title_from_render
        assert applied.present_anchor_ids == page.present_anchor_ids
        assert applied.links_to_anchors == page.links_to_anchors
    # the warning MkDocs gives for b.md's broken link was recorded with the conversion
    b_file = files.get_file_from_path("b.md")
    assert b_file is not None
    b = converter.convert(stash_raw_blocks(PAGES_THAT_KEEP_STATE["b.md"])[0], b_file)
    assert any("gone.md" in message for _name, _level, message in b.messages)


def test_warnings_of_a_conversion_made_earlier_are_shown_again(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    config = load_config(config_file=str(copy_fixture(tmp_path / "kb") / "mkdocs.yml"))
    file = _virtual(config, "x.md", "")
    conversion = Conversion(
        content="<p>x</p>",
        toc_tokens=[],
        title=None,
        anchors=(),
        links_to_anchors={},
        messages=(("mkdocs.structure.pages", logging.WARNING, "Doc file 'x.md' contains a link"),),
    )
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        apply_conversion(Page(None, file, config), conversion, Files([file]), replay=True)
    assert [(r.name, r.levelno) for r in caplog.records] == [
        ("mkdocs.structure.pages", logging.WARNING)
    ]


def _many_notes(root: Path, count: int) -> None:
    for i in range(count):
        links = f"See [[p{(i * 7) % count}]] and [p{(i + 1) % count}](p{(i + 1) % count}.md)."
        (root / "notes" / f"p{i}.md").write_text(
            f"---\ntitle: Paper {i}\npublished: 2024-{i % 12 + 1:02d}-0{i % 9 + 1}\n"
            f"topics: [{['rlhf', 'video-diffusion', 'image-to-video'][i % 3]}]\n"
            f"tags: [t{i % 5}, u{i % 7}]\nstatus: {['to-read', 'read'][i % 2]}\n---\n\n"
            f"## Idea\n\n{links} 中文笔记 {i}，公式 $x^{i}$。\n\n"
            f"| a | b |\n|---|---|\n| {i} | 2 |\n",
            encoding="utf-8",
        )


def test_worker_processes_build_the_same_site(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    _many_notes(root, 60)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    sites = {}
    for workers in (1, 2):
        (root / "mkdocs.yml").write_text(
            config.replace(
                "  - kbtool:\n", f"  - kbtool:\n      cache: false\n      workers: {workers}\n"
            ),
            encoding="utf-8",
        )
        # In a process of its own, as `kbtool build` runs: pools fork only from a process
        # with one thread, and this one may hold other tests' server threads.
        site = tmp_path / f"w{workers}"
        script = (
            "import sys; from pathlib import Path; from kbtool.config import Layout; "
            "from kbtool.site.build import build_site; "
            "from kbtool.site.incremental.pool import pools_run; "
            "build_site(Layout(Path(sys.argv[1])), site_dir=Path(sys.argv[2])); print(pools_run())"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, str(root), str(site)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        sites[workers] = site_files(site)
        # One worker: no pool. Two: notes read, pages rendered, converted and templated,
        # and search documents made, in pools.
        assert int(done.stdout.split()[-1]) == (0 if workers == 1 else 5)
    assert sites[1] == sites[2]
