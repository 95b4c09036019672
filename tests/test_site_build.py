"""Full MkDocs builds of the fixture knowledge base, with assertions on the HTML it produces."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import bibtexparser
import pytest

from kbtool.config import Layout
from kbtool.scaffold import render_template
from kbtool.site.build import build_site
from tests.support.kb import REPO_ROOT, KnowledgeBaseFactory, RunKbtool, note_text
from tests.support.search_index import BuiltIndex
from tests.support.site import XSS_TITLE, ServedSite, copy_fixture
from tests.support.terminal import run_on_terminal


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture knowledge base, built once (strictly) with the real MkDocs."""
    root = copy_fixture(tmp_path_factory.mktemp("site") / "kb")
    before = _files(root)
    site = build_site(Layout(root), strict=True)
    assert site == root / "site"
    assert _files(root) == before, "the build wrote files into the knowledge base"
    return site


def _files(root: Path) -> list[str]:
    """Every file of the knowledge base but the built site and kbtool's (git-ignored) cache."""
    found = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(f for f in found if not f.startswith(("site/", ".kbtool-cache/")))


def page(site: Path, uri: str) -> str:
    return (site / uri / "index.html").read_text(encoding="utf-8")


def primary_nav(html: str) -> str:
    """The site navigation of a page (the drawer), without the page's content."""
    return html.split('<nav class="md-nav md-nav--primary', 1)[1].split(
        '<div class="md-content"', 1
    )[0]


def test_paper_page_html(built: Path) -> None:
    html = page(built, "papers/2410.05677-t2v-turbo-v2")
    assert ">T2V&#45;Turbo&#45;v2&#58; Enhancing Video Generation Model Post&#45;Training<" in html
    assert '<div class="kb-card">' in html and "<dt>Authors</dt>" in html
    # wikilinks and relative links resolved as kbtool check resolves them
    assert '<a href="../2311.15127-stable-video-diffusion/">SVD</a>' in html
    assert 'href="../2311.15127-stable-video-diffusion/#training-stages"' in html
    assert '<a href="../2310.12190-dynamicrafter/">the DynamiCrafter note</a>' in html
    assert '<a href="../../about/">about page</a>' in html
    assert 'class="kb-broken-link" title="No note named “no-such-paper”"' in html
    # math, admonitions, <details> with Markdown, highlighted code, the local figure
    assert '<span class="arithmatex">\\(\\mathcal{L}' in html
    assert '<div class="arithmatex">\\[' in html
    assert '<div class="admonition note">' in html
    assert "<li>learning rate: <strong>1e-4</strong></li>" in html
    assert "<table>" in html.split("<summary>Hyper-parameters</summary>", 1)[1]
    assert '<span class="k">def</span>' in html
    assert '<img alt="local figure" src="../figures/pipeline.png" />' in html
    assert (built / "papers" / "figures" / "pipeline.png").is_file()
    # remote images are placeholders with their links
    assert '<span class="kb-media__label">Expired image</span>' in html
    assert '<span class="kb-media__label">Remote image (not loaded)</span>' in html
    assert "BibTeX" in html and "@inproceedings{li2024t2vturbov2," in html
    # KaTeX and our style sheet come from the site itself
    assert '<script src="../../assets/kbtool/katex/katex.min.js"></script>' in html
    assert 'href="../../assets/kbtool/katex/katex.min.css"' in html


def test_no_page_carries_markup_from_frontmatter(built: Path) -> None:
    for path in built.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for markup in ("<img src=x", "<script>alert", "<svg onload", "<b onmouseover", "<i>Venue"):
            assert markup not in html, f"{markup} in {path}"
    xss = page(built, "papers/xss-title")
    title = re.search(r"<title>(.*?)</title>", xss, re.S)
    assert title is not None
    assert (
        title.group(1) == "&lt;img src=x onerror=alert(1)&gt; a &lt; b &amp; c | d - Fixture notes"
    )
    nav = primary_nav(page(built, "topics"))
    assert "&lt;img src=x onerror=alert(11)&gt;" in nav  # the evil topic, in the navigation


def test_navigation_lists_topics_not_papers(built: Path) -> None:
    html = page(built, "papers/2311.15127-stable-video-diffusion")
    nav = primary_nav(html)
    assert "topics/" in nav and "timeline/" in nav
    assert "papers/" not in nav
    tabs = (built / "index.html").read_text(encoding="utf-8").split('class="md-tabs"', 1)[1]
    for tab in ("Home", "Topics", "Browse", "Reference"):
        assert tab in tabs.split("</nav>", 1)[0]


def test_every_internal_link_and_asset_exists(built: Path) -> None:
    checked = 0
    for path in built.rglob("*.html"):
        if path.name == "404.html":  # MkDocs writes it with site-absolute links
            continue
        html = path.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"]+)"', html):
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "//")) or not parts.path:
                continue
            resolved = (path.parent / unquote(parts.path)).resolve()
            if target.endswith("/"):
                resolved = resolved / "index.html"
            assert resolved.exists(), f"{path.relative_to(built)} links to missing {target}"
            checked += 1
    assert checked > 300


def test_tag_links_of_the_card_land_on_the_tags_page(built: Path) -> None:
    tags = page(built, "tags")
    checked = 0
    for paper in ("2410.05677-t2v-turbo-v2", "xss-title"):
        html = page(built, f"papers/{paper}")
        for anchor in re.findall(r'class="md-tag" href="\.\./\.\./tags/#([^"]+)"', html):
            assert f'id="{anchor}"' in tags
            checked += 1
    assert checked == 4  # the loop ran: a changed card would not pass unseen


def test_topic_pages_follow_the_hierarchy(built: Path) -> None:
    html = page(built, "topics/video-diffusion")
    assert "Video diffusion is where most of my reading goes." in html
    assert '<a href="../../papers/2311.15127-stable-video-diffusion/">Stable Video' in html
    table = html.split('id="kb-papers"', 1)[1]
    first_rows = re.findall(r'<tr><td><a href="([^"]+)"', table)
    assert first_rows[0] == "../../papers/2410.05677-t2v-turbo-v2/"
    assert (built / "topics" / "image-to-video" / "index.html").is_file()


def test_search_index_finds_ids_authors_english_and_chinese(built: Path) -> None:
    index = BuiltIndex(built / "search")
    svd = "papers/2311.15127-stable-video-diffusion/"
    assert index.documents_with("2311.15127") == {svd}  # the arXiv id, whole
    assert index.documents_with("=svd") == {svd}  # its alias, as an exact name
    assert svd in index.documents_with("kulal")  # an author's surname
    assert all(svd in index.documents_with(w) for w in ("data", "curation", "pipeline"))
    # A Chinese phrase as character pairs at consecutive positions: an exact substring.
    pairs = [index.postings(pair) for pair in ("检测", "测视", "视频", "频是", "是否")]
    doc = next(d for d, f in enumerate(index.fragments()) if f["url"] == svd)
    starts = [set(p[doc][3] or []) for p in pairs]  # type: ignore[arg-type]
    assert any(all(s + i in starts[i] for i in range(5)) for s in starts[0])
    assert "papers/2305.18290-dpo/" in index.documents_with("奖励")
    # Notes and topic pages are documents: no index page, nothing from closing sections.
    urls = [f["url"] for f in index.fragments()]
    assert [u for u in urls if not u.startswith("papers/")] == [
        "topics/video-diffusion/",
        "topics/image-to-video/",
        "topics/rlhf/",
        "topics/xss-topic/",
    ]
    assert "topics/video-diffusion/" in index.documents_with("reading")  # the topic's text
    assert svd not in index.documents_with("bibtex")


def test_search_results_hold_titles_as_text(built: Path) -> None:
    """Titles are data: stored as written, and shown with textContent by the browser."""
    xss = next(
        f for f in BuiltIndex(built / "search").fragments() if f["url"] == "papers/xss-title/"
    )
    assert xss["title"] == XSS_TITLE
    script = (built / "assets" / "kbtool" / "search" / "search.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_references_bib_is_on_the_site(built: Path) -> None:
    library = bibtexparser.parse_string((built / "references.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    assert len(library.entries) == 5
    assert "rafailov2023dpo" in {e.key for e in library.entries}
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="references.bib"' in home


def test_repository_mkdocs_yml_matches_the_init_template() -> None:
    repo = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    site_name = re.search(r"^site_name: (.*)$", repo, re.M)
    assert site_name is not None
    assert render_template("mkdocs.yml", json.loads(site_name.group(1))) == repo


def test_repository_site_builds_strictly(tmp_path: Path) -> None:
    site = build_site(Layout(REPO_ROOT), site_dir=tmp_path / "site", strict=True, cache=False)
    assert (site / "index.html").is_file()
    assert (site / "topics" / "index.html").is_file()


def test_init_output_builds_strictly(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note(
        "2401.00001-a-paper.md",
        note_text("Body with $x^2$ and 中文笔记。\n", title="A paper", topics="[rlhf]"),
    )
    result = run_kbtool("build", "--strict", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr.endswith(f"built the site in {kb.root}/site\n")
    assert (kb.root / "site" / "papers" / "2401.00001-a-paper" / "index.html").is_file()
    assert not (kb.root / "docs" / "papers").exists()


def test_build_without_the_page_cache(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", note_text("Text.\n", title="A", topics="[rlhf]"))
    assert run_kbtool("build", "-q", "--no-cache").exit_code == 0
    assert (kb.root / "site" / "papers" / "a" / "index.html").is_file()
    assert not (kb.root / ".kbtool-cache" / "site").exists()
    assert run_kbtool("build", "-q").exit_code == 0
    assert (kb.root / ".kbtool-cache" / "site" / "pages.sqlite3").is_file()


def test_an_anchor_kbtool_check_accepts_lands_on_that_heading(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # The page's title must not take the anchor of a heading in the note that shares
    # its name: [[results#results]] means the note's "Results" section, as check says.
    kb.write_note(
        "results.md", note_text("## Results\n\nText.\n", title="Results", topics="[rlhf]")
    )
    kb.write_note(
        "b.md",
        note_text(
            "See [r](results.md#results), [[results#results]].\n", title="B", topics="[rlhf]"
        ),
    )
    assert run_kbtool("check").exit_code == 0
    assert run_kbtool("build", "--strict", "-q").exit_code == 0
    html = (kb.root / "site" / "papers" / "results" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="results">Results' in html
    linking = (kb.root / "site" / "papers" / "b" / "index.html").read_text(encoding="utf-8")
    assert linking.count('href="../results/#results"') == 2


def test_a_docs_page_named_like_a_generated_page_is_refused(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("docs/tags.md", "# My tags\n")
    result = run_kbtool("build", "-q")
    assert result.exit_code == 7
    assert "docs/tags.md: kbtool generates this file" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_build_fails_on_warnings(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write("docs/about.md", "# About\n\n[gone](nowhere.md)\n")
    result = run_kbtool("build", "--strict", "-q")
    assert result.exit_code == 7
    assert "mkdocs.yml: Aborted with 1 warnings in strict mode!" in result.stderr
    assert run_kbtool("build", "--no-strict", "-q").exit_code == 0


def test_a_user_nav_is_kept(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    config = (kb.root / "mkdocs.yml").read_text(encoding="utf-8")
    kb.write("mkdocs.yml", config + "\nnav:\n  - About: about.md\n  - Timeline: timeline.md\n")
    assert run_kbtool("build", "-q").exit_code == 0
    home = (kb.root / "site" / "index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-tabs"', 1)[1].split("</nav>", 1)[0]
    assert "About" in nav and "Timeline" in nav and "Browse" not in nav


def test_remote_media_can_be_loaded_when_asked(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note(
        "x.md", note_text("![fig](https://example.org/f.png)\n", title="X", topics="[rlhf]")
    )
    assert run_kbtool("build", "-q").exit_code == 0
    html = (kb.root / "site" / "papers" / "x" / "index.html").read_text(encoding="utf-8")
    assert "Remote image (not loaded)" in html and 'src="https://example.org' not in html
    config = (kb.root / "mkdocs.yml").read_text(encoding="utf-8")
    kb.write("mkdocs.yml", config.replace("remote_media: placeholder", "remote_media: load"))
    assert run_kbtool("build", "-q").exit_code == 0
    html = (kb.root / "site" / "papers" / "x" / "index.html").read_text(encoding="utf-8")
    assert '<img alt="fig" src="https://example.org/f.png" />' in html


def test_bib_command(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note(
        "2410.05677-t2v.md",
        note_text(
            title="'T2V: a & b'", arxiv="2410.05677", authors="[Jiachen Li]", topics="[rlhf]"
        ),
    )
    result = run_kbtool("bib")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote 1 entry to {kb.root / 'references.bib'}"
    text = (kb.root / "references.bib").read_text(encoding="utf-8")
    assert "@misc{li2024t2v," in text and r"{\&}" in text
    printed = run_kbtool("bib", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout == text


@pytest.mark.slow
def test_serve_shows_each_save_and_keeps_the_last_good_page(kb: KnowledgeBaseFactory) -> None:
    kb.write_note("a.md", note_text("First version.\n", title="Paper A", topics="[rlhf]"))
    kb.write_note("b.md", note_text("Links to [[a]].\n", title="Paper B", topics="[rlhf]"))
    (kb.root / "topics").mkdir()
    served = ServedSite(kb.root)
    try:
        served.wait_for("papers/a/", "First version.")
        kb.write_note("a.md", note_text("Second version.\n", title="Paper A", topics="[rlhf]"))
        served.wait_for("papers/a/", "Second version.")
        # A note that no longer parses: the error in the terminal, the last good page served.
        kb.write_note("a.md", "---\ntitle: [Paper A\ntopics: [rlhf]\n---\nThird.\n")
        error = served.wait_for_log("notes/a.md:")
        assert "frontmatter is not valid YAML" in error and "last good version" in error
        assert "Second version." in served.fetch("papers/a/")
        kb.write_note("a.md", note_text("Fourth version.\n", title="Paper A2", topics="[rlhf]"))
        served.wait_for("papers/b/", "Paper A2")  # the link's label is the new title
        kb.write_note("c.md", note_text("A new note.\n", title="Paper C", topics="[rlhf]"))
        served.wait_for("topics/rlhf/", "Paper C")
        (kb.root / "notes" / "c.md").unlink()
        deadline = time.monotonic() + 60
        while "Paper C" in served.fetch("topics/rlhf/") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Paper C" not in served.fetch("topics/rlhf/")
        topics = (kb.root / "topics.yml").read_text(encoding="utf-8")
        kb.write("topics.yml", topics.replace("title: RLHF", "title: Renamed topic"))
        served.wait_for("topics/rlhf/", "Renamed topic")
        kb.write("topics/rlhf.md", "What I think about the whole topic.\n")
        served.wait_for("topics/rlhf/", "What I think about the whole topic.")
        kb.write("docs/about.md", "# About these notes\n")
        served.wait_for("about/", "About these notes")
        assert "Traceback" not in "".join(served.stderr)
    finally:
        served.close()


HEADINGS = [
    "`kbtool new` and its options",
    "Results & Discussion",
    "A heading {.wide}",
    "With an id { #my-id }",
    "under_score_",
    "_emphasis_ and __init__",
    "&amp; entities &lt;b&gt;",
    "spaced   out",
    "dup",
    "dup",
    "中文 标题",
]


def test_kbtool_check_knows_the_anchors_the_site_gives_headings(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # A link kbtool check accepts must land on the site, and one it rejects must not.
    from kbtool.core.markdown_links import iter_headings

    body = "\n\n".join(f"## {text}" for text in HEADINGS) + "\n"
    kb.write_note("h.md", note_text(body, title="H", topics="[rlhf]"))
    assert run_kbtool("build", "-q").exit_code == 0
    html = (kb.root / "site" / "papers" / "h" / "index.html").read_text(encoding="utf-8")
    site = [i for i in re.findall(r'<h2[^>]* id="([^"]+)"', html) if not i.startswith("kb-")]
    assert [h.anchor for h in iter_headings(body)] == site


def test_build_tells_of_each_page_and_shows_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    heard: list[tuple[int, int | None]] = []
    build_site(
        Layout(root),
        site_dir=tmp_path / "site",
        strict=True,
        progress=lambda done, total: heard.append((done, total)),
    )
    total = heard[-1][1]
    assert total is not None and total > 10
    assert heard == [(done, total) for done in range(1, total + 1)]  # every page, in order
    run = run_on_terminal(
        ["-m", "kbtool", "--root", str(root), "build", "--site-dir", str(tmp_path / "again")]
    )
    assert run.returncode == 0, run.terminal
    assert "building: pages" in run.terminal and f"{total}/{total}" in run.terminal
    assert run.stdout == ""
    quiet = run_on_terminal(
        ["-m", "kbtool", "--root", str(root), "build", "-q", "--site-dir", str(tmp_path / "q")]
    )
    assert quiet.returncode == 0 and "building: pages" not in quiet.terminal
