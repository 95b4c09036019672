"""The built site in headless Chromium: pages render, math is typeset, search finds papers in
English and Chinese, titles stay text, nothing errors, and no request leaves 127.0.0.1.

Drives Debian's Chromium through Playwright (tests/support/browser.py; the fixtures are in
tests/conftest.py). These tests FAIL when Chromium is missing: run scripts/ensure-chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from kbtool.config import Layout
from kbtool.site.build import build_site
from tests.support.browser import Watch, serve_directory
from tests.support.site import (
    INBOX_SCRIPT_TITLE,
    SITE_NAME,
    XSS_TITLE,
    ServedSite,
    copy_fixture,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_fixture(tmp_path_factory.mktemp("browser") / "kb")
    with serve_directory(build_site(Layout(root), strict=True)) as url:
        yield url


def heading(page: Page) -> str:
    """The page's h1 as shown, without its permalink."""
    text: str = page.locator("h1").first.evaluate("h => h.firstChild.textContent")
    return text


def test_paper_page_renders_with_typeset_math(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    page.goto(site_url + "papers/2410.05677-t2v-turbo-v2/")
    assert heading(page) == "T2V-Turbo-v2: Enhancing Video Generation Model Post-Training"
    assert page.locator(".kb-card dt").first.inner_text() == "Authors"
    page.locator(".arithmatex .katex").first.wait_for()
    assert page.locator(".arithmatex .katex").count() == 3
    assert page.locator("div.arithmatex .katex-display").count() == 1
    assert page.locator(".katex-error").count() == 0
    # KaTeX's fonts load from the site
    fonts = [u for u in watch.requests if u.endswith(".woff2")]
    assert fonts and all("/assets/kbtool/katex/fonts/" in u for u in fonts)
    # the expired image is a visible placeholder and is never fetched
    placeholder = page.locator(".kb-media--expired")
    assert placeholder.is_visible() and "Expired image" in placeholder.inner_text()
    assert not any("amazonaws" in u or "example.org" in u for u in watch.requests)
    # a copy button on the BibTeX entry
    assert page.locator(".kb-bibtex .md-code__button, .kb-bibtex .md-clipboard").count() >= 1
    # the local figure loads
    assert page.locator('img[alt="local figure"]').evaluate("img => img.naturalWidth") == 4


def test_markup_in_titles_shows_as_text(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    page.goto(site_url + "papers/xss-title/")
    assert page.title() == f"{XSS_TITLE} - {SITE_NAME}"
    assert heading(page) == XSS_TITLE
    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".md-header__topic").nth(1).inner_text().strip() == XSS_TITLE
    card = page.locator(".kb-card").inner_text()
    assert "<script>alert(2)</script>" in card and "<i>Venue</i> & Co" in card
    page.goto(site_url + "topics/")
    nav = page.locator("nav.md-nav--primary")
    assert nav.get_by_text("<img src=x onerror=alert(11)>", exact=True).count() >= 1


def test_inbox_page_shows_arxiv_markup_as_text(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    page.goto(site_url + "inbox/")
    assert heading(page) == "Inbox"
    cards = page.locator(".kb-inbox-card")
    assert cards.count() == 2  # the third paper has a note: not shown
    first_title = page.locator("h2").first.evaluate("h => h.firstChild.textContent")
    assert first_title == INBOX_SCRIPT_TITLE
    assert page.locator("h2 b, img[src='x']").count() == 0
    assert not page.evaluate(
        "[...document.scripts].some(s => s.textContent.includes(\"alert('inbox')\"))"
    )
    # The abstract is folded, and opens to show its markup as text.
    abstract = cards.first.locator("details.kb-abstract")
    assert abstract.evaluate("d => d.open") is False
    abstract.locator("summary").click()
    assert "<img src=x onerror=alert(2)>" in abstract.inner_text()
    # Each paper's adopt command, with Material's copy button.
    assert cards.first.locator(".kb-adopt code").inner_text() == "kbtool new 2604.01234"
    assert page.locator(".kb-adopt .md-code__button, .kb-adopt .md-clipboard").count() == 2
    assert page.locator(".md-tabs__link", has_text="Inbox").count() == 1
    assert page.locator("link[type='application/atom+xml']").count() == 2
    response = page.request.get(site_url + "feed.xml")
    assert response.ok and "&lt;script&gt;alert('inbox')&lt;/script&gt;" in response.text()


def _search(page: Page, site_url: str, query: str) -> list[str]:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    # The list says which query it shows (kbtool's search; tests/test_search_browser.py).
    page.wait_for_function(
        "q => document.querySelector('.md-search-result__list').dataset.query === q", arg=query
    )
    titles = page.locator(".md-search-result__list > .md-search-result__item h1")
    return titles.all_inner_texts()


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("检测视频", "Stable Video Diffusion"),  # a Chinese phrase from the body
        ("奖励模型", "Direct Preference Optimization"),
        ("2311.15127", "Stable Video Diffusion"),  # the arXiv id
        ("Kulal", "Stable Video Diffusion"),  # an author's surname
        ("data curation pipeline", "Stable Video Diffusion"),  # an English phrase
    ],
)
def test_search_finds_the_paper(
    site_url: str, watched: tuple[Page, Watch], query: str, title: str
) -> None:
    page, _watch = watched
    titles = _search(page, site_url, query)
    assert titles[0].startswith(title), titles


def test_search_results_show_markup_as_text(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    titles = _search(page, site_url, "onerror")
    assert XSS_TITLE in titles
    assert page.locator(".md-search-result img").count() == 0


def test_index_pages_render(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    for path, title in [
        ("", SITE_NAME),
        ("topics/video-diffusion/", "Video diffusion"),
        ("timeline/", "Timeline"),
        ("venues/", "Venues"),
        ("tags/", "Tags"),
        ("reading-queue/", "Reading queue"),
        ("commands/", "Commands"),
        ("note-format/", "Note format"),
    ]:
        page.goto(site_url + path)
        assert heading(page) == title
    page.goto(site_url + "topics/video-diffusion/")
    rows = page.locator("#kb-papers ~ table tbody tr, table tbody tr")
    assert rows.count() == 3
    response = page.request.get(site_url + "references.bib")
    assert response.ok and "@misc{blattmann2023stable," in response.text()


def test_kbtool_serve_shows_a_saved_note_in_the_open_page(tmp_path: Path, browser: Browser) -> None:
    """The writer's loop: save the note, and the page open beside the editor reloads by itself."""
    root = copy_fixture(tmp_path / "kb")
    served = ServedSite(root)
    context = browser.new_context()
    try:
        served.wait_for("papers/2305.18290-dpo/", "奖励模型")
        page = context.new_page()
        page.goto(served.url + "papers/2305.18290-dpo/")
        assert "A sentence written just now." not in page.content()
        # Live reload polls once the page has loaded; give it its first request.
        page.wait_for_timeout(500)
        note = root / "notes" / "2305.18290-dpo.md"
        note.write_text(
            note.read_text(encoding="utf-8") + "\nA sentence written just now.\n",
            encoding="utf-8",
        )
        page.get_by_text("A sentence written just now.").wait_for(timeout=60_000)
        # The page reloaded itself (no test code navigated it).
        navigation = page.evaluate("performance.getEntriesByType('navigation')[0].type")
        assert navigation == "reload"
        assert page.url == served.url + "papers/2305.18290-dpo/"
    finally:
        context.close()
        served.close()
