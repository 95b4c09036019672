"""Benchmark: ``kbtool links`` on 2,000 distinct URLs answered after 100 ms each.

A local server (in a child process, as remote servers do not share our
interpreter) answers every request after 100 ms. The politeness limits are per
host (4 in flight, starts 0.1 s apart, the defaults), so 2,000 URLs on one host
would take at least 2,000 x 0.1 s = 200 s by design. Real notes link to many
hosts; to measure the checker rather than its politeness, the server listens on
100 loopback addresses (127.0.0.1 to 127.0.0.100, all loopback on Linux) and
the URLs are spread over them: 20 per host, as in a knowledge base where no one
site dominates. Where only 127.0.0.1 is available (e.g. macOS), the benchmark
falls back to one host with per-host limits raised to the global limit, and says so.

Prints: the cold run through the whole job (extraction, checking, cache), the
one-at-a-time baseline (a sample timed and extrapolated, as a full sequential run
takes over 200 s), and the request count of a warm rerun.
Target (issue 6): all 2,000 checked within 10 s; a warm rerun at most 10% of the requests.

    python benchmarks/bench_links.py [--urls N] [--hosts H] [--sample S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbtool.config import Layout
from kbtool.links.http import LinkChecker
from kbtool.links.job import LinkJobOptions, check_links
from kbtool.links.settings import LinkSettings
from kbtool.links.status import LinkStatus, classify_outcome
from kbtool.scaffold import init_knowledge_base
from tests.support.link_server import LinkTestServer, running

DELAY_MS = 100


def serve(hosts: int, connection: Connection) -> None:
    """In a child process: serve on up to ``hosts`` loopback addresses until told to stop."""
    with contextlib.ExitStack() as stack:
        bases = []
        for index in range(1, hosts + 1):
            try:
                server = LinkTestServer(f"127.0.0.{index}")
            except OSError:
                break
            bases.append(stack.enter_context(running(server)).url(""))
        connection.send(bases)
        connection.recv()


@contextlib.contextmanager
def servers_in_a_child_process(hosts: int) -> Iterator[list[str]]:
    """Base URLs of the servers. A separate process, so the servers do not compete with
    the checker for the interpreter lock: remote servers would not either."""
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=serve, args=(hosts, theirs), daemon=True)
    child.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        child.join(10)


def write_knowledge_base(root: Path, urls: list[str], settings_text: str) -> None:
    init_knowledge_base(root, "bench")
    (root / "topics.yml").write_text("bench:\n  title: Bench\n", encoding="utf-8")
    (root / "kbtool.yml").write_text(settings_text, encoding="utf-8")
    per_note = 20
    for start in range(0, len(urls), per_note):
        links = "".join(f"- [link {i}]({url})\n" for i, url in enumerate(urls[start:][:per_note]))
        text = f"---\ntitle: Note {start}\ntopics: [bench]\n---\n\n## Links\n\n{links}"
        (root / "notes" / f"note-{start:05d}.md").write_text(text, encoding="utf-8")


def sequential_seconds(urls: list[str], settings: LinkSettings) -> float:
    one_at_a_time = replace(settings, concurrency=1, per_host=1, host_interval=0.0)
    checker = LinkChecker(one_at_a_time)
    start = time.perf_counter()
    outcomes = asyncio.run(checker.check_all(urls))
    elapsed = time.perf_counter() - start
    assert all(classify_outcome(o, settings).status is LinkStatus.OK for o in outcomes.values())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()

    with servers_in_a_child_process(args.hosts) as bases, tempfile.TemporaryDirectory() as tmp:
        settings_text = "links:\n  run_timeout: 120\n"
        settings = LinkSettings()
        if len(bases) < 2:
            note = "only 127.0.0.1 is available: one host, per-host limits raised to the global"
            settings_text += f"  per_host: {settings.concurrency}\n  host_interval: 0\n"
            settings = replace(settings, per_host=settings.concurrency, host_interval=0.0)
        else:
            note = f"{len(bases)} loopback hosts, default per-host limits"
        urls = [f"{bases[i % len(bases)]}/slow/{DELAY_MS}/{i}" for i in range(args.urls)]
        root = Path(tmp) / "kb"
        write_knowledge_base(root, urls, settings_text)
        layout = Layout(root)

        start = time.perf_counter()
        cold = check_links(layout, LinkJobOptions())
        cold_seconds = time.perf_counter() - start
        counts = cold.counts()
        assert counts[LinkStatus.OK] == args.urls, counts

        start = time.perf_counter()
        warm = check_links(layout, LinkJobOptions())
        warm_seconds = time.perf_counter() - start

        sample = urls[: args.sample]
        sample_seconds = sequential_seconds(sample, settings)
        sequential = sample_seconds / len(sample) * len(urls)

    print(f"URLs:                              {args.urls} distinct, answered after {DELAY_MS} ms")
    print(f"hosts:                             {note}")
    print(
        f"limits:                            {settings.concurrency} in flight, "
        f"{settings.per_host} per host, {settings.host_interval:g} s between starts per host"
    )
    print(f"cold run (kbtool links job):       {cold_seconds:6.2f} s, {cold.requests} requests")
    print(
        f"one at a time (baseline):          {sequential:6.1f} s  "
        f"(extrapolated from {len(sample)} URLs timed: {sample_seconds:.2f} s)"
    )
    print(f"speed-up over one at a time:       {sequential / cold_seconds:6.1f}x")
    print(
        f"warm rerun:                        {warm_seconds:6.2f} s, {warm.requests} requests "
        f"({warm.requests / max(cold.requests, 1):.0%} of the cold run), "
        f"{warm.cached} answered from the cache"
    )
    print("target: all checked within 10 s; a warm rerun at most 10% of the requests")


if __name__ == "__main__":
    main()
