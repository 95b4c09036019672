"""The citation maps in headless Chromium: drawn with no console error and no request off
127.0.0.1, titles shown as text on hover, a click opens the note, filters change what is
drawn, and the same citations are there without JavaScript.

Drives Debian's Chromium (/usr/bin/chromium, or $KBTOOL_CHROMIUM) through Playwright. These
tests FAIL when Chromium is missing: run scripts/ensure-chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kbtool.config import Layout
from kbtool.site.build import build_site
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory, watched_page
from tests.support.citation_kb import write_citation_kb
from tests.support.site import XSS_TITLE, copy_fixture

pytestmark = pytest.mark.browser

T2V = "papers/2410.05677-t2v-turbo-v2/"
XSS = "papers/xss-title/"
T2V_TITLE = "T2V-Turbo-v2: Enhancing Video Generation Model Post-Training"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture knowledge base with its citations.json, built strictly and served."""
    root = copy_fixture(tmp_path_factory.mktemp("map") / "kb", citations=True)
    with serve_directory(build_site(Layout(root), strict=True)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for this module only: Playwright's sync API keeps an event loop running while
    it is open, and the `links` tests that run later call asyncio.run()."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-chromium (browser tests never skip)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_map(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("figure.kb-map[data-state=ready]")


def drawn(page: Page) -> dict[str, int]:
    """The map's counts once the redraw a change queued (next animation frame) has run."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    figure = page.locator("figure.kb-map")
    return {
        name: int(figure.get_attribute(f"data-{name}") or -1)
        for name in ("shown-papers", "shown-citations", "drawn-papers", "drawn-citations")
    }


def point_at(page: Page, url: str) -> tuple[float, float]:
    """Where the paper with page ``url`` is drawn, in page coordinates."""
    where = page.evaluate("u => document.querySelector('figure.kb-map').kbMap.locate(u)", url)
    assert where is not None, f"{url} is not drawn"
    box = page.locator("canvas.kb-map__canvas").bounding_box()
    assert box is not None
    return box["x"] + where["x"], box["y"] + where["y"]


def inked_pixels(page: Page) -> int:
    """How many pixels of the canvas are drawn on (not transparent)."""
    count: int = page.evaluate(
        """() => {
          const canvas = document.querySelector('canvas.kb-map__canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]) inked++;
          return inked;
        }"""
    )
    return count


def test_the_map_draws_every_paper_and_citation(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, watch):
        open_map(page, site_url + "map/")
        assert drawn(page) == {
            "shown-papers": 5,
            "shown-citations": 3,
            "drawn-papers": 5,
            "drawn-citations": 3,
        }
        assert inked_pixels(page) > 2000
        # The data and the script came from the site itself.
        assert any(u.endswith("/citation-map.json") for u in watch.requests)
        assert any(u.endswith("/assets/kbtool/kbtool-map.js") for u in watch.requests)
        # The lane labels are drawn on the canvas, so the topic titled with markup made no
        # element; the topic filter shows it as text.
        assert page.locator("figure.kb-map img").count() == 0
        page.locator("details.kb-map__filter summary").click()
        labels = page.locator("label.kb-map__option").all_inner_texts()
        assert "<img src=x onerror=alert(11)>" in [label.strip() for label in labels]


def test_hovering_shows_the_title_as_text(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        open_map(page, site_url + "map/")
        tip = page.locator(".kb-map__tip")
        assert tip.is_hidden()
        page.mouse.move(*point_at(page, T2V))
        tip.wait_for(state="visible")
        assert page.locator(".kb-map__tip-title").inner_text() == T2V_TITLE
        assert "2024-10-07 · read · Image-to-video" in tip.inner_text()
        assert "cites 3 · cited by 0 of your notes" in tip.inner_text()
        assert page.locator("figure.kb-map").get_attribute("data-focus") == T2V
        # Markup in a title is text in the tooltip: no element, no script.
        page.mouse.move(*point_at(page, XSS))
        page.wait_for_function(
            "t => document.querySelector('.kb-map__tip-title').textContent === t", arg=XSS_TITLE
        )
        assert page.locator(".kb-map__tip img").count() == 0
        # Off the papers, the tooltip goes.
        box = page.locator("canvas.kb-map__canvas").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
        tip.wait_for(state="hidden")


def test_hovering_a_paper_brings_out_its_citations(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        open_map(page, site_url + "map/")
        plain = inked_pixels(page)
        page.mouse.move(*point_at(page, T2V))
        page.wait_for_function("() => document.querySelector('figure.kb-map').dataset.focus !== ''")
        page.wait_for_timeout(100)  # the next frame
        assert inked_pixels(page) != plain  # its arrows drawn strong, the rest faded


def test_clicking_a_paper_opens_its_note(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        open_map(page, site_url + "map/")
        with page.expect_navigation():
            page.mouse.click(*point_at(page, T2V))
        assert page.url == site_url + T2V
        assert page.locator("h1").first.evaluate("h => h.firstChild.textContent") == T2V_TITLE


def test_filters_change_what_is_drawn(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        open_map(page, site_url + "map/")
        page.locator("input[data-kb-status=to-read]").uncheck()
        # DynamiCrafter and DPO are to read: gone, and T2V's citations of them with them.
        assert drawn(page)["shown-papers"] == 3 and drawn(page)["drawn-citations"] == 1
        assert (
            page.evaluate(
                "u => document.querySelector('figure.kb-map').kbMap.locate(u)",
                "papers/2305.18290-dpo/",
            )
            is None
        )
        page.locator("input[data-kb-status=to-read]").check()
        page.locator("details.kb-map__filter summary").click()
        page.locator("input[data-kb-topic='0']").uncheck()  # Video diffusion
        # SVD is filed under video diffusion and image-to-video: it moves lanes, stays drawn.
        assert drawn(page)["shown-papers"] == 5
        page.locator("input[data-kb-topic='1']").uncheck()  # Image-to-video
        assert drawn(page) == {
            "shown-papers": 2,  # DPO and the markup-titled note, under RLHF
            "shown-citations": 0,
            "drawn-papers": 2,
            "drawn-citations": 0,
        }
        assert page.locator(".kb-map__count").inner_text() == "2 papers, 0 citations"


def test_a_topic_map_starts_with_its_topic(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        open_map(page, site_url + "topics/image-to-video/map/")
        assert drawn(page)["shown-papers"] == 3 and drawn(page)["shown-citations"] == 2
        assert page.locator("details.kb-map__filter").count() == 0  # one topic: no filter
        rows = page.locator("ul.kb-map-list > li")
        assert rows.count() == 1 and rows.first.inner_text().startswith(T2V_TITLE)


def test_a_paper_page_leads_to_it_on_the_map(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        page.goto(site_url + T2V)
        cites = page.locator("#kb-cites + ul.kb-papers > li, #kb-cites ~ ul.kb-papers > li")
        assert cites.count() >= 3
        assert "41" in page.locator(".kb-card").inner_text()  # the citation count, and its date
        assert "Semantic Scholar, read 2026-11-28" in page.locator(".kb-card").inner_text()
        page.get_by_text("See them on the citation map").click()
        page.wait_for_selector("figure.kb-map[data-state=ready]")
        assert page.locator("figure.kb-map").get_attribute("data-focus") == T2V


def test_without_javascript_the_citations_are_a_list(site_url: str, browser: Browser) -> None:
    with watched_page(browser, java_script_enabled=False) as (page, _watch):
        page.goto(site_url + "map/")
        assert page.locator("noscript").count() == 1
        items = page.locator("ul.kb-map-list > li")
        assert items.count() == 1
        links = items.first.locator("a")
        assert links.count() == 4  # T2V-Turbo-v2 cites three notes
        with page.expect_navigation():
            links.nth(1).click()
        assert page.url.startswith(site_url + "papers/")


def test_the_inbox_lists_the_papers_the_notes_cite_most(site_url: str, browser: Browser) -> None:
    with watched_page(browser) as (page, _watch):
        page.goto(site_url + "inbox/")
        cards = page.locator(".kb-missing-card")
        assert cards.count() == 3
        titles = page.locator(".kb-missing-card__title").all_inner_texts()
        assert "<script>alert('cited')</script> Latent & <b>Diffusion</b>" in titles
        assert page.locator(".kb-missing-card b, .kb-missing-card script").count() == 0
        assert cards.first.locator(".kb-adopt code").inner_text() == "kbtool new 2307.04725"


@pytest.mark.slow
def test_a_map_of_hundreds_draws_only_what_is_in_view(browser: Browser, tmp_path: Path) -> None:
    root = tmp_path / "kb"
    urls = write_citation_kb(root, papers=300, citations=1500)
    site = build_site(Layout(root), strict=True)
    viewport = {"width": 1200, "height": 800}
    with serve_directory(site) as url, watched_page(browser, viewport=viewport) as (page, _):
        open_map(page, url + "map/")
        whole = drawn(page)
        assert whole["shown-papers"] == 300 and whole["shown-citations"] == 1500
        assert whole["drawn-papers"] < 300  # the lanes below the view wait
        for _ in range(4):
            page.get_by_role("button", name="Zoom in").click()
        zoomed = drawn(page)
        assert zoomed["drawn-papers"] < whole["drawn-papers"]
        assert zoomed["drawn-citations"] < whole["drawn-citations"]
        # Back to everything; the keyboard scrolls the map to a title with markup.
        page.get_by_role("button", name="Show everything").click()
        markup = next(t for t in urls if t.startswith("<img"))
        canvas = page.locator("canvas.kb-map__canvas")
        canvas.scroll_into_view_if_needed()
        canvas.focus()
        height = (canvas.bounding_box() or {"height": 0})["height"]
        for _ in range(200):
            where = page.evaluate(
                "u => document.querySelector('figure.kb-map').kbMap.locate(u)", urls[markup]
            )
            if 40 < where["y"] < height - 20:
                break
            page.keyboard.press("ArrowDown" if where["y"] >= height - 20 else "ArrowUp")
            page.wait_for_timeout(20)
        page.mouse.move(*point_at(page, urls[markup]))
        page.wait_for_function(
            "t => document.querySelector('.kb-map__tip-title').textContent === t", arg=markup
        )
        # 1,500 citations are more than a page should hold: they have a page of their own.
        assert page.get_by_text("a page of their own").count() == 1
        page.goto(url + "map/citations/")
        assert page.locator("ul.kb-map-list a").count() > 1500
