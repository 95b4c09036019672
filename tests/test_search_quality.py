"""The search finds the note you mean: the judged query sets over this repository's notes,
typed into the real site in headless Chromium, must meet the targets of issue 11.

Top-1 at least 0.95 over all queries and 0.90 for each kind; top-5 at least 0.99; no
query without a result (every judged query has a note holding all of its words). Both
the set tuned on (judged.yml) and the one kept aside (heldout.yml) are held to them.
benchmarks/bench_search.py prints the same figures beside Material's search.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from kbtool.config import Layout
from kbtool.site.build import build_site
from tests.support.browser import Watch
from tests.support.search_eval import (
    KINDS,
    KbtoolSearch,
    copy_repository_kb,
    evaluate,
    load_judgments,
    serve_directory,
    table,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_repository_kb(tmp_path_factory.mktemp("repository") / "kb")
    with serve_directory(build_site(Layout(root), strict=True)) as url:
        yield url


@pytest.mark.parametrize("name", ["judged", "heldout"])
def test_the_right_note_comes_first(site_url: str, watched: tuple[Page, Watch], name: str) -> None:
    page, _watch = watched
    judgments = load_judgments(name)
    assert {j.kind for j in judgments} == set(KINDS) and len(judgments) >= 60
    scores = evaluate(KbtoolSearch(page, site_url), judgments)
    report = table({"kbtool": scores}) + "".join(
        f"\n  missed: {q!r} → {found}" for s in scores.values() for q, found in s.misses
    )
    overall = scores["all"]
    assert overall.rate(overall.top1) >= 0.95, report
    assert all(scores[kind].rate(scores[kind].top1) >= 0.90 for kind in KINDS), report
    assert overall.rate(overall.top5) >= 0.99, report
    assert overall.zero == 0, report


def test_more_results_on_request(site_url: str, watched: tuple[Page, Watch]) -> None:
    page, _watch = watched
    search = KbtoolSearch(page, site_url)
    first = search.results("diffusion")
    assert len(first) == 10
    total = int(page.locator(".md-search-result__list").get_attribute("data-total") or 0)
    assert total > 20
    page.locator(".kb-search-more").click()
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length === 20")
    hrefs = page.eval_on_selector_all(".md-search-result__item > a", "as => as.map(a => a.href)")
    assert len(set(hrefs)) == 20
