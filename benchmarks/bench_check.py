"""Benchmark: ``kbtool check`` over 5,000 synthetic notes.

Prints the time to load and check the whole knowledge base, per-note cost, and,
as a baseline measured in the same run, the time merely to read the same files
and parse their frontmatter with python-frontmatter (which checks nothing).
Target (issue 2): 5,000 notes in a few seconds.

    python benchmarks/bench_check.py [--notes N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import frontmatter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbtool.checks import run_checks
from kbtool.config import Layout
from kbtool.core.knowledge_base import iter_note_files, load_knowledge_base
from kbtool.scaffold import init_knowledge_base

TOPICS = ["video-diffusion", "image-to-video", "rlhf"]
ZH = "三阶段训练 先做文本到图像预训练 再在低分辨率视频上训练 最后高质量微调 光流检测视频是否动态"
EN = "We study the training dynamics of video diffusion models under motion guidance."


def write_notes(root: Path, count: int, rng: random.Random) -> None:
    notes = root / "notes"
    for i in range(count):
        month = 1 + i % 12
        arxiv = f"24{month:02d}.{i:05d}"
        links = " ".join(
            f"[[{24:02d}{1 + j % 12:02d}.{j:05d}]]" for j in rng.sample(range(count), 3)
        )
        body = (
            f"## TL;DR\n\n{EN} {ZH}\n\n## Method\n\n$$L = \\sum_t \\|x_t\\|^2$$\n\n"
            f"See {links} and [the method](#method).\n\n- {ZH}\n  - {EN}\n"
        )
        text = (
            f"---\ntitle: 'Paper {i}: {EN[:40]}'\narxiv: {arxiv}v1\n"
            f"authors: [Alice Zhang, Bob Li, Carol Wang]\npublished: 2024-{month:02d}-01\n"
            f"topics: [{rng.choice(TOPICS)}]\ntags: [t{i % 50}, video]\nstatus: read\n"
            f"rating: {1 + i % 5}\ncode: https://github.com/example/repo{i}\n---\n\n{body}"
        )
        (notes / f"{arxiv}-paper-{i}.md").write_text(text, encoding="utf-8")
    (root / "topics.yml").write_text(
        "".join(f"{t}:\n  title: {t}\n" for t in TOPICS), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=5000)
    count = parser.parse_args().notes
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        init_knowledge_base(root, "bench")
        write_notes(root, count, random.Random(0))
        layout = Layout(root)

        start = time.perf_counter()
        for path in iter_note_files(layout):
            frontmatter.loads(path.read_text(encoding="utf-8"))
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        kb = load_knowledge_base(layout)
        loaded = time.perf_counter() - start
        problems = run_checks(kb)
        total = time.perf_counter() - start

    print(f"notes:                              {count}")
    print(f"problems found:                     {len(problems)}")
    print(f"baseline (read + python-frontmatter): {baseline:6.2f} s")
    print(f"kbtool load:                        {loaded:6.2f} s")
    print(
        f"kbtool load + all checks:           {total:6.2f} s  ({total / count * 1000:.2f} ms/note)"
    )
    print(f"ratio to baseline:                  {total / baseline:6.2f}x")
    print("target: a few seconds for 5,000 notes")


if __name__ == "__main__":
    main()
