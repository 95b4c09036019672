"""Benchmark: enrich 1,000 notes against a local arXiv server.

Prints, for the default batch size and against a one-id-per-request baseline
measured in the same run: the number of requests (target: ceil(1000 / batch
size), plus retries), the time the 3-second rule alone imposes (read off the
injected clock, not waited), the wall time, and the requests a warm rerun makes
(target: 0). A second run injects a 429 (Retry-After) and a 503 to show the
retries counted on top.

    python benchmarks/bench_enrich.py
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.settings import URL_ENV
from kbtool.config import Layout, load_settings
from kbtool.enrich import EnrichReport, Outcome, enrich_notes
from kbtool.scaffold import init_knowledge_base
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, Reply

NOTES = 1000
TOPICS = "rlhf:\n  title: RLHF\n"


def make_kb(root: Path, batch_size: int) -> Layout:
    init_knowledge_base(root, "Benchmark")
    (root / "topics.yml").write_text(TOPICS, encoding="utf-8")
    (root / "kbtool.yml").write_text(f"arxiv:\n  batch_size: {batch_size}\n", encoding="utf-8")
    for index in range(NOTES):
        (root / "notes" / f"p{index:04d}.md").write_text(
            f"---\ntitle: Paper {index}\narxiv: 2401.{index:05d}\ntopics: [rlhf]\n---\n\n"
            f"## My notes\n\nWhat I think of paper {index}.\n",
            encoding="utf-8",
        )
    return Layout(root)


def run(layout: Layout, server: FakeArxiv, clock: ManualClock) -> tuple[EnrichReport, float, float]:
    """One enrich run; (report, seconds the 3-second rule imposed, wall seconds)."""
    lookup = ArxivLookup.open(
        layout,
        load_settings(layout),
        clock=clock,
        environ={URL_ENV: server.url},
        rng=random.Random(1),
    )
    started = time.perf_counter()
    report = enrich_notes(layout, lookup=lookup)
    wall = time.perf_counter() - started
    stats = lookup.client.stats
    assert report.count(Outcome.UPDATED) + report.count(Outcome.UP_TO_DATE) == NOTES, report
    return report, stats.paced_seconds, wall


def scenario(server: FakeArxiv, batch_size: int, faults: list[Reply]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        layout = make_kb(Path(folder) / "kb", batch_size)
        server.script(*faults)
        clock = ManualClock()
        cold, paced, wall = run(layout, server, clock)
        backoff = clock.slept - paced
        clock.advance(3600)  # an hour later: the cache (7 days) is still fresh
        warm, _, warm_wall = run(layout, server, clock)
        return {
            "requests": cold.requests,
            "target": math.ceil(NOTES / batch_size),
            "paced": paced,
            "backoff": backoff,
            "wall": wall,
            "warm_requests": warm.requests,
            "warm_wall": warm_wall,
        }


def main() -> None:
    server = FakeArxiv().start()
    try:
        for index in range(NOTES):
            server.add_entry(
                f"2401.{index:05d}v2",
                f"Paper {index}: a study",
                summary="An abstract of a few sentences. " * 8,
                authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                categories=("cs.LG", "cs.CV"),
                comment="20 pages; code: https://github.com/example/repo",
            )
        batched = scenario(server, 100, [])
        faulty = scenario(server, 100, [Reply(429, b"", {"Retry-After": "5"}), Reply(503)])
        baseline = scenario(server, 1, [])
    finally:
        server.stop()

    print(f"enrich {NOTES} notes against a local arXiv server (127.0.0.1)")
    print(f"{'':28}{'batch 100':>14}{'batch 100 + faults':>20}{'baseline: batch 1':>20}")
    rows = [
        ("requests", "requests", "{:.0f}"),
        ("target ceil(N/batch)", "target", "{:.0f}"),
        ("3-second rule (s, clock)", "paced", "{:.0f}"),
        ("backoff waits (s, clock)", "backoff", "{:.1f}"),
        ("wall time (s)", "wall", "{:.2f}"),
        ("warm rerun: requests", "warm_requests", "{:.0f}"),
        ("warm rerun: wall (s)", "warm_wall", "{:.2f}"),
    ]
    for label, key, fmt in rows:
        values = [fmt.format(run[key]) for run in (batched, faulty, baseline)]
        print(f"{label:28}{values[0]:>14}{values[1]:>20}{values[2]:>20}")
    print(
        f"batching: {baseline['requests'] / batched['requests']:.0f}x fewer requests, "
        f"{baseline['paced'] / max(batched['paced'], 1e-9):.0f}x less time imposed by the "
        "3-second rule than one request per note"
    )
    retries = faulty["requests"] - faulty["target"]
    print(f"faults: {retries:.0f} retries on top of {faulty['target']:.0f} requests")
    print(
        "wall time is real time with the waits skipped (the clock is injected); the baseline's "
        "is mostly its 1000 cache saves, one per batch"
    )


if __name__ == "__main__":
    main()
