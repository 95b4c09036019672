"""Benchmark kbtool.repair on known-clean Chinese text damaged like the seed notes.

Run: ``python benchmarks/bench_encoding_repair.py``.

Clean corpora (none of it from the seeds, none of it in the open-gram corpus behind the
shipped context table):

* *own notes*: text written for this purpose (``benchmarks/data/*.md`` and
  ``tests/data/encoding/clean_zh.md``), ML-notes style;
* *PostgreSQL*: zh_CN server messages of Debian's ``postgresql-15`` (PostgreSQL Licence),
  split by msgid hash into a *dev* half, the only text the weights were tuned on (shown
  apart), and a *test* half;
* *systemd*: the zh_CN journal catalogue of Debian's ``systemd`` (LGPL-2.1-or-later).

See ``benchmarks/data/external/SOURCES.md``. Each file is damaged
with ``damage_text`` (UTF-8 read as Windows-1254, bytes 81 8D 8E 8F 90 9D 9E AD dropped),
then repaired. Printed per file: the share of Han characters restored exactly by
``repair_text`` (markers removed) and by ``ftfy.fix_text`` alone, how many characters were
marked uncertain, and how many are wrong without being marked. Then the time taken, and for
information the counts on the damaged seed files, if ``/work/shared/seeds`` is there.
"""

from __future__ import annotations

import difflib
import re
import sys
import time
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbtool.repair import (  # noqa: E402
    MARK_CLOSE,
    MARK_OPEN,
    Lexicon,
    damage_text,
    repair_text,
)
from kbtool.repair.context_table import ContextTable  # noqa: E402

EXTERNAL = ROOT / "benchmarks" / "data" / "external"
OWN = [
    *sorted((ROOT / "benchmarks" / "data").glob("*.md")),
    ROOT / "tests" / "data" / "encoding" / "clean_zh.md",
]
TEST = [EXTERNAL / "postgresql_messages_test.txt", EXTERNAL / "systemd_catalog_test.txt"]
DEV = [EXTERNAL / "postgresql_messages_dev.txt"]
SEEDS = Path("/work/shared/seeds")
SEED_FILES = ["000_5d12a05c003c2611.txt", "001_c7c9bcd0b8655519.txt", "004_02f32a247155a116.txt"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def han_restored(original: str, repaired: str) -> int:
    """Han characters of ``original`` found in place in ``repaired``.

    Lines correspond one to one (neither tool adds or removes line breaks); within a line,
    characters are aligned with difflib so that a length change does not shift the rest.
    """
    good = 0
    for before, after in zip(original.split("\n"), repaired.split("\n"), strict=True):
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for block in matcher.get_matching_blocks():
            good += len(HAN.findall(before[block.a : block.a + block.size]))
    return good


def unmark(text: str) -> tuple[str, set[int]]:
    """``text`` without the uncertainty markers, and the indexes of the marked characters."""
    plain: list[str] = []
    marked: set[int] = set()
    inside = False
    for char in text:
        if char in (MARK_OPEN, MARK_CLOSE):
            inside = char == MARK_OPEN
            continue
        if inside:
            marked.add(len(plain))
        plain.append(char)
    return "".join(plain), marked


def measure(name: str, clean: str) -> tuple[float, float]:
    """Print one row for ``clean`` damaged and repaired; return (seconds, ours share)."""
    damaged = damage_text(clean)
    t0 = time.perf_counter()
    result = repair_text(damaged)
    seconds = time.perf_counter() - t0
    plain, marked = unmark(result.text)
    han = len(HAN.findall(clean))
    ours = han_restored(clean, plain)
    fixed = han_restored(clean, ftfy.fix_text(damaged))
    pairs = enumerate(zip(clean, plain, strict=True))
    silent = sum(1 for i, (a, b) in pairs if a != b and i not in marked)
    print(
        f"{name:36} {han:6d} {ours / han:7.2%} {fixed / han:7.2%}"
        f" {result.uncertain_count:7d} {silent:7d} {silent / han:7.2%}"
    )
    return seconds, ours / han


def main() -> None:
    start = time.perf_counter()
    Lexicon.default()
    print(f"lexicon + context table load: {time.perf_counter() - start:.2f} s (once per process)")
    start = time.perf_counter()
    ContextTable.default()
    print(f"context table again (cached): {time.perf_counter() - start:.4f} s\n")

    header = (
        f"{'clean text':36} {'Han':>6} {'ours':>7} {'ftfy':>7} {'marked':>7} {'silent':>7}"
        f" {'silent%':>7}"
    )
    print(header)
    print("-" * len(header))
    elapsed = 0.0
    groups = [("own notes", OWN), ("third-party test", TEST)]
    for label, paths in groups:
        texts = [(path.name, path.read_text(encoding="utf-8")) for path in paths]
        for name, clean in texts:
            elapsed += measure(name, clean)[0]
        if len(texts) > 1:
            measure(f"({label}, as one document)", "\n".join(t for _, t in texts))
    everything = [p.read_text(encoding="utf-8") for _, paths in groups for p in paths]
    measure("(all test text, as one document)", "\n".join(everything))
    print("-" * len(header))
    for path in DEV:
        measure(f"{path.name} (tuning)", path.read_text(encoding="utf-8"))
    print(
        "\nours: Han characters restored exactly (marked guesses included); ftfy: ftfy.fix_text"
        "\nalone; marked: characters flagged as uncertain; silent: wrong and not flagged."
    )
    print(f"repair time for the test files: {elapsed:.2f} s")

    if not SEEDS.is_dir():
        return
    print("\nseed files (no ground truth; for information):")
    for name in SEED_FILES:
        text = (SEEDS / name).read_text(encoding="utf-8")
        t0 = time.perf_counter()
        result = repair_text(text)
        seconds = time.perf_counter() - t0
        print(
            f"{name}: {len(text.encode()) / 1000:.0f} kB in {seconds:.2f} s;"
            f" mojibake runs {result.mojibake_runs} (with lost bytes {result.damaged_runs});"
            f" damaged characters {result.damaged_chars}: unique {result.restored_unique},"
            f" by lexicon {result.restored_by_lexicon}, marked uncertain"
            f" {result.uncertain_count} on {len(result.uncertain_lines)} lines;"
            f" runs left alone {result.skipped_runs}"
        )


if __name__ == "__main__":
    main()
