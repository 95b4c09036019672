"""Pure tests of the site's page renderers: knowledge base in, Markdown out, no MkDocs."""

from __future__ import annotations

import os
import re

import pytest

from kbtool.core.markdown_links import LinkKind, extract_link_spans, extract_links
from kbtool.core.note import parse_note
from kbtool.site.catalog import arxiv_month, build_catalog
from kbtool.site.markup.markdown_escape import escape_text
from kbtool.site.markup.note_body import markdown_in_details, render_body
from kbtool.site.markup.raw_html import raw_block, restore_raw_blocks, stash_raw_blocks
from kbtool.site.pages.commands import iter_commands, render_commands_page
from kbtool.site.pages.home import reading_queue, recently_added
from kbtool.site.pages.paper import AUTHORS_SHOWN, http_url, tag_anchor
from kbtool.site.paths import SitePaths, relative_link
from kbtool.site.related import related_papers
from tests.support.site import (
    DPO,
    DYNAMICRAFTER,
    GOLDEN_DIR,
    SVD,
    T2V,
    XSS,
    fixture_kb,
    fixture_site,
)

# --- golden files: the whole fixture site, page by page ---------------------------------------

# The Commands and Note format pages follow the CLI and the schema, which other
# work changes; they have their own tests below.
NOT_GOLDEN = {"commands.md", "note-format.md"}


def _golden_pages() -> dict[str, str]:
    site = fixture_site(citations=True)
    return {uri: text for uri, text in site.pages.items() if uri not in NOT_GOLDEN}


def test_golden_pages() -> None:
    """Each generated page equals its golden file (KBTOOL_UPDATE_GOLDEN=1 rewrites them)."""
    pages = _golden_pages()
    if os.environ.get("KBTOOL_UPDATE_GOLDEN"):
        for uri, text in pages.items():
            path = GOLDEN_DIR / uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(GOLDEN_DIR).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN_DIR.rglob("*")
        if p.is_file()
    }
    assert sorted(pages) == sorted(expected)
    for uri, text in pages.items():
        assert text == expected[uri], f"{uri} differs from its golden file"


def test_rendering_is_deterministic() -> None:
    assert fixture_site().pages == fixture_site().pages


# --- link spans (kbtool.core.markdown_links) ----------------------------------------------


def test_link_spans_point_at_the_links() -> None:
    text = "See [[a#b|c]] and [x](y.md 'title') and ![i](<p q.png>)\n\n[r]: z.md\n`[[code]]`"
    spans = extract_link_spans(text)
    assert [s.ref for s in spans] == extract_links(text)
    assert [text[s.start : s.end] for s in spans] == [
        "[[a#b|c]]",
        "[x](y.md 'title')",
        "![i](<p q.png>)",
        "[r]: z.md",
    ]
    assert [text[s.target_start : s.target_end] for s in spans] == [
        "[[a#b|c]]",
        "y.md",
        "<p q.png>",
        "z.md",
    ]


def test_image_inside_link_keeps_document_order() -> None:
    text = "[![alt](img.png)](page.md)"
    spans = extract_link_spans(text)
    assert [s.ref.kind for s in spans] == [LinkKind.LINK, LinkKind.IMAGE]
    assert text[spans[1].target_start : spans[1].target_end] == "img.png"


# --- URL layout ------------------------------------------------------------------------------


@pytest.mark.parametrize("directory_urls", [True, False])
def test_href_matches_mkdocs_urls(directory_urls: bool) -> None:
    """Raw-HTML links land where MkDocs puts the target page, with or without directory URLs."""
    from posixpath import dirname, join, normpath

    from mkdocs.structure.files import File

    paths = SitePaths(directory_urls=directory_urls)
    uris = ["index.md", "papers/a.md", "papers/sub/b.md", "topics/x/index.md", "timeline.md"]
    for source in uris:
        here = File(source, None, None, directory_urls).url
        base = normpath("/" + (here if here.endswith("/") else dirname(here))).rstrip("/") + "/"
        for target in [*uris, "references.bib"]:
            if source == target:
                continue
            expected = "/" + File(target, None, None, directory_urls).url.removeprefix("./")
            landed = normpath(join(base, paths.href(source, target)))
            assert landed.rstrip("/") == normpath(expected).rstrip("/"), (source, target)


def test_relative_link_between_pages() -> None:
    assert relative_link("papers/a.md", "papers/b.md") == "b.md"
    assert relative_link("papers/a.md", "topics/x/index.md", "top") == "../topics/x/index.md#top"
    assert relative_link("papers/a.md", "papers/a.md", "h") == "#h"


# --- note bodies: links resolved as `kbtool check` resolves them ------------------------------


def _body(uri: str) -> str:
    kb = fixture_kb()
    paths = SitePaths()
    note = next(n for n in kb.notes if paths.paper(n.path) == uri)
    return render_body(note, kb, uri, paths)


def test_wikilinks_become_links_to_paper_pages() -> None:
    body = _body(T2V)
    assert "[SVD](2311.15127-stable-video-diffusion.md)" in body  # alias kept
    # anchor kept; the label is the target's title
    assert "(2311.15127-stable-video-diffusion.md#training-stages)" in body
    assert "Stable Video Diffusion&#58; Scaling" in body
    assert "[[" not in body.split("```python")[0]
    # a wikilink in code stays code
    assert "# [[not-a-link]]" in body


def test_unknown_wikilink_is_marked_not_linked() -> None:
    body = _body(T2V)
    assert '<span class="kb-broken-link" title="No note named “no-such-paper”">' in body


def test_relative_links_follow_the_site_layout() -> None:
    body = _body(T2V)
    assert "[the DynamiCrafter note](2310.12190-dynamicrafter.md)" in body
    assert "[about page](../about.md)" in body  # docs/about.md is about.md on the site
    assert "(figures/pipeline.png)" in body  # images beside the notes are copied along
    assert 'title="link target missing.md is not on the site">missing note</span>' in body


def test_topic_text_links_resolve_from_the_topic_page() -> None:
    kb = fixture_kb()
    text = kb.topic_texts["video-diffusion"].note
    body = render_body(text, kb, "topics/video-diffusion/index.md", SitePaths())
    assert "(../../papers/2311.15127-stable-video-diffusion.md)" in body
    assert "(../../papers/2410.05677-t2v-turbo-v2.md)" in body


def test_links_within_a_topic_text_stay_on_the_topic_page() -> None:
    kb = fixture_kb()
    text = parse_note(
        "## Reading order\n\nSee [below](#reading-order) and [[#reading-order]].\n", "topics/x.md"
    )
    body = render_body(text, kb, "topics/x/index.md", SitePaths())
    assert "[below](#reading-order)" in body
    assert "[reading&#45;order](#reading-order)" in body


def test_details_blocks_render_their_markdown() -> None:
    body = "<details>\n<summary>S</summary>\n\n- x\n\n</details>\n\n```\n<details>\n```\n"
    out = markdown_in_details(body)
    assert out.startswith('<details markdown="1">')
    assert "```\n<details>\n```" in out  # code untouched
    assert markdown_in_details('<details markdown="0">') == '<details markdown="0">'


# --- the paper page --------------------------------------------------------------------------


def test_paper_page_escapes_every_frontmatter_value() -> None:
    page = fixture_site().pages[XSS]
    assert "<img" not in page and "<script" not in page and "<svg" not in page
    assert "<b onmouseover" not in page and "<i>Venue" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=alert(3)&gt;bold?&lt;/b&gt;" in page
    assert "javascript:" not in page  # a code link that is not http(s) is not shown as a link
    head = page.split("\n---\n", 1)[0]
    assert "title: '&lt;img src=x onerror=alert(1)&gt; a &lt; b &amp; c | d'" in head
    assert "# &#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62; a &#60; b" in page


def test_paper_page_card() -> None:
    page = fixture_site().pages[T2V]
    assert (
        '<a href="https://arxiv.org/abs/2410.05677v2" rel="noopener">arXiv:2410.05677 (v2)' in page
    )
    assert 'href="https://arxiv.org/pdf/2410.05677v2"' in page
    assert 'href="https://github.com/Ji4chenLi/t2v-turbo" rel="noopener">Code</a>' in page
    assert 'href="https://t2v-turbo-v2.github.io" rel="noopener">Project</a>' in page
    assert "<dt>Venue</dt> <dd>ICLR 2025</dd>" in page
    assert "published 2024-10-07, updated 2024-10-21" in page
    assert "<dd>cs.CV, cs.LG</dd>" in page
    assert '<a href="../../topics/image-to-video/">Image-to-video</a>' in page
    assert 'href="../../tags/#tag:reward-model">reward-model</a>' in page
    assert 'kb-status--read">read</span> <span class="kb-rating" title="4 of 5">★★★★☆' in page
    assert "<summary>Abstract</summary><p>We study post-training" in page
    assert "reward models &amp; conditional guidance" in page


def test_long_author_lists_are_collapsed() -> None:
    page = fixture_site().pages[T2V]
    shown = "Jiachen Li, Qian Long, Jian Zheng, Xiaofeng Gao, Robinson Piramuthu, … and 3 more"
    assert AUTHORS_SHOWN == 6
    assert f'<details class="kb-authors"><summary>{shown}</summary>' in page
    assert "William Yang Wang, Zhiyuan Liu</details>" in page
    short = fixture_site().pages[SVD]
    assert "<dd>Andreas Blattmann, Tim Dockhorn, Sumith Kulal</dd>" in short


def test_backlinks_related_and_bibtex_sections() -> None:
    pages = fixture_site().pages
    svd = pages[SVD]
    mentioned = svd.split("## Mentioned in", 1)[1].split("## Related", 1)[0]
    assert "T2V-Turbo-v2: Enhancing" in mentioned
    assert "{ #kb-mentioned-in data-search-exclude }" in svd
    related = pages[T2V].split("## Related papers", 1)[1].split("## BibTeX", 1)[0]
    assert "Stable Video Diffusion" in related and "DynamiCrafter" in related
    assert "Direct Preference Optimization" in related  # the shared tag reward-model
    assert "@misc{blattmann2023stable," in svd
    assert '<div class="language-bibtex highlight kb-bibtex"><pre>' in svd
    # only papers that link to it are listed as mentions
    assert "## Mentioned in" not in pages[DPO]


def test_http_url_refuses_other_schemes() -> None:
    assert http_url("https://github.com/x/y") == "https://github.com/x/y"
    assert http_url("javascript:alert(1)") is None
    assert http_url("data:text/html,x") is None
    assert http_url("https://a b") is None
    assert http_url(3) is None


def test_tag_anchor_matches_material_tags_plugin() -> None:
    assert tag_anchor("reward-model") == "tag:reward-model"
    assert tag_anchor("Video Diffusion") == "tag:video-diffusion"


# --- topic, timeline, venues, home ------------------------------------------------------------


def test_topic_page_follows_the_hierarchy() -> None:
    pages = fixture_site().pages
    parent = pages["topics/video-diffusion/index.md"]
    assert escape_text("Generating video with diffusion models.") in parent
    assert "Video diffusion is where most of my reading goes." in parent  # topics/<id>.md
    assert (
        "## Sub-topics" in parent
        and 'href="../../topics/image-to-video/">Image-to-video</a>' in parent
    )
    table = parent.split("## Papers", 1)[1]
    titles = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', table)
    assert [t.split(":")[0] for t in titles] == [
        "T2V-Turbo-v2",
        "Stable Video Diffusion",
        "DynamiCrafter",
    ]
    assert "<th>Title</th><th>Year</th><th>Venue</th><th>Status</th><th>Sub-topic</th>" in table
    assert "<td>2024</td><td>ICLR 2025</td>" in table
    child = pages["topics/image-to-video/index.md"]
    assert (
        '<p class="kb-trail"><a href="../../topics/video-diffusion/">Video diffusion</a></p>'
        in child
    )
    evil = pages["topics/xss-topic/index.md"]
    assert "title: '&lt;img src=x onerror=alert(11)&gt;'" in evil and "<img" not in evil


def test_timeline_and_venues() -> None:
    pages = fixture_site().pages
    timeline = pages["timeline.md"]
    assert timeline.index("## 2024") < timeline.index("## 2023") < timeline.index("## Undated")
    assert "### October 2024 { #2024-10 }" in timeline
    assert "search:\n  exclude: true" in timeline
    venues = pages["venues.md"]
    assert (
        venues.index("## ECCV 2024") < venues.index("## ICLR 2025") < venues.index("## Preprints")
    )
    assert "## &#60;i&#62;Venue&#60;/i&#62; &#38; Co" in venues


def test_home_page_counts_recent_and_queue() -> None:
    site = fixture_site()
    home = site.pages["index.md"]
    assert "5 papers · [4 topics](topics/index.md) · [6 tags](tags.md)" in home
    assert "[2 to read](reading-queue.md)" in home
    assert "[references.bib](references.bib)" in home
    catalog = site.catalog
    assert catalog is not None
    assert [p.uri for p in recently_added(catalog, 2)] == [DYNAMICRAFTER, T2V]
    assert [p.uri for p in reading_queue(catalog)] == [DPO, DYNAMICRAFTER]
    queue = site.pages["reading-queue.md"]
    assert queue.index("Direct Preference") < queue.index("DynamiCrafter")


def test_navigation_lists_topics_and_index_pages_not_papers() -> None:
    site = fixture_site()
    nav = site.navigation(SitePaths(), ["about.md"])
    flat = repr(nav)
    assert "papers/" not in flat
    assert nav[0] == {"Home": "index.md"}
    topics = nav[1]["Topics"]
    assert topics[0] == "topics/index.md"
    assert {
        "Video diffusion": ["topics/video-diffusion/index.md", "topics/image-to-video/index.md"]
    } in topics
    assert "&lt;img src=x onerror=alert(11)&gt;" not in flat  # a leaf: titled by its page
    assert nav[-1] == {"Reference": ["note-format.md", "about.md"]}


# --- catalog pieces ---------------------------------------------------------------------------


def test_arxiv_month() -> None:
    from datetime import date

    assert arxiv_month("2410.05677") == date(2024, 10, 1)
    assert arxiv_month("hep-th/9901001") == date(1999, 1, 1)
    assert arxiv_month("2413.00001") is None


def _synthetic_notes(n: int) -> list:
    notes = []
    for i in range(n):
        tags = ["common"] + (["rare"] if i in (3, 7) else [])
        text = (
            f"---\ntitle: Paper {i}\npublished: 2024-01-{i % 28 + 1:02d}\n"
            f"topics: [t{i % 3}]\ntags: [{', '.join(tags)}]\n---\n"
        )
        notes.append(parse_note(text, f"notes/p{i}.md"))
    return notes


def test_related_papers_prefer_rare_shared_tags() -> None:
    from kbtool.core.knowledge_base import KnowledgeBase
    from kbtool.core.topics import TopicRegistry

    kb = KnowledgeBase(fixture_kb().layout, _synthetic_notes(30), TopicRegistry())
    catalog = build_catalog(kb, SitePaths())
    by_path = {p.path: p for p in catalog.papers}
    related = catalog.related(by_path["notes/p3.md"])
    assert related[0].paper.path == "notes/p7.md"
    assert related[0].shared_tags == ("common", "rare")
    assert len(related) == 5


def test_related_papers_window_bounds_the_work() -> None:
    from kbtool.core.knowledge_base import KnowledgeBase
    from kbtool.core.topics import TopicRegistry

    notes = [
        parse_note(
            f"---\ntitle: P{i}\npublished: 2024-02-{i % 28 + 1:02d}\ntags: [common]\n---\n",
            f"notes/p{i}.md",
        )
        for i in range(60)
    ]
    kb = KnowledgeBase(fixture_kb().layout, notes, TopicRegistry())
    papers = build_catalog(kb, SitePaths()).papers
    small = related_papers(papers, limit=3, window=10)
    # one shared tag on every paper: candidates come only from the 10 nearest in date order
    for position, paper in enumerate(papers):
        assert len(small[paper.path]) == 3
        for entry in small[paper.path]:
            assert abs(papers.index(entry.paper) - position) <= 10


# --- the Commands page: generated from --help, so every command is documented ----------------


def test_every_command_is_documented() -> None:
    from kbtool.cli import main

    page = render_commands_page(main)
    commands = [path for path, _ in iter_commands(main)]
    assert {"bib", "build", "check", "init", "serve"} <= {p[0] for p in commands}
    for path in commands:
        name = " ".join(path)
        assert f"## kbtool {name}\n" in page, f"kbtool {name} is not on the Commands page"
        assert f"Usage: kbtool {name} [OPTIONS]" in page


def test_commands_page_shows_each_option() -> None:
    from kbtool.cli import main

    page = render_commands_page(main)
    for _path, command in iter_commands(main):
        for param in command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("-"):
                    assert flag in page, f"{flag} of {command.name} is missing"


# --- raw HTML blocks --------------------------------------------------------------------------


def test_raw_blocks_survive_a_round_trip() -> None:
    markdown = (
        "# T\n" + raw_block("<ul><li>a</li></ul>") + "text\n" + raw_block("<p>b</p>", indexed=False)
    )
    stashed, stash = stash_raw_blocks(markdown)
    assert "<ul>" not in stashed and "<p>b</p>" not in stashed and len(stash) == 2
    html = "\n".join(f"<p>{line}</p>" for line in stashed.splitlines() if line.strip())
    first = restore_raw_blocks(html, stash, indexed=True)
    assert "<ul><li>a</li></ul>" in first and "<p>b</p>" not in first
    restored = restore_raw_blocks(first, stash, indexed=False)
    assert "<ul><li>a</li></ul>" in restored and "<p>b</p>" in restored
    assert "kbtool" not in restored


def test_raw_block_is_markdown_without_the_plugin() -> None:
    import markdown as md

    html = md.markdown("x\n" + raw_block('<div class="k">a &amp; b</div>') + "y\n")
    assert '<div class="k">a &amp; b</div>' in html


def test_uncertain_repairs_are_marked_outside_code() -> None:
    from kbtool.site.markup.note_body import mark_uncertain_repairs

    body = "训练⟦步⟧数 and ⟦中⟧⟦不⟧\n```\ncode ⟦x⟧\n```\n`⟦y⟧` ⟦<b>⟧\n"
    out = mark_uncertain_repairs(body)
    assert out.count('<span class="kb-uncertain"') == 4
    assert '训练<span class="kb-uncertain" title="Restored' in out
    assert ">步</span>数" in out
    assert "code ⟦x⟧" in out and "`⟦y⟧`" in out
    assert ">&lt;b&gt;</span>" in out
    assert mark_uncertain_repairs("no marks") == "no marks"
