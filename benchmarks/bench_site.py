"""Benchmark the site: kbtool's build against a plain Material build of the same pages.

For knowledge bases of 200, 1,000 and 5,000 synthetic notes (mixed English and
Chinese bodies, math, wikilinks and relative links between notes) this prints,
for kbtool's build and for a plain Material build of the very same Markdown
pages under default settings (every page in the navigation, default search):

- build time (wall clock, ``mkdocs build`` in a fresh process) and peak memory;
- site size and search-index size;
- time to the first search result in headless Chromium (page load, type a
  Chinese word, first result shown), served from 127.0.0.1.

Targets (issue 4): at 1,000 notes kbtool's build takes at most 0.2x the plain
build's time and produces at most 0.1x its size; at 5,000 notes it finishes
within 25 s on a 2-core machine. The plain build grows quadratically (each page
carries the whole navigation), so by default it is measured up to 1,000 notes.

    python benchmarks/bench_site.py [--sizes 200,1000,5000] [--plain-max 1000]
                                    [--no-browser] [--keep DIR] [--profile N] [--floor]

``--floor`` adds a third build: the bare note files as pages with Material, out of
the navigation, default search: what MkDocs and Material alone cost for the notes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.scaffold import init_knowledge_base, render_template
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, render_site

CHROMIUM = os.environ.get("KBTOOL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Queries timed to the first result: an English word most synthetic notes hold, and a
# Chinese word half of them hold (found only when the separator splits on \u200b, which
# Material's default does not: the plain build finds nothing for it).
QUERY_EN = "distillation"
QUERY_ZH = "蒸馏"

TOPICS = {
    "generative-vision": ("Visual generation", None),
    "diffusion-models": ("Diffusion models", "generative-vision"),
    "efficient-diffusion": ("Efficient diffusion", "diffusion-models"),
    "controllable-generation": ("Controllable generation", "diffusion-models"),
    "diffusion-transformers": ("Diffusion transformers", "diffusion-models"),
    "video-diffusion": ("Video diffusion", "generative-vision"),
    "image-to-video": ("Image-to-video", "video-diffusion"),
    "motion-control": ("Motion control", "video-diffusion"),
    "video-datasets": ("Video datasets", "video-diffusion"),
    "alignment": ("Alignment", None),
    "rlhf": ("RLHF", "alignment"),
    "process-reward-models": ("Process reward models", "alignment"),
    "data-mining": ("Data mining", "alignment"),
    "efficient-llm": ("Efficient LLMs", None),
    "lora": ("LoRA", "efficient-llm"),
    "kv-cache": ("KV cache", "efficient-llm"),
    "long-context": ("Long context", "efficient-llm"),
    "speculative-decoding": ("Speculative decoding", "efficient-llm"),
    "model-merging": ("Model merging", "efficient-llm"),
    "interpretability": ("Interpretability", None),
    "sequence-parallelism": ("Sequence parallelism", "efficient-llm"),
}
_WORDS_TEXT = """
diffusion transformer attention latent video temporal consistency reward model policy
preference distillation sampling guidance scheduler noise prior motion camera dataset
caption filtering benchmark evaluation fidelity efficiency cache compression quantization
pruning adapter low-rank merging interpretability feature circuit sparse autoencoder
context window retrieval decoding draft verification throughput latency memory
"""
WORDS = _WORDS_TEXT.split()
CHINESE = [
    "三阶段训练先做图像预训练再做视频预训练",
    "用光流过滤静态视频提升数据质量",
    "奖励模型不再需要单独训练",
    "一致性蒸馏可以大幅减少采样步数",
    "显存占用主要来自键值缓存",
    "长上下文的位置编码需要外推",
    "这个方法在小模型上效果不明显",
    "作者没有开源训练代码但是给了推理脚本",
]
RATES = ["1e-4", "3e-5", "2e-4"]
VENUES = ["ICLR 2024", "ICLR 2025", "NeurIPS 2023", "NeurIPS 2024", "CVPR 2024", "ICML 2024"]
_NAMES_TEXT = """
Li Wang Zhang Chen Liu Yang Smith Brown Garcia Kim Nguyen Müller Rossi Dubois
Wei Jing Alex Maria Yuki Omar Lena Tom Ana Ravi Hana Ivan Chloe Diego
"""
SURNAMES, GIVEN = (line.split() for line in _NAMES_TEXT.strip().splitlines())


def _title(rng: random.Random, index: int) -> str:
    words = rng.sample(WORDS, 5)
    return f"{words[0].title()}Net-{index}: {' '.join(words[1:]).capitalize()} at Scale"


def generate_notes(n: int, seed: int = 4) -> dict[str, str]:
    """``n`` synthetic notes, file name → text; deterministic for a seed."""
    rng = random.Random(seed)
    months = [(23 + m // 12, m % 12 + 1) for m in range(24)]
    ids = [
        f"{yy:02d}{mm:02d}.{10000 + i:05d}" for i, (yy, mm) in enumerate(months * (n // 24 + 1))
    ][:n]
    names = [f"{arxiv}-paper-{i}.md" for i, arxiv in enumerate(ids)]
    tags = [f"tag-{k}" for k in range(80)]
    notes: dict[str, str] = {}
    start = date(2019, 1, 1)
    for i, (arxiv, name) in enumerate(zip(ids, names, strict=True)):
        published = start + timedelta(days=rng.randrange(0, 6 * 365))
        authors = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(2, 12))]
        topics = rng.sample(sorted(TOPICS), rng.randint(1, 2))
        others = [rng.randrange(n) for _ in range(3)]
        table_rows = "\n".join(
            f"| {rng.choice(WORDS)} | {rng.uniform(10, 90):.1f} | {rng.uniform(10, 90):.1f} |"
            for _ in range(rng.randint(2, 5))
        )
        paragraphs = []
        for _ in range(rng.randint(2, 10)):
            english = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70)))
            paragraphs.append(english.capitalize() + ".")
            paragraphs.append(rng.choice(CHINESE) + "，" + rng.choice(CHINESE) + "。")
        if i % 2 == 0:
            paragraphs.append("一致性蒸馏的关键是教师模型。")
        body = textwrap.dedent(
            f"""\
            ## TL;DR

            {paragraphs[0]} The objective is $\\mathcal{{L}} = \\sum_t w_t \\|x_t - \\hat x_t\\|^2$.

            {paragraphs[1]}

            $$
            p_\\theta(x_{{t-1}} \\mid x_t) = \\mathcal{{N}}(\\mu_\\theta(x_t, t), \\Sigma_t)
            $$

            ## Method

            {" ".join(paragraphs[2:])}

            Builds on [[{ids[others[0]]}]] and [[{ids[others[1]]}|the baseline]]; compare
            [the related note]({names[others[2]]}).

            - key idea: {rng.choice(WORDS)} {rng.choice(WORDS)}
            - result: +{rng.randint(1, 9)}.{rng.randint(0, 9)} points

            | setting | {rng.choice(WORDS)} | {rng.choice(WORDS)} |
            | --- | ---: | ---: |
            TABLE_ROWS

            <details>
            <summary>实验细节 (details)</summary>

            - learning rate: **{rng.choice(RATES)}**, batch {rng.choice([64, 128, 256])}
            - {rng.choice(CHINESE)}
            - $\\beta = {rng.randint(1, 9)} \\times 10^{{-{rng.randint(1, 4)}}}$

            </details>
            """
        ).replace("TABLE_ROWS", table_rows)
        if i % 5 == 0:
            body += "\n```python\nloss = (x - y).pow(2).mean()\n```\n"
        fields = [
            f'title: "{_title(rng, i)}"',
            f"arxiv: {arxiv}",
            "authors: [" + ", ".join(authors) + "]",
            f"published: {published.isoformat()}",
            f"topics: [{', '.join(topics)}]",
            f"tags: [{', '.join(rng.sample(tags, rng.randint(0, 4)))}]",
            f"status: {rng.choice(['to-read', 'reading', 'read'])}",
            f"added: {(published + timedelta(days=rng.randrange(1, 200))).isoformat()}",
        ]
        if rng.random() < 0.6:
            fields.append(f"venue: {rng.choice(VENUES)}")
        notes[name] = "---\n" + "\n".join(fields) + "\n---\n\n" + body
    return notes


def make_knowledge_base(root: Path, n: int) -> None:
    init_knowledge_base(root, f"Benchmark {n}")
    lines = []
    for topic_id, (title, parent) in TOPICS.items():
        lines.append(f"{topic_id}:\n  title: {title}\n  description: Papers on {title.lower()}.")
        if parent:
            lines.append(f"  parent: {parent}")
    (root / "topics.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, text in generate_notes(n).items():
        (root / "notes" / name).write_text(text, encoding="utf-8")


PLAIN_MKDOCS = """\
site_name: Plain {n}
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
markdown_extensions:
"""


def make_plain_site(kb_root: Path, plain_root: Path) -> None:
    """The same Markdown pages kbtool generates, as files, under Material's defaults."""
    kb = load_knowledge_base(Layout(kb_root))
    site = render_site(kb, SitePaths(), SiteOptions(site_name="Plain"))
    docs = plain_root / "docs"
    for uri, text in site.pages.items():
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in (kb_root / "docs").glob("*.md"):
        shutil.copy(path, docs / path.name)
    # Same Markdown extensions as kbtool's own mkdocs.yml, so pages render alike.
    ours = render_template("mkdocs.yml", "x")
    extensions = ours[ours.index("markdown_extensions:") + len("markdown_extensions:\n") :]
    config = PLAIN_MKDOCS.format(n=len(site.papers)) + extensions
    (plain_root / "mkdocs.yml").write_text(config, encoding="utf-8")


FLOOR_MKDOCS = """\
site_name: Floor {n}
docs_dir: docs
theme:
  name: material
  font: false
nav:
  - index.md
plugins:
  - search
markdown_extensions:
"""


def make_floor_site(kb_root: Path, floor_root: Path) -> None:
    """The notes alone, as pages, out of the navigation: what MkDocs and Material cost."""
    docs = floor_root / "docs"
    shutil.copytree(kb_root / "notes", docs / "papers")
    (docs / "index.md").write_text("# Floor\n", encoding="utf-8")
    ours = render_template("mkdocs.yml", "x")
    extensions = ours[ours.index("markdown_extensions:") + len("markdown_extensions:\n") :]
    n = len(list((docs / "papers").glob("*.md")))
    (floor_root / "mkdocs.yml").write_text(FLOOR_MKDOCS.format(n=n) + extensions, encoding="utf-8")


BUILD_SCRIPT = """
import json, resource, sys, time, logging
from mkdocs.commands.build import build
from mkdocs.config import load_config
logging.getLogger("mkdocs").setLevel(logging.WARNING)
start = time.perf_counter()
config = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
build(config)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak_bytes": peak}))
"""


@dataclass
class BuildResult:
    seconds: float
    peak_bytes: int
    site_bytes: int
    index_bytes: int
    first_result_ms: float | None = None
    first_result_zh_ms: float | None = None
    searched: bool = False


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_build(root: Path, site_dir: Path, profile: Path | None = None) -> BuildResult:
    """``mkdocs build`` in a fresh process (the whole start-up counted); measures it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if profile is None:
        command = [sys.executable, "-c", BUILD_SCRIPT, str(root / "mkdocs.yml"), str(site_dir)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"build of {root} failed:\n{done.stderr[-3000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        seconds, peak = wall, measured["peak_bytes"]
    else:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mkdocs"]
        command += ["build", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)]
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        seconds, peak = time.perf_counter() - start, 0
    index = site_dir / "search" / "search_index.json"
    return BuildResult(seconds, peak, _size(site_dir), index.stat().st_size)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def first_search_result_ms(site_dir: Path, query: str, timeout_s: float = 120) -> float | None:
    """Milliseconds from starting to load the home page to the first search result shown.

    None when no result shows within ``timeout_s``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_port}/", wait_until="domcontentloaded")
            box = page.locator("input.md-search__input")
            box.click()
            box.fill(query)
            box.press("End")  # Material searches on keyup
            try:
                page.locator(".md-search-result__item").first.wait_for(timeout=timeout_s * 1000)
            except PlaywrightTimeout:
                return None
            finally:
                elapsed = (time.perf_counter() - start) * 1000
                browser.close()
            return elapsed
    finally:
        server.shutdown()


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1000,5000")
    parser.add_argument("--plain-max", type=int, default=1000, help="largest plain build")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the generated sites here")
    parser.add_argument("--profile", type=int, help="profile kbtool's build at this size")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also build the bare notes with Material, out of the navigation (the floor)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="kbtool-bench-"))
    rows: list[tuple[int, str, BuildResult]] = []
    try:
        for n in sizes:
            kb_root, plain_root = work / f"kb-{n}", work / f"plain-{n}"
            shutil.rmtree(kb_root, ignore_errors=True)
            shutil.rmtree(plain_root, ignore_errors=True)
            make_knowledge_base(kb_root, n)
            profile = work / f"profile-{n}.prof" if args.profile == n else None
            ours = run_build(kb_root, kb_root / "site", profile)
            if not args.no_browser:
                ours.first_result_ms = first_search_result_ms(kb_root / "site", QUERY_EN)
                ours.first_result_zh_ms = first_search_result_ms(kb_root / "site", QUERY_ZH)
                ours.searched = True
            rows.append((n, "kbtool", ours))
            _report(rows[-1])
            if n <= args.plain_max:
                make_plain_site(kb_root, plain_root)
                plain = run_build(plain_root, plain_root / "site")
                if not args.no_browser:
                    plain.first_result_ms = first_search_result_ms(plain_root / "site", QUERY_EN)
                    plain.first_result_zh_ms = first_search_result_ms(
                        plain_root / "site", QUERY_ZH, timeout_s=30
                    )
                    plain.searched = True
                rows.append((n, "plain", plain))
                _report(rows[-1])
                print(
                    f"  ratio at {n}: time {ours.seconds / plain.seconds:.2f}x, "
                    f"size {ours.site_bytes / plain.site_bytes:.3f}x, "
                    f"index {ours.index_bytes / plain.index_bytes:.2f}x",
                    flush=True,
                )
            if args.floor:
                floor_root = work / f"floor-{n}"
                shutil.rmtree(floor_root, ignore_errors=True)
                make_floor_site(kb_root, floor_root)
                rows.append((n, "floor", run_build(floor_root, floor_root / "site")))
                _report(rows[-1])
            if profile is not None:
                print(f"  profile written to {profile}")
        _summary(rows, args.plain_max)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _report(row: tuple[int, str, BuildResult]) -> None:
    n, kind, r = row

    def ms(value: float | None) -> str:
        return f"{value:,.0f} ms" if value is not None else "none"

    search = ""
    if r.searched:
        english, chinese = ms(r.first_result_ms), ms(r.first_result_zh_ms)
        search = f"  first result: {QUERY_EN} {english}, {QUERY_ZH} {chinese}"
    print(
        f"{n:>6} notes  {kind:<7} build {r.seconds:7.2f} s  peak {_mb(r.peak_bytes):>10}  "
        f"site {_mb(r.site_bytes):>11}  index {_mb(r.index_bytes):>9}{search}",
        flush=True,
    )


def _summary(rows: list[tuple[int, str, BuildResult]], plain_max: int) -> None:
    by = {(n, kind): r for n, kind, r in rows}
    print("\nTargets:")
    if (1000, "kbtool") in by and (1000, "plain") in by:
        ours, plain = by[(1000, "kbtool")], by[(1000, "plain")]
        time_ratio = ours.seconds / plain.seconds
        size_ratio = ours.site_bytes / plain.site_bytes
        print(
            f"  1,000 notes: time {time_ratio:.2f}x plain (target <= 0.20x) "
            f"{'met' if time_ratio <= 0.2 else 'MISSED'}"
        )
        print(
            f"  1,000 notes: size {size_ratio:.3f}x plain (target <= 0.10x) "
            f"{'met' if size_ratio <= 0.1 else 'MISSED'}"
        )
    if (5000, "kbtool") in by:
        seconds = by[(5000, "kbtool")].seconds
        print(
            f"  5,000 notes: build {seconds:.1f} s (target <= 25 s) "
            f"{'met' if seconds <= 25 else 'MISSED'} on {os.cpu_count()} cores"
        )
    if plain_max < max(n for n, _, _ in rows):
        print(f"  (plain builds measured up to {plain_max:,} notes: they grow quadratically)")


if __name__ == "__main__":
    main()
