"""Benchmark the citations: requests to Semantic Scholar, and the map in a real browser.

1. **Requests** for knowledge bases of 1,000 and 5,000 notes, against the local
   Semantic Scholar stand-in (tests/support/s2_server.py), on the injected clock (so
   waits are counted, not spent): requests made (target: ceil(N/500), plus one per
   retry), retries, time the client waited, wall time of the update, the size of
   citations.json, and the requests of a warm rerun (target: 0). Scenarios: no
   faults; a 429 with Retry-After; a 429 without it then a 503.
2. **The map** at 2,000 papers and 10,000 citations, built with the real MkDocs and
   served from 127.0.0.1, in headless Chromium (fresh context per run, nothing cached):
   time from navigation start to the first drawn map (target ≤ 1 s), from pointer
   move to the title shown (target ≤ 100 ms), bytes fetched. The baseline, measured
   in the same run: the load of the site's Timeline page (a plain Material page of
   the same site listing the same 2,000 papers).

    python benchmarks/bench_citations.py [--papers 2000] [--citations 10000] [--runs 5]
                                         [--no-browser] [--keep DIR]

The machine has 2 shared cores: figures are noisy; the script prints its load average.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbtool.citations.settings import URL_ENV
from kbtool.citations.update import CitationSession, update_citations
from kbtool.config import Layout, load_settings
from kbtool.scaffold import init_knowledge_base
from kbtool.site.build import build_site
from kbtool.util.clock import ManualClock
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory
from tests.support.citation_kb import write_citation_kb
from tests.support.s2_server import (
    FakeSemanticScholar,
    Reply,
    paper_json,
    reference_json,
)

BATCH = 500


# --- 1. requests --------------------------------------------------------------------------------


def make_kb(root: Path, n: int, server: FakeSemanticScholar) -> Layout:
    init_knowledge_base(root, "Bench")
    rng = random.Random(n)
    start = date(2021, 1, 1)
    ids = []
    for index in range(n):
        day = start + timedelta(days=index * 1460 // n)
        arxiv = f"{day:%y%m}.{index:05d}"
        ids.append(arxiv)
        (root / "notes" / f"{arxiv}.md").write_text(
            f"---\ntitle: Paper {index}\narxiv: '{arxiv}'\ntopics: [rlhf]\n---\n", "utf-8"
        )
    for index, arxiv in enumerate(ids):
        cited = rng.sample(ids[:index], min(index, 12)) + [f"1706.{k:05d}" for k in range(8)]
        refs = [reference_json(c, f"Reference {c}", 2020) for c in cited]
        server.add_paper(paper_json(arxiv, f"Paper {index}", refs, citation_count=index))
    return Layout(root)


def request_scenario(n: int, faults: list[Reply]) -> dict[str, float]:
    server = FakeSemanticScholar().start()
    clock = ManualClock()
    server.clock = clock
    with tempfile.TemporaryDirectory() as tmp:
        layout = make_kb(Path(tmp) / "kb", n, server)
        server.script(*faults)

        def session() -> CitationSession:
            return CitationSession.open(
                layout, load_settings(layout), clock=clock, environ={URL_ENV: server.url}
            )

        started = time.perf_counter()
        with session() as s:
            report = update_citations(layout, s)
            retries = s.client.stats.retries
        wall = time.perf_counter() - started
        size = layout.citations_file.stat().st_size
        with session() as s:
            warm = update_citations(layout, s)
    server.stop()
    assert report.error is None, report.error
    return {
        "requests": report.requests,
        "target": math.ceil(n / BATCH),
        "retries": retries,
        "waited": clock.slept,
        "wall": wall,
        "size": size,
        "warm": warm.requests,
        "citations": report.citations,
    }


def bench_requests() -> None:
    scenarios = {
        "no faults": [],
        "429 + Retry-After: 20": [
            Reply(429, b'{"message": "Too Many Requests"}', {"Retry-After": "20"})
        ],
        "429, then 503": [Reply(429, b'{"message": "Too Many Requests"}'), Reply(503)],
    }
    print("## Requests to Semantic Scholar (local stand-in, injected clock)\n")
    print(
        "| notes | scenario | requests | target ceil(N/500)+retries | retries | waited (s, "
        "injected) | update wall (s) | citations.json | citations | warm rerun requests |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (1000, 5000):
        for name, faults in scenarios.items():
            r = request_scenario(n, faults)
            target = int(r["target"] + r["retries"])
            print(
                f"| {n:,} | {name} | {int(r['requests'])} | {target} | {int(r['retries'])} | "
                f"{r['waited']:.1f} | {r['wall']:.2f} | {r['size'] / 1e6:.1f} MB | "
                f"{int(r['citations']):,} | {int(r['warm'])} |"
            )
    print()


# --- 2. the map in a browser --------------------------------------------------------------------


HOVER_PROBE = """
(canvas) => {
  window.__hover = [];
  canvas.addEventListener('pointermove', (event) => {
    const moved = event.timeStamp;
    requestAnimationFrame(() => requestAnimationFrame((painted) => {
      const tip = document.querySelector('.kb-map__tip').textContent;
      window.__hover.push({moved, painted, tip});
    }));
  }, true);
}
"""


def bench_map(papers: int, citations: int, runs: int, keep: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="kbtool-map-"))
    root = work / "kb"
    urls = write_citation_kb(root, papers, citations)
    # The baseline build: the same notes without citations.json (maps and lists empty).
    data = (root / "citations.json").read_bytes()
    (root / "citations.json").unlink()
    started = time.perf_counter()
    build_site(Layout(root), site_dir=work / "site-without", strict=True)
    build_without_s = time.perf_counter() - started
    (root / "citations.json").write_bytes(data)
    started = time.perf_counter()
    site = build_site(Layout(root), strict=True)
    build_s = time.perf_counter() - started
    draw_ms: list[float] = []
    dcl_ms: list[float] = []
    baseline_ms: list[float] = []
    hover_wall: list[float] = []
    hover_paint: list[float] = []
    fetched: dict[str, int] = {}
    drawn = ""
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(base + "map/")
            page.wait_for_selector("figure.kb-map[data-state=ready]", timeout=30_000)
            timing = page.evaluate(
                """() => ({
                  drawn: performance.getEntriesByName('kb-map-drawn')[0].startTime,
                  dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
                  resources: [performance.getEntriesByType('navigation')[0],
                              ...performance.getEntriesByType('resource')]
                    .map(r => [r.name, r.encodedBodySize || r.transferSize || 0]),
                })"""
            )
            draw_ms.append(timing["drawn"])
            dcl_ms.append(timing["dcl"])
            if run == 0:
                fetched = {name: size for name, size in timing["resources"]}
                figure = page.locator("figure.kb-map")
                drawn = (
                    f"{figure.get_attribute('data-drawn-papers')} papers and "
                    f"{figure.get_attribute('data-drawn-citations')} citations drawn in view, of "
                    f"{figure.get_attribute('data-shown-papers')} and "
                    f"{figure.get_attribute('data-shown-citations')}"
                )
                canvas = page.locator("canvas.kb-map__canvas")
                page.evaluate(HOVER_PROBE, canvas.element_handle())
                page.evaluate(
                    "c => window.scrollTo(0, c.getBoundingClientRect().top - 10)",
                    canvas.element_handle(),
                )
                box = canvas.bounding_box()
                assert box is not None
                bottom = min(box["height"], 900 - box["y"]) - 10  # inside the window too
                rng = random.Random(3)
                titles = list(urls)
                probes = 0
                for title in rng.sample(titles, len(titles)):
                    where = page.evaluate(
                        "u => document.querySelector('figure.kb-map').kbMap.locate(u)", urls[title]
                    )
                    if not where or not (170 < where["x"] < box["width"] - 10):
                        continue
                    if not (30 < where["y"] < bottom):
                        continue
                    page.mouse.move(box["x"] + 5, box["y"] + 5)  # off any paper first
                    page.wait_for_timeout(50)
                    before = time.perf_counter()
                    page.mouse.move(box["x"] + where["x"], box["y"] + where["y"])
                    page.wait_for_function(
                        "t => document.querySelector('.kb-map__tip').textContent.startsWith(t)",
                        arg=title,
                    )
                    hover_wall.append((time.perf_counter() - before) * 1000)
                    probes += 1
                    if probes == 20:
                        break
                page.wait_for_timeout(100)
                marks = page.evaluate("window.__hover")
                hover_paint = [m["painted"] - m["moved"] for m in marks if m["tip"]]
            context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(base + "timeline/")
            page.wait_for_load_state("load")
            baseline_ms.append(
                page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            )
            context.close()
        browser.close()

    total = sum(fetched.values())
    print(f"## The map at {papers:,} papers and {citations:,} citations (headless Chromium)\n")
    print(
        f"Site build (strict, whole site): {build_s:.1f} s with citations.json, "
        f"{build_without_s:.1f} s without ({build_s / build_without_s:.2f}x). {drawn}.\n"
    )
    print("| measure | median | min | max | target |")
    print("|---|---:|---:|---:|---|")
    row = "| {} | {:.0f} ms | {:.0f} ms | {:.0f} ms | {} |"
    print(row.format("navigation → first drawn map", *_stats(draw_ms), "≤ 1000 ms"))
    print(row.format("navigation → DOMContentLoaded (map page)", *_stats(dcl_ms), ""))
    print(row.format("baseline: Timeline page load (plain Material)", *_stats(baseline_ms), ""))
    print(
        row.format("pointer move → title shown (Playwright, wall)", *_stats(hover_wall), "≤ 100 ms")
    )
    if hover_paint:
        print(
            row.format("pointer event → title painted (in page)", *_stats(hover_paint), "≤ 100 ms")
        )
    ratio = statistics.median(draw_ms) / statistics.median(baseline_ms)
    print(f"\nFirst drawn map / Timeline page load: {ratio:.2f}x\n")
    print("| fetched for the map page | bytes (uncompressed) | gzip -6 |")
    print("|---|---:|---:|")
    for name, size in sorted(fetched.items(), key=lambda item: -item[1])[:8]:
        path = name.replace(base, "")
        local = site / (path + "index.html" if path.endswith("/") or not path else path)
        zipped = len(gzip.compress(local.read_bytes(), 6)) if local.is_file() else 0
        print(f"| {path or '/'} | {size:,} | {zipped:,} |")
    print(f"| **total ({len(fetched)} requests)** | **{total:,}** | |\n")
    if keep:
        shutil.copytree(work, keep, dirs_exist_ok=True)
    shutil.rmtree(work)


def _stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--citations", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    load = os.getloadavg()
    averages = f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    print(f"load average at start: {averages} ({os.cpu_count()} cores)\n")
    bench_requests()
    if not args.no_browser:
        bench_map(args.papers, args.citations, args.runs, args.keep)
    load = os.getloadavg()
    print(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
