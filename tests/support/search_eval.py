"""Run judged search queries in a real browser, on a built site, and score the results.

Shared by tests/test_search_quality.py (kbtool's search must meet its targets) and
benchmarks/bench_search.py (kbtool's search beside Material's, from the same notes).
Queries are typed into the search box as a person would (the whole query at once, as
when pasting), and the results are read from the list the page shows.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import Page

from kbtool.site.paths import SitePaths
from tests.support.browser import serve_directory

__all__ = [
    "KbtoolSearch",
    "MaterialSearch",
    "copy_repository_kb",
    "evaluate",
    "load_judgments",
    "serve_directory",
    "table",
]

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SEARCH_DATA = REPO_ROOT / "tests" / "data" / "search"
#: What a knowledge base is made of (not the built site, caches or the tool's code).
KB_FILES = ("notes", "topics", "docs", "topics.yml", "kbtool.yml", "inbox.yml", "mkdocs.yml")
KINDS = ("english-phrase", "chinese-one", "chinese-few", "name", "arxiv-id", "title-words")
#: A target that is a topic page (``topic:<id>``), not a note.
TOPIC = "topic:"
#: Results read per query (the first page of kbtool's list).
DEPTH = 10


@dataclass(frozen=True)
class Judgment:
    query: str
    kind: str
    #: Site URLs (relative to the root) of the notes (and topic pages) that answer it.
    targets: frozenset[str]


def load_judgments(name: str) -> list[Judgment]:
    """``judged`` (tuned on) or ``heldout`` (kept aside), from tests/data/search/."""
    entries = yaml.safe_load((SEARCH_DATA / f"{name}.yml").read_text(encoding="utf-8"))
    paths = SitePaths()

    def url(target: str) -> str:
        if target.startswith(TOPIC):
            return paths.url(paths.topic(target[len(TOPIC) :]))
        return paths.url(paths.paper(target))

    return [
        Judgment(
            query=str(entry["query"]),
            kind=entry["kind"],
            targets=frozenset(url(t) for t in entry["targets"]),
        )
        for entry in entries
    ]


def copy_repository_kb(target: Path) -> Path:
    """This repository's knowledge base (its notes, topics, settings) at ``target``."""
    target.mkdir(parents=True)
    for name in KB_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy(source, target / name)
    return target


def _relative(url: str, root: str) -> str:
    path = urlsplit(url).path
    return path[len(urlsplit(root).path) :] if path.startswith(urlsplit(root).path) else path


class KbtoolSearch:
    """kbtool's search box on a page of the site."""

    name = "kbtool"

    def __init__(self, page: Page, root: str) -> None:
        self.page = page
        self.root = root
        page.goto(root)
        self.box = page.locator("input.md-search__input")
        self.box.click()

    def results(self, query: str) -> list[str]:
        """The URLs of the results shown for ``query``, in order."""
        self.box.fill(query)
        self.page.wait_for_function(
            "q => document.querySelector('.md-search-result__list').dataset.query === q",
            arg=query,
            timeout=15_000,
        )
        hrefs: list[str] = self.page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item > a", "as => as.map(a => a.href)"
        )
        return [_relative(h, self.root) for h in hrefs[:DEPTH]]


class MaterialSearch:
    """Material's own search box (its ``search`` plugin) on a page of the site."""

    name = "material"

    def __init__(self, page: Page, root: str) -> None:
        self.page = page
        self.root = root
        page.goto(root)
        self.box = page.locator("input.md-search__input")
        self.box.click()
        # Material builds its whole index in its worker before the first search.
        self.box.fill("the")
        self.box.press("End")
        page.locator(".md-search-result__item").first.wait_for(timeout=120_000)

    def results(self, query: str) -> list[str]:
        self.box.fill(query)
        self.box.press("End")  # Material searches on keyup
        # Material answers from its worker without saying which query it answered:
        # read the list until it stops changing.
        previous: list[str] | None = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.12)
            current: list[str] = self.page.eval_on_selector_all(
                ".md-search-result__list > .md-search-result__item > a",
                "as => as.map(a => a.href)",
            )
            if current == previous:
                break
            previous = current
        pages = [_relative(h.split("#")[0], self.root) for h in previous or []]
        return list(dict.fromkeys(pages))[:DEPTH]


@dataclass
class KindScore:
    queries: int = 0
    top1: int = 0
    top5: int = 0
    reciprocal: float = 0.0
    zero: int = 0
    misses: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, judgment: Judgment, results: Sequence[str]) -> None:
        self.queries += 1
        rank = next((i for i, url in enumerate(results) if url in judgment.targets), None)
        if rank == 0:
            self.top1 += 1
        else:
            self.misses.append((judgment.query, list(results[:3])))
        if rank is not None and rank < 5:
            self.top5 += 1
        if rank is not None:
            self.reciprocal += 1 / (rank + 1)
        if not results:
            self.zero += 1

    def rate(self, count: int) -> float:
        return count / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal / self.queries if self.queries else 0.0


def evaluate(
    search: KbtoolSearch | MaterialSearch, judgments: Sequence[Judgment]
) -> dict[str, KindScore]:
    """Scores per kind, and over all queries (``all``)."""
    scores = {kind: KindScore() for kind in (*KINDS, "all")}
    for judgment in judgments:
        results = search.results(judgment.query)
        scores[judgment.kind].add(judgment, results)
        scores["all"].add(judgment, results)
    return scores


def table(columns: dict[str, dict[str, KindScore]]) -> str:
    """The scores of each search side by side, a row per kind."""
    names = list(columns)
    header = f"{'kind':<16}{'n':>4}  " + "  ".join(
        f"{name + ' top1':>13}{'top5':>6}{'MRR':>6}{'zero':>6}" for name in names
    )
    lines = [header]
    for kind in (*KINDS, "all"):
        first = columns[names[0]][kind]
        cells = []
        for name in names:
            s = columns[name][kind]
            cells.append(
                f"{s.rate(s.top1):>13.2f}{s.rate(s.top5):>6.2f}{s.mrr:>6.2f}{s.rate(s.zero):>6.2f}"
            )
        lines.append(f"{kind:<16}{first.queries:>4}  " + "  ".join(cells))
    return "\n".join(lines)
