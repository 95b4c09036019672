"""Benchmark kbtool.encoding_repair on known-clean Chinese text damaged like the seed notes.

Run: ``python benchmarks/bench_encoding_repair.py``.

The clean corpus is new text written for this purpose (``benchmarks/data/*.md`` and
``tests/data/encoding/clean_zh.md``; none of it comes from the seeds). Each file is damaged
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

from kbtool.encoding_repair import (  # noqa: E402
    MARK_CLOSE,
    MARK_OPEN,
    Lexicon,
    damage_text,
    repair_text,
)

CORPUS = [
    *sorted((ROOT / "benchmarks" / "data").glob("*.md")),
    ROOT / "tests" / "data" / "encoding" / "clean_zh.md",
]
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


def main() -> None:
    start = time.perf_counter()
    Lexicon.default()
    print(f"jieba lexicon load: {time.perf_counter() - start:.2f} s (once per process)\n")

    texts = [(path.name, path.read_text(encoding="utf-8")) for path in CORPUS]
    texts.append(("(all files as one document)", "\n".join(text for _, text in texts)))
    header = f"{'clean text':30} {'Han':>5} {'ours':>7} {'ftfy':>7} {'marked':>7} {'silent':>7}"
    print(header)
    print("-" * len(header))
    elapsed = 0.0
    for name, clean in texts:
        damaged = damage_text(clean)
        t0 = time.perf_counter()
        result = repair_text(damaged)
        if not name.startswith("("):
            elapsed += time.perf_counter() - t0
        plain, marked = unmark(result.text)
        han = len(HAN.findall(clean))
        ours = han_restored(clean, plain)
        fixed = han_restored(clean, ftfy.fix_text(damaged))
        pairs = enumerate(zip(clean, plain, strict=True))
        silent = sum(1 for i, (a, b) in pairs if a != b and i not in marked)
        print(
            f"{name:30} {han:5d} {ours / han:7.2%} {fixed / han:7.2%}"
            f" {result.uncertain_count:7d} {silent:7d}"
        )
    print(
        "\nours: Han characters restored exactly (marked guesses included); ftfy: ftfy.fix_text"
        "\nalone; marked: characters flagged as uncertain; silent: wrong and not flagged."
    )
    print(f"repair time for the corpus files: {elapsed:.2f} s")

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
