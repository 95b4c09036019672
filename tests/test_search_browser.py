"""kbtool's search in headless Chromium, on the fixture site: what a person sees and does.

The browser's tokenizer agrees with the build's; results show title, facts and a marked
passage; typing, an input method, pasting, the keyboard, ?q= links and filters work;
markup in notes stays text; nothing leaves 127.0.0.1; Material's own search never starts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from kbtool.config import Layout
from kbtool.search.text import markdown_to_text
from kbtool.search.tokens import canonical, tokenize
from kbtool.site.build import build_site
from tests.support.browser import Watch, serve_directory
from tests.support.kb import REPO_ROOT
from tests.support.site import XSS_TITLE, copy_fixture

pytestmark = pytest.mark.browser

LIST = ".md-search-result__list"
SVD_TITLE = "Stable Video Diffusion: Scaling Latent Video Diffusion Models to Large Datasets"
TOKENS_MODULE = "assets/kbtool/search/search-tokens.js"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_fixture(tmp_path_factory.mktemp("search-browser") / "kb")
    with serve_directory(build_site(Layout(root), strict=True)) as url:
        yield url


def search(page: Page, query: str) -> list[str]:
    """Type ``query`` into the box (as a paste would put it); the result titles shown."""
    box = page.locator("input.md-search__input")
    box.fill(query)
    wait_for(page, query)
    return page.locator(f"{LIST} > li h1").all_inner_texts()


def wait_for(page: Page, query: str) -> None:
    """Until the list shows the results of ``query``, and their passages."""
    page.wait_for_function(
        f"q => document.querySelector('{LIST}').dataset.passages === q", arg=query, timeout=10_000
    )


def open_search(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("input.md-search__input").click()


def sample_texts() -> list[str]:
    """Real notes, and random strings over the scripts and joiners notes mix."""
    texts = [
        markdown_to_text(p.read_text(encoding="utf-8"))
        for p in sorted((REPO_ROOT / "notes").glob("*.md"))
    ]
    rng = random.Random(5)
    alphabet = list("abcXYZ019 -_./'’+&:;,()⟦⟧\n\t") + list("模型长上下文剪枝率的一ア々ー")
    alphabet += [*"ＡＢ１ｆ𠀀éßΣςİﬁ①Ⅻ٣ǅ", "e\u0301", "a\u0308", "\u200b"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    return texts


def test_the_browser_reads_text_as_the_build_does(
    site_url: str, watched: tuple[Page, Watch]
) -> None:
    page, _watch = watched
    page.goto(site_url)
    texts = sample_texts()
    found = page.evaluate(
        """async ([url, texts]) => {
            const tokens = await import(url);
            return texts.map((t) => [tokens.tokenize(t), tokens.canonical(t)]);
        }""",
        [site_url + TOKENS_MODULE, texts],
    )
    for text, (terms, name) in zip(texts, found, strict=True):
        assert [tuple(t) for t in terms] == tokenize(text), text
        assert name == canonical(text), text


def test_results_show_title_facts_and_the_passage_matched(
    site_url: str, watched: tuple[Page, Watch]
) -> None:
    page, _watch = watched
    open_search(page, site_url)
    titles = search(page, "data curation pipeline")
    assert titles == [
        "Stable Video Diffusion: Scaling Latent Video Diffusion Models to Large Datasets"
    ]
    item = page.locator(f"{LIST} > li").first
    assert (
        item.locator(".kb-search-facts").inner_text()
        == "2023 · Video diffusion, Image-to-video reading"
    )
    marks = item.locator(".kb-search-snippet mark").all_inner_texts()
    assert marks == ["data", "curation", "pipeline"]
    assert (
        item.locator("a")
        .get_attribute("href", timeout=1000)
        .endswith(  # type: ignore[union-attr]
            "/papers/2311.15127-stable-video-diffusion/"
        )
    )
    assert page.locator(".md-search-result__meta").inner_text() == "1 note match"
    # Chinese: the phrase marked where it stands.
    search(page, "检测视频")
    assert item.locator(".kb-search-snippet mark").all_inner_texts() == ["检测视频"]
    assert "?q=" in page.url  # the address follows the search
    # Topic pages are found too: the researcher's text about a whole topic.
    assert search(page, "most of my reading") == ["Video diffusion"]
    assert item.locator(".kb-search-facts").inner_text() == "Topic"


def test_names_ids_prefixes_and_typos(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    open_search(page, site_url)
    svd = SVD_TITLE
    assert search(page, "SVD")[0] == svd  # an alias
    assert search(page, "arXiv:2311.15127v2")[0] == svd  # an id, in another version
    assert search(page, "blattmann2023stable") == [svd]  # the citation key
    assert search(page, "curat")[0] == svd  # the last word, while it is typed
    assert svd in search(page, "difusion")  # a typo
    assert search(page, "t2v-turbo")[0].startswith("T2V-Turbo-v2")


def test_every_word_must_be_found(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    open_search(page, site_url)
    assert search(page, "zqx") == []  # in a shard the index does not have: nothing fetched
    assert search(page, "diffusion 等离子体") == []
    assert page.locator(".md-search-result__meta").inner_text() == (
        "No note holds all of “diffusion 等离子体”"
    )
    # A Chinese phrase no note holds as such: the notes holding its characters, said so.
    assert search(page, "检测动态")[0].startswith("Stable Video Diffusion")
    assert "not side by side" in page.locator(".md-search-result__meta").inner_text()


def test_keyboard(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    page.goto(site_url + "timeline/")
    page.keyboard.press("/")  # opens the search from anywhere
    box = page.locator("input.md-search__input")
    assert box.evaluate("b => b === document.activeElement")
    assert page.locator("#__search").is_checked()
    box.fill("video")
    wait_for(page, "video")
    page.keyboard.press("ArrowDown")
    first = page.locator(f"{LIST} > li > a").first
    assert first.evaluate("a => a === document.activeElement")
    page.keyboard.press("ArrowUp")
    assert box.evaluate("b => b === document.activeElement")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    assert "q=" not in page.url
    page.keyboard.press("s")
    box.fill("dpo")
    wait_for(page, "dpo")
    page.keyboard.press("Enter")  # the first result
    page.wait_for_url("**/papers/2305.18290-dpo/")


def test_a_search_in_the_address_opens_with_its_filters(
    site_url: str, watched: tuple[Page, Watch]
) -> None:
    page, _watch = watched
    page.goto(site_url + "venues/?q=video&topic=video-diffusion")
    wait_for(page, "video")
    assert page.locator("#__search").is_checked()
    # Of 3 notes and 2 topic pages: the note, and the topic's own page.
    assert page.locator(f"{LIST} > li h1").all_inner_texts() == ["Video diffusion", SVD_TITLE]
    topic = page.locator("select[data-kb-facet='topic']")
    assert topic.input_value() == "video-diffusion"
    assert "Image-to-video (4)" in topic.locator("option").all_inner_texts()


def test_filters_narrow_the_results(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    open_search(page, site_url)
    assert len(search(page, "video")) == 5  # 3 notes, 2 topic pages
    status = page.locator("select[data-kb-facet='status']")
    options = status.locator("option").all_inner_texts()
    assert options[0] == "Any status" and "reading (1)" in options
    status.select_option("reading")
    page.wait_for_function(f"document.querySelectorAll('{LIST} > li').length === 1")
    assert "status=reading" in page.url
    year = page.locator("select[data-kb-facet='year']")
    assert year.locator("option").all_inner_texts() == ["Any year", "2023 (1)"]


def test_an_input_method_and_pasting(
    site_url: str, watched: tuple[Page, Watch], browser_context_clipboard: None
) -> None:
    page, _watch = watched
    open_search(page, site_url)
    cdp = page.context.new_cdp_session(page)
    # While the input method composes, nothing is searched…
    cdp.send("Input.imeSetComposition", {"text": "jiance", "selectionStart": 6, "selectionEnd": 6})
    page.wait_for_timeout(400)
    assert page.locator(LIST).get_attribute("data-query") is None
    # …and what it commits is.
    cdp.send("Input.insertText", {"text": "检测"})
    wait_for(page, "检测")
    assert page.locator(f"{LIST} > li").count() == 1
    box = page.locator("input.md-search__input")
    box.fill("")
    page.evaluate("text => navigator.clipboard.writeText(text)", "奖励模型")
    box.focus()
    page.keyboard.press("ControlOrMeta+V")
    wait_for(page, "奖励模型")
    assert page.locator(f"{LIST} > li h1").first.inner_text().startswith("Direct Preference")


@pytest.fixture
def browser_context_clipboard(watched: tuple[Page, Watch], site_url: str) -> None:
    page, _watch = watched
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url[:-1])


def test_markup_in_notes_stays_text_in_results(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    open_search(page, site_url)
    titles = search(page, "onerror")  # a note, and a topic page
    assert sorted(titles) == sorted([XSS_TITLE, "<img src=x onerror=alert(11)>"])
    result = page.locator(f"{LIST} > li").nth(titles.index(XSS_TITLE))
    assert "<i>Venue</i> & Co" in result.locator(".kb-search-facts").inner_text()
    assert (
        page.locator(".md-search-result img, .md-search-result script, .md-search-result b").count()
        == 0
    )
    topics = page.locator("select[data-kb-facet='topic'] option").all_inner_texts()
    assert "<img src=x onerror=alert(11)> (2)" in topics
    tags = page.locator("select[data-kb-facet='tag'] option").all_inner_texts()
    assert "<svg onload=alert(4)> (1)" in tags
    assert not any("search_index.json" in url for url in watch.requests)


def test_material_search_never_starts(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, watch = watched
    open_search(page, site_url)
    search(page, "video")
    assert not any("search_index.json" in u or "/workers/search" in u for u in watch.requests)
    # The index comes in pieces: no document's text before it is a result.
    fetched = [u.split("/search/", 1)[1] for u in watch.requests if "/search/" in u]
    fragments = {u.split("?")[0] for u in fetched if u.startswith("f/")}
    assert len(fragments) == 5 and "manifest.json" in fetched  # of 9 documents
    manifest = json.loads(page.request.get(site_url + "search/manifest.json").text())
    assert manifest["documents"] == 5 + 4  # the notes, and the topic pages
