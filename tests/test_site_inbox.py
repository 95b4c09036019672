"""The Inbox page and the Atom feeds: pure renderers, then real MkDocs builds.

The feeds are checked twice: with feedparser (a real feed reader's parser) and against
the elements RFC 4287 requires, read with lxml.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from lxml import etree

from kbtool.config import Layout
from kbtool.errors import SiteBuildError
from kbtool.site.build import build_site
from kbtool.site.feeds import FeedSite, render_inbox_feed, xml_text
from kbtool.site.markup.feed_links import add_feed_links
from kbtool.site.pages.inbox import render_inbox_page
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, render_site
from kbtool.watch.inbox import waiting
from tests.support.inbox import make_entry
from tests.support.kb import KnowledgeBaseFactory, RunKbtool
from tests.support.search_index import BuiltIndex
from tests.support.site import (
    INBOX_SCRIPT_TITLE,
    SITE_NAME,
    copy_fixture,
    fixture_inbox,
    fixture_kb,
    fixture_site,
)

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/notes/"


def atom_problems(xml: str) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, checked element by element."""
    root = etree.fromstring(xml.encode("utf-8"))
    problems = []
    if root.tag != f"{ATOM}feed":
        return ["the root is not atom:feed"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"feed: not exactly one {name}")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for index, entry in enumerate(root.findall(f"{ATOM}entry")):
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"entry {index}: not exactly one {name}")
        ids.append(entry.findtext(f"{ATOM}id"))
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"entry {index}: no author, and the feed has none")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):
            problems.append(f"entry {index}: two alternate links of the same type")
        if entry.find(f"{ATOM}content") is None and not alternates:
            problems.append(f"entry {index}: neither content nor an alternate link")
    if len(ids) != len(set(ids)):
        problems.append("entry ids are not unique")
    return problems


def parsed(xml: str, location: str = BASE + "feed.xml") -> feedparser.FeedParserDict:
    headers = {"content-location": location, "content-type": "application/atom+xml"}
    result = feedparser.parse(xml, response_headers=headers)
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "atom10"
    return result


# --- the Inbox page -----------------------------------------------------------------------------


def test_the_inbox_page_ranks_escapes_and_hides_adopted_papers() -> None:
    page = fixture_site().pages["inbox.md"]
    # 2410.05677 has a note in the fixture knowledge base: it never shows.
    assert "2410.05677" not in page and "T2V-Turbo" not in page
    # Best first: the script title (9) before the motion paper (4.5).
    assert page.index("arxiv-2604-01234") < page.index("arxiv-2604-04321")
    assert (
        "<script" not in page and "<b>" not in page and "<img" not in page and "<markup" not in page
    )
    assert "## &#60;script&#62;alert" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<code>kbtool new 2604.01234</code>" in page
    assert '<details class="abstract kb-abstract"><summary>Abstract</summary>' in page
    assert '<p class="kb-summary">A summary with &lt;markup&gt; &amp; [a link]' in page
    assert "search:\n  exclude: true" in page


def test_the_empty_inbox_page() -> None:
    page = render_inbox_page([], SitePaths())
    assert "The inbox is empty. `kbtool watch` fills it" in page
    assert "[Atom feed](feed.xml)" in page


def test_the_navigation_and_home_page_link_the_inbox() -> None:
    site = fixture_site()
    assert {"Inbox": "inbox.md"} in site.navigation(SitePaths(), [])
    home = site.pages["index.md"]
    assert "[2 in the inbox](inbox.md)" in home
    assert "[the inbox](feed.xml)" in home and "[new notes](notes.xml)" in home


# --- the feeds ----------------------------------------------------------------------------------


def test_the_inbox_feed_is_valid_atom_with_arxiv_text_as_text() -> None:
    xml = fixture_site().pages["feed.xml"]
    assert atom_problems(xml) == []
    feed = parsed(xml)
    assert feed.feed.title == f"{SITE_NAME}: inbox"
    assert feed.feed.link == BASE + "inbox/"  # relative links resolve against the feed
    assert feed.feed.updated == "2026-04-13T00:00:00+00:00"
    assert [e.id for e in feed.entries] == [
        "https://arxiv.org/abs/2604.01234",
        "https://arxiv.org/abs/2604.04321",
    ]
    first = feed.entries[0]
    assert first.link == "https://arxiv.org/abs/2604.01234"
    assert [a.name for a in first.authors][:2] == ["Ada <Lovelace>", "Alan Turing"]
    assert first.published.startswith("2026-04-11") and first.updated.startswith("2026-04-12")
    assert [t.term for t in first.tags] == ["cs.LG", "cs.CL"]
    assert "Adopt: kbtool new 2604.01234" in first.summary
    # In the XML, markup from arXiv is escaped text; a reader gets the title back as written.
    assert "<script>" not in xml and "&lt;script&gt;alert('inbox')&lt;/script&gt;" in xml
    raw_title = etree.fromstring(xml.encode()).find(f"{ATOM}entry/{ATOM}title")
    assert raw_title is not None and raw_title.text == INBOX_SCRIPT_TITLE
    assert raw_title.get("type") in (None, "text")


def test_the_notes_feed_lists_the_notes_added_last() -> None:
    xml = fixture_site().pages["notes.xml"]
    assert atom_problems(xml) == []
    feed = parsed(xml, BASE + "notes.xml")
    titles = [e.title for e in feed.entries]
    assert titles[0].startswith("DynamiCrafter")  # added 2024-11-05, the latest
    assert feed.entries[0].link == BASE + "papers/2310.12190-dynamicrafter/"
    assert feed.feed.updated == "2024-11-05T00:00:00+00:00"
    assert len(feed.entries) == 5
    assert len({e.id for e in feed.entries}) == 5


def test_with_a_site_url_links_are_absolute_and_the_feeds_name_themselves() -> None:
    options = SiteOptions(site_name=SITE_NAME, site_url="https://me.github.io/notes/", feed_notes=2)
    site = render_site(fixture_kb(), SitePaths(), options, fixture_inbox())
    for name, count in (("feed.xml", 2), ("notes.xml", 2)):
        xml = site.pages[name]
        assert atom_problems(xml) == []
        feed = parsed(xml, "https://elsewhere.example/" + name)
        assert len(feed.entries) == count
        links = {link.rel: link.href for link in feed.feed.links}
        assert links["self"] == f"https://me.github.io/notes/{name}"
    notes = parsed(site.pages["notes.xml"])
    assert notes.entries[0].link == "https://me.github.io/notes/papers/2310.12190-dynamicrafter/"


def test_empty_feeds_are_valid() -> None:
    xml = render_inbox_feed([], FeedSite("Empty"), SitePaths())
    assert atom_problems(xml) == []
    feed = parsed(xml)
    assert feed.entries == [] and feed.feed.updated == "1970-01-01T00:00:00+00:00"


def test_characters_xml_cannot_carry_are_dropped() -> None:
    entry = make_entry(title="Bad\x01 title\x0b with \ufffe controls", abstract="a\x00b")
    xml = render_inbox_feed([entry], FeedSite("Site"), SitePaths())
    assert atom_problems(xml) == []
    assert parsed(xml).entries[0].title == "Bad title with controls"
    assert xml_text("x\ud800y") == "xy"


def test_the_same_inbox_gives_the_same_feed() -> None:
    entries = waiting(fixture_inbox(), set())
    assert render_inbox_feed(entries, FeedSite("S"), SitePaths()) == render_inbox_feed(
        list(entries), FeedSite("S"), SitePaths()
    )


def test_feed_autodiscovery_links() -> None:
    html = "<html><head><title>x</title></head><body></body></html>"
    out = add_feed_links(html, "papers/a/b.md", SitePaths(), 'My "notes"')
    assert out.count('type="application/atom+xml"') == 2
    assert 'title="My &quot;notes&quot;: inbox" href="../../../feed.xml"' in out
    assert out.index("notes.xml") < out.index("</head>")
    assert add_feed_links("no head", "x.md", SitePaths(), "S") == "no head"


# --- real builds --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture knowledge base (three papers in its inbox, one with a note), built strictly."""
    root = copy_fixture(tmp_path_factory.mktemp("inbox-site") / "kb")
    return build_site(Layout(root), strict=True)


def test_a_strict_build_with_a_full_inbox(full_build: Path) -> None:
    html = (full_build / "inbox" / "index.html").read_text(encoding="utf-8")
    assert (
        '<h2 id="arxiv-2604-01234">&#60;script&#62;alert&#40;&#39;inbox&#39;&#41;&#60;/script&#62; '
        "Sparse Attention &#38; &#60;b&#62;LLMs&#60;/b&#62;<a" in html
    )
    assert "<script>alert(" not in html
    assert html.count('class="kb-card kb-inbox-card"') == 2
    assert "2410.05677" not in html
    assert '<a href="../feed.xml">Atom feed</a>' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    for name in ("feed.xml", "notes.xml"):
        xml = (full_build / name).read_text(encoding="utf-8")
        assert atom_problems(xml) == [] and parsed(xml).entries
    home = (full_build / "index.html").read_text(encoding="utf-8")
    assert '<a href="inbox/">2 in the inbox</a>' in home
    assert 'href="inbox/"' in home.split('class="md-tabs"', 1)[1]  # a tab of its own
    # The inbox is not searched: notes and topic pages are.
    index = BuiltIndex(full_build / "search")
    assert index.entry("2604.01234") is None
    assert all(f["url"].startswith(("papers/", "topics/")) for f in index.fragments())


def test_a_strict_build_with_an_empty_inbox(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    (root / "inbox.yml").unlink()
    site = build_site(Layout(root), strict=True)
    html = (site / "inbox" / "index.html").read_text(encoding="utf-8")
    assert "The inbox is empty." in html
    feed = parsed((site / "feed.xml").read_text(encoding="utf-8"))
    assert feed.entries == []


def test_a_damaged_inbox_fails_the_build_with_its_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("inbox.yml", "papers:\n- id: '2604.00001'\n  version: 0\n")
    result = run_kbtool("build", "--site-dir", str(kb.root / "out"))
    assert result.exit_code == SiteBuildError.exit_code
    assert "inbox.yml:2: paper without `title:`" in result.stderr
    assert not (kb.root / "out" / "inbox").exists()
