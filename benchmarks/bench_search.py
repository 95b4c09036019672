"""Benchmark search: kbtool's beside Material's, for quality on this repository's notes and
for what a person waits for at 1,000 and 5,000 synthetic notes.

Quality: the judged query sets (tests/data/search/judged.yml, tuned on, and heldout.yml,
kept aside) typed into each site's search box in headless Chromium; top-1, top-5, mean
reciprocal rank (of the first acceptable note in the first 10 results) and the rate of
queries with no result, per kind of query. Both sites are built from the same notes:
kbtool's search, and Material's ``search`` plugin as this repository configured it before
(jieba at build time, the separator splitting on ``\\u200b``).

Scale, for each size: the index size on disk (and gzipped); the build of the index alone
(documents + assembly, in this process) and the whole ``mkdocs build``; the bytes fetched
before the first result of a first query (index files, then kbtool's scripts; raw and as a
gzip-serving host would send them); the time from starting to load a page to the first
result, for an English word most notes hold and a Chinese word half of them hold; then
the time per keystroke while typing a longer query character by character (from the key
press to the results for exactly that text). Targets (issue 11): at 5,000 notes at most
500 KB compressed before the first result, the first result within 1 s of the page load,
at most 100 ms per later keystroke. Material's search, built from the same notes, is
measured alongside at the sizes up to --material-max.

    python benchmarks/bench_search.py [--sizes 1000,5000] [--material-max 1000]
                                      [--no-quality] [--no-scale] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import make_knowledge_base
from playwright.sync_api import Page, Request, sync_playwright

from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.search import build_search_index
from kbtool.site.catalog import build_catalog
from kbtool.site.paths import SitePaths
from kbtool.site.search import search_documents
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.search_eval import (
    KbtoolSearch,
    MaterialSearch,
    copy_repository_kb,
    evaluate,
    load_judgments,
    serve_directory,
    table,
)

# Material's search as mkdocs.yml configured it before kbtool had its own.
MATERIAL_SEARCH = """\
  - search:
      lang: [en]
      separator: '[\\s\\u200b\\u3000\\u3001\\u3002\\uff0c\\uff1a\\uff1b\\uff01\\uff1f\\uff08\\uff09\\-_,:!=\\[\\]()"`/]+|\\.(?!\\d)|&[lg]t;|(?!\\b)(?=[A-Z][a-z])'
"""  # noqa: E501
FIRST_QUERIES = ("distillation", "蒸馏")
TYPED_QUERY = "consistency distillation 教师模型"


def use_material_search(root: Path) -> None:
    """Switch the knowledge base at ``root`` to Material's search plugin."""
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("      search: true\n", "      search: false\n")
    if "search: false" not in config:
        config = config.replace("  - kbtool:\n", "  - kbtool:\n      search: false\n")
    config = config.replace("plugins:\n", "plugins:\n" + MATERIAL_SEARCH, 1)
    features = "    - content.code.copy\n"
    config = config.replace(features, features + "    - search.suggest\n")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")


@dataclass
class Seconds:
    """Wall-clock and CPU seconds: on a shared machine the CPU time is the steadier figure."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.1f} s ({self.cpu:.1f} s CPU)"


def build(root: Path) -> Seconds:
    """``mkdocs build`` in a fresh process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build of {root} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Seconds(wall, cpu)


def browser(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def quality(work: Path) -> None:
    ours = copy_repository_kb(work / "quality-kbtool")
    theirs = copy_repository_kb(work / "quality-material")
    use_material_search(theirs)
    print(f"building this repository's notes: kbtool {build(ours)}, ", end="", flush=True)
    print(f"Material's search {build(theirs)}", flush=True)
    with sync_playwright() as playwright:
        chromium = browser(playwright)
        for name, about in (("judged", "tuned on"), ("heldout", "kept aside")):
            judgments = load_judgments(name)
            columns = {}
            for kind, root, search_class in (
                ("kbtool", ours, KbtoolSearch),
                ("material", theirs, MaterialSearch),
            ):
                with serve_directory(root / "site") as url:
                    page = chromium.new_page()
                    columns[kind] = evaluate(search_class(page, url), judgments)
                    page.close()
            print(f"\n{name}.yml ({len(judgments)} queries, {about}):")
            print(table(columns))
        chromium.close()


@dataclass
class Fetched:
    requests: list[tuple[str, int, int]] = field(default_factory=list)  # url, raw, gzip

    def record(self, request: Request) -> None:
        response = request.response()
        if response is None:
            return
        body = response.body()
        self.requests.append((request.url, len(body), len(gzip.compress(body, 6))))

    def total(self, part: str) -> tuple[int, int, int]:
        chosen = [r for r in self.requests if part in r[0]]
        return len(chosen), sum(r[1] for r in chosen), sum(r[2] for r in chosen)


@dataclass
class Visit:
    #: From the start of the page load to the first result shown (the query typed at once).
    first_result_ms: float
    #: Of which: the page itself, to DOMContentLoaded.
    page_ready_ms: float
    #: From the query's input event to its first result shown (measured in the page).
    query_ms: float
    index: tuple[int, int, int]
    scripts: tuple[int, int, int]


# Timestamps taken in the page itself (performance.now(), from the start of the load):
# each input event, and each time the result list shows a query (kbtool's list says
# which; Material's only changes).
RECORDER = """
window.__kb = { inputs: [], shown: [], passages: [] };
document.addEventListener("input", (e) => {
  if (e.target.matches && e.target.matches(".md-search__input"))
    window.__kb.inputs.push([performance.now(), e.target.value]);
}, true);
new MutationObserver(() => {
  const list = document.querySelector(".md-search-result__list");
  if (!list) return;
  const item = list.querySelector(".md-search-result__item");
  const shown = list.dataset.query ?? (item ? "*" : null);
  const last = window.__kb.shown[window.__kb.shown.length - 1];
  if (shown !== null && (!last || last[1] !== shown))
    window.__kb.shown.push([performance.now(), shown]);
  const passages = list.dataset.passages;
  const before = window.__kb.passages[window.__kb.passages.length - 1];
  if (passages !== undefined && (!before || before[1] !== passages))
    window.__kb.passages.push([performance.now(), passages]);
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-query", "data-passages"] });
"""


def first_result(page: Page, url: str, query: str, material: bool) -> Visit:
    """Load the home page, type ``query`` at once, wait for its first result."""
    fetched = Fetched()
    page.on("requestfinished", fetched.record)
    page.goto(url, wait_until="domcontentloaded")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    if material:
        box.press("End")
        page.locator(".md-search-result__item").first.wait_for(timeout=300_000)
    else:
        page.wait_for_function(
            "q => document.querySelector('.md-search-result__list').dataset.query === q "
            "&& document.querySelector('.md-search-result__item')",
            arg=query,
            timeout=60_000,
        )
    ready, inputs, shown = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,"
        " window.__kb.inputs, window.__kb.shown]"
    )
    page.remove_listener("requestfinished", fetched.record)
    typed_at = next(t for t, value in inputs if value == query)
    result_at = next(t for t, shows in shown if shows in (query, "*") and t >= typed_at)
    index_part = "/search/search_index.json" if material else "/search/"
    scripts_part = "/assets/javascripts/" if material else "/assets/kbtool/search/"
    return Visit(
        result_at,
        ready,
        result_at - typed_at,
        fetched.total(index_part),
        fetched.total(scripts_part),
    )


def keystrokes(page: Page, text: str) -> tuple[list[float], list[float]]:
    """Milliseconds from each key's input event to the results for exactly the text typed
    so far, and to their passages, measured in the page."""
    box = page.locator("input.md-search__input")
    box.fill("")
    typed = ""
    for char in text:
        typed += char
        if char.isascii():
            box.press(char if char != " " else "Space")
        else:  # a character an input method commits
            page.keyboard.insert_text(char)
        page.wait_for_function(
            "q => document.querySelector('.md-search-result__list').dataset.passages === q",
            arg=typed,
            timeout=30_000,
        )
    inputs, shown, passages = page.evaluate(
        "() => [window.__kb.inputs, window.__kb.shown, window.__kb.passages]"
    )
    times, full = [], []
    prefix = ""
    for char in text:
        prefix += char
        typed_at = max(t for t, value in inputs if value == prefix)
        times.append(min(t for t, q in shown if q == prefix and t >= typed_at) - typed_at)
        full.append(min(t for t, q in passages if q == prefix and t >= typed_at) - typed_at)
    return times, full


def kb_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    return raw, sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)


def index_build_time(root: Path) -> tuple[Seconds, Seconds]:
    """Making the search documents, and assembling the index (in this process)."""
    catalog = build_catalog(load_knowledge_base(Layout(root)), SitePaths())
    start, start_cpu = time.perf_counter(), time.process_time()
    documents = search_documents(catalog)
    middle, middle_cpu = time.perf_counter(), time.process_time()
    build_search_index(documents)
    end, end_cpu = time.perf_counter(), time.process_time()
    return Seconds(middle - start, middle_cpu - start_cpu), Seconds(
        end - middle, end_cpu - middle_cpu
    )


def _kb(n: int) -> str:
    return f"{n / 1000:,.0f} KB"


def scale(work: Path, sizes: list[int], material_max: int) -> None:
    with sync_playwright() as playwright:
        chromium = browser(playwright)
        for n in sizes:
            root = work / f"kb-{n}"
            shutil.rmtree(root, ignore_errors=True)
            make_knowledge_base(root, n)
            documents_s, assemble_s = index_build_time(root)
            build_s = build(root)
            raw, packed = kb_bytes(root / "site" / "search")
            count = sum(1 for p in (root / "site" / "search").rglob("*") if p.is_file())
            print(
                f"\n{n:,} notes  kbtool: index {raw / 1e6:.1f} MB on disk "
                f"({packed / 1e6:.1f} MB gzipped) in {count:,} "
                f"files; index build: documents {documents_s}, assembly {assemble_s}; "
                f"whole mkdocs build {build_s}",
                flush=True,
            )
            with serve_directory(root / "site") as url:
                for query in FIRST_QUERIES:
                    page = chromium.new_page()
                    page.add_init_script(RECORDER)
                    visit = first_result(page, url, query, material=False)
                    typing = keystrokes(page, TYPED_QUERY) if query == FIRST_QUERIES[0] else None
                    page.close()
                    _print_visit("kbtool", query, visit, typing)
            if n <= material_max:
                theirs = work / f"kb-{n}-material"
                shutil.rmtree(theirs, ignore_errors=True)
                shutil.copytree(root, theirs, ignore=shutil.ignore_patterns("site"))
                use_material_search(theirs)
                material_s = build(theirs)
                index = theirs / "site" / "search" / "search_index.json"
                data = index.read_bytes()
                print(
                    f"{n:,} notes  Material: index {len(data) / 1e6:.1f} MB on disk "
                    f"({len(gzip.compress(data, 6)) / 1e6:.1f} MB gzipped); "
                    f"whole mkdocs build {material_s} "
                    f"(kbtool's: {build_s.cpu / material_s.cpu:.2f}x the CPU time)",
                    flush=True,
                )
                with serve_directory(theirs / "site") as url:
                    for query in FIRST_QUERIES:
                        page = chromium.new_page()
                        page.add_init_script(RECORDER)
                        visit = first_result(page, url, query, True)
                        _print_visit("Material", query, visit, None)
                        page.close()
        chromium.close()


def _print_visit(
    name: str, query: str, visit: Visit, typing: tuple[list[float], list[float]] | None
) -> None:
    files, raw, packed = visit.index
    line = (
        f"  {name:<8} first query {query!r}: first result {visit.first_result_ms:,.0f} ms "
        f"after the page load began (page ready at {visit.page_ready_ms:,.0f} ms; "
        f"{visit.query_ms:,.0f} ms from typing to the result); "
        f"index fetched {_kb(raw)} raw, {_kb(packed)} gzipped "
        f"({files} files); scripts {_kb(visit.scripts[1])} raw, {_kb(visit.scripts[2])} gzipped"
    )
    print(line, flush=True)
    if typing:
        shown, full = (times[1:] for times in typing)
        slowest = sorted(zip(shown, range(2, 99), strict=False), reverse=True)[:3]
        slow = ", ".join(f"{TYPED_QUERY[:n]!r} {ms:.0f} ms" for ms, n in slowest)
        print(
            f"  {name:<8} typing {TYPED_QUERY!r}, per keystroke (input to the results shown): "
            f"{_spread(shown)}; slowest: {slow}",
            flush=True,
        )
        print(f"  {name:<8} ... and to their passages: {_spread(full)}", flush=True)


def _spread(times: list[float]) -> str:
    p90 = sorted(times)[int(len(times) * 0.9)]
    return (
        f"median {statistics.median(times):.0f} ms, p90 {p90:.0f} ms, max {max(times):.0f} ms "
        f"({len(times)} keystrokes after the first)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--material-max", type=int, default=1000)
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the generated sites here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kbtool-bench-search-"))
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    try:
        if not args.no_quality:
            quality(work)
        if not args.no_scale:
            scale(work, [int(s) for s in args.sizes.split(",")], args.material_max)
    finally:
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
