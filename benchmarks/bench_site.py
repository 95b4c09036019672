"""Benchmark the site: kbtool's builds and its serve loop against plain Material.

For knowledge bases of 200, 1,000 and 5,000 synthetic notes (a few hundred words
of mixed English and Chinese each, of varying length, with math, a table, a
``<details>`` block, wikilinks and relative links), this prints, side by side
with a plain Material build of the very same Markdown pages (every page in the
navigation, default search) made in the same run:

- kbtool's cold build (no page cache) and its peak memory (the build process,
  and its largest worker process);
- warm builds, each in a fresh process as CI runs them (``.kbtool-cache/``
  restored, a fresh ``site/``): with nothing changed, after editing one note's
  body, after changing one note's title, after adding a note;
- the serve loop as a writer sees it: ``kbtool serve`` started (time until the
  first page is served, without and with a page cache), then for a body edit, a
  title change and an added note, the time from writing the file to the moment
  an HTTP request gets the page with the new text (median of ``--repeat``);
  plain ``mkdocs serve`` of the plain pages for comparison (start, one edit).

Targets (issue 12, on 2 cores): save → served <= 1 s at 1,000 notes and <= 2 s
at 5,000 (body edit), <= 3 s at 5,000 for a title change; cold build at 1,000
<= 0.2x the plain build, a warm build after one edit <= 0.05x; 5,000 notes cold
<= 25 s with peak memory <= 1.5 GB; serve start at 1,000 <= 10 s.

kbtool's knowledge bases are built as ``kbtool init`` makes them: with kbtool's
own search index (issue 11) in place of Material's search plugin;
``--without-search`` turns kbtool's search off too. The plain builds keep
Material's default search. The plain build grows quadratically
(each page carries the whole navigation), so it is measured up to 1,000 notes.
The machine is shared: the load average is printed with every figure.

    python benchmarks/bench_site.py [--sizes 200,1000,5000] [--plain-max 1000]
        [--repeat 3] [--without-search] [--no-serve] [--browser] [--keep DIR]
        [--profile N] [--floor]

``--browser`` also times the first search result in headless Chromium (with
``--with-search``); ``--floor`` adds the bare note files built with Material,
out of the navigation: what MkDocs and Material alone cost for the notes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from serve_loop import ServeLoop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.scaffold import init_knowledge_base, render_template
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, render_site
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory

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


def make_knowledge_base(root: Path, n: int, *, search: bool = True) -> None:
    """A knowledge base of ``n`` synthetic notes (``search``: with kbtool's search index)."""
    init_knowledge_base(root, f"Benchmark {n}")
    if not search:
        config = (root / "mkdocs.yml").read_text(encoding="utf-8")
        assert "      search: true\n" in config
        config = config.replace("      search: true\n", "      search: false\n")
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
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
config.plugins.on_startup(command="build", dirty=False)
build(config)
config.plugins.on_shutdown()
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak_bytes": peak, "worker_bytes": workers}))
"""


@dataclass
class BuildResult:
    seconds: float
    peak_bytes: int
    site_bytes: int
    index_bytes: int
    worker_bytes: int = 0
    first_result_ms: float | None = None
    first_result_zh_ms: float | None = None
    searched: bool = False


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_build(root: Path, site_dir: Path, profile: Path | None = None) -> BuildResult:
    """``mkdocs build`` in a fresh process into a fresh ``site_dir`` (start-up counted)."""
    shutil.rmtree(site_dir, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if profile is None:
        command = [sys.executable, "-c", BUILD_SCRIPT, str(root / "mkdocs.yml"), str(site_dir)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"build of {root} failed:\n{done.stderr[-3000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        seconds, peak, workers = wall, measured["peak_bytes"], measured["worker_bytes"]
    else:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mkdocs"]
        command += ["build", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)]
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        seconds, peak, workers = time.perf_counter() - start, 0, 0
    # Material's search_index.json, or kbtool's sharded index: whatever search/ holds.
    return BuildResult(seconds, peak, _size(site_dir), _size(site_dir / "search"), workers)


def first_search_result_ms(site_dir: Path, query: str, timeout_s: float = 120) -> float | None:
    """Milliseconds from starting to load the home page to the first search result shown.

    None when no result shows within ``timeout_s``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with serve_directory(site_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
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


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


@dataclass
class SizeResult:
    """Every figure for one size of knowledge base."""

    n: int
    cold: BuildResult
    warm: dict[str, BuildResult]
    plain: BuildResult | None = None
    serve_start: dict[str, float] | None = None
    saves: dict[str, list[float]] | None = None
    plain_serve: dict[str, float] | None = None
    loads: list[str] | None = None


class Edits:
    """Edits a writer makes, each with the page and text that show it was taken."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notes = sorted((root / "notes").glob("*.md"))
        self.count = 0

    def _next(self) -> int:
        self.count += 1
        return self.count

    def body(self) -> tuple[Path, str, str, str]:
        """Append a sentence to a note in the middle of the list."""
        path = self.notes[len(self.notes) // 2]
        marker = f"A sentence written in edit {self._next()}."
        text = path.read_text(encoding="utf-8") + f"\n{marker}\n"
        return path, text, f"papers/{path.stem}/", marker

    def title(self) -> tuple[Path, str, str, str]:
        """Change the title of a note that other notes link to and list."""
        path = self.notes[len(self.notes) // 3]
        text = path.read_text(encoding="utf-8")
        head, _, rest = text.partition("\ntitle: ")
        _, _, tail = rest.partition("\n")
        new = f'"Retitled in edit {self._next()}"'
        return path, f"{head}\ntitle: {new}\n{tail}", f"papers/{path.stem}/", new.strip('"')

    def add(self) -> tuple[Path, str, str, str]:
        """A new note, linking to an existing one."""
        number = self._next()
        path = self.root / "notes" / f"2601.{90000 + number}-added-{number}.md"
        title = f"Added note {number}"
        text = (
            f"---\ntitle: {title}\narxiv: 2601.{90000 + number}\ntopics: [lora]\n"
            f"tags: [tag-1]\nstatus: to-read\nadded: 2026-01-02\n---\n\n"
            f"## TL;DR\n\nBuilds on [[{self.notes[0].stem}]]. 新的笔记。\n"
        )
        return path, text, f"papers/{path.stem}/", title


def measure_size(n: int, work: Path, args: argparse.Namespace) -> SizeResult:
    kb_root = work / f"kb-{n}"
    shutil.rmtree(kb_root, ignore_errors=True)
    make_knowledge_base(kb_root, n, search=not args.without_search)
    loads = [_load()]
    cache = kb_root / ".kbtool-cache"
    profile = work / f"profile-{n}.prof" if args.profile == n else None
    shutil.rmtree(cache, ignore_errors=True)
    cold = run_build(kb_root, kb_root / "site", profile)
    print(
        f"{n:>6} notes  kbtool cold build {cold.seconds:6.2f} s  peak {_mb(cold.peak_bytes)}"
        f" (largest worker {_mb(cold.worker_bytes)})  {_load()}",
        flush=True,
    )
    # kbtool's own search is timed in the browser by benchmarks/bench_search.py.
    edits = Edits(kb_root)
    warm: dict[str, BuildResult] = {"nothing changed": run_build(kb_root, kb_root / "site")}
    for kind in ("body", "title", "add"):
        path, text, _page, _expected = getattr(edits, kind)()
        path.write_text(text, encoding="utf-8")
        warm[kind] = run_build(kb_root, kb_root / "site")
    for kind, result in warm.items():
        print(
            f"{n:>6} notes  kbtool warm build, {kind:<15} {result.seconds:6.2f} s  {_load()}",
            flush=True,
        )
    loads.append(_load())
    result = SizeResult(n, cold, warm, loads=loads)
    if n <= args.plain_max:
        plain_root = work / f"plain-{n}"
        shutil.rmtree(plain_root, ignore_errors=True)
        make_plain_site(kb_root, plain_root)
        result.plain = run_build(plain_root, plain_root / "site")
        print(
            f"{n:>6} notes  plain Material build {result.plain.seconds:6.2f} s  "
            f"peak {_mb(result.plain.peak_bytes)}  {_load()}",
            flush=True,
        )
        if args.browser:
            result.plain.first_result_ms = first_search_result_ms(plain_root / "site", QUERY_EN)
            result.plain.first_result_zh_ms = first_search_result_ms(
                plain_root / "site", QUERY_ZH, timeout_s=30
            )
            result.plain.searched = True
    if not args.no_serve:
        measure_serve(kb_root, edits, result, args.repeat, work)
        loads.append(_load())
        if n <= args.plain_max and args.plain_serve:
            measure_plain_serve(work / f"plain-{n}", result, work)
    return result


def measure_serve(kb_root: Path, edits: Edits, result: SizeResult, repeat: int, work: Path) -> None:
    first = f"papers/{edits.notes[0].stem}/"
    result.serve_start = {}
    shutil.rmtree(kb_root / ".kbtool-cache", ignore_errors=True)
    loop = ServeLoop(kb_root, first, work / f"serve-cold-{result.n}.log")
    result.serve_start["no page cache"] = loop.start_seconds
    loop.close()
    loop = ServeLoop(kb_root, first, work / f"serve-{result.n}.log")
    result.serve_start["page cache"] = loop.start_seconds
    saves: dict[str, list[float]] = {"body": [], "title": [], "add": []}
    try:
        for _ in range(repeat):
            for kind in saves:
                path, text, page, expected = getattr(edits, kind)()
                saves[kind].append(loop.save_and_wait(path, text, page, expected))
                time.sleep(0.5)  # the writer reads what they wrote
    finally:
        loop.close()
    result.saves = saves
    starts = ", ".join(f"{k} {v:.2f} s" for k, v in result.serve_start.items())
    print(f"{result.n:>6} notes  kbtool serve start: {starts}  {_load()}", flush=True)
    for kind, seconds in saves.items():
        figures = ", ".join(f"{s:.2f}" for s in seconds)
        print(
            f"{result.n:>6} notes  save -> served, {kind:<5}: median "
            f"{statistics.median(seconds):.2f} s ({figures})  {_load()}",
            flush=True,
        )


def measure_plain_serve(plain_root: Path, result: SizeResult, work: Path) -> None:
    """``mkdocs serve`` of the plain pages: start, and one body edit."""
    page = next(p for p in sorted((plain_root / "docs" / "papers").glob("*.md")))
    loop = ServeLoop(
        plain_root, f"papers/{page.stem}/", work / f"plain-serve-{result.n}.log", plain=True
    )
    try:
        marker = "A sentence written for plain serve."
        text = page.read_text(encoding="utf-8") + f"\n{marker}\n"
        seconds = loop.save_and_wait(page, text, f"papers/{page.stem}/", marker)
    finally:
        loop.close()
    result.plain_serve = {"start": loop.start_seconds, "body": seconds}
    print(
        f"{result.n:>6} notes  plain mkdocs serve: start {loop.start_seconds:.2f} s, "
        f"save -> served {seconds:.2f} s  {_load()}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1000,5000")
    parser.add_argument("--plain-max", type=int, default=1000, help="largest plain build")
    parser.add_argument("--repeat", type=int, default=3, help="saves timed per kind of edit")
    parser.add_argument(
        "--without-search", action="store_true", help="kbtool's sites without any search"
    )
    parser.add_argument("--no-serve", action="store_true", help="builds only")
    parser.add_argument("--plain-serve", action="store_true", help="also time mkdocs serve")
    parser.add_argument(
        "--browser", action="store_true", help="time the plain site's first search result"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated sites here")
    parser.add_argument("--profile", type=int, help="profile kbtool's cold build at this size")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also build the bare notes with Material, out of the navigation (the floor)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="kbtool-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"{os.cpu_count()} cores, {_load()}; kbtool's search in kbtool's sites: "
        f"{'no' if args.without_search else 'yes'}",
        flush=True,
    )
    results = []
    try:
        for n in sizes:
            results.append(measure_size(n, work, args))
            if args.floor:
                floor_root = work / f"floor-{n}"
                shutil.rmtree(floor_root, ignore_errors=True)
                make_floor_site(work / f"kb-{n}", floor_root)
                floor = run_build(floor_root, floor_root / "site")
                print(f"{n:>6} notes  floor build {floor.seconds:6.2f} s", flush=True)
        _summary(results)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def _summary(results: list[SizeResult]) -> None:
    print(
        "\n| notes | plain build | kbtool cold | warm: body | warm: title | warm: add "
        "| peak (build + worker) | serve start (cold / cache) | save→served body / title / add "
        "(median) | load |"
    )
    print("|" + " --- |" * 10)
    for r in results:
        plain = f"{r.plain.seconds:.1f} s" if r.plain else "—"

        def ratio(b: BuildResult, r: SizeResult = r) -> str:
            return f" ({b.seconds / r.plain.seconds:.3f}x)" if r.plain else ""

        start = (
            f"{r.serve_start['no page cache']:.1f} / {r.serve_start['page cache']:.1f} s"
            if r.serve_start
            else "—"
        )
        saves = (
            " / ".join(f"{statistics.median(v):.2f}" for v in r.saves.values()) + " s"
            if r.saves
            else "—"
        )
        print(
            f"| {r.n:,} | {plain} | {r.cold.seconds:.1f} s{ratio(r.cold)} "
            f"| {r.warm['body'].seconds:.2f} s{ratio(r.warm['body'])} "
            f"| {r.warm['title'].seconds:.2f} s{ratio(r.warm['title'])} "
            f"| {r.warm['add'].seconds:.2f} s{ratio(r.warm['add'])} "
            f"| {_mb(r.cold.peak_bytes)} + {_mb(r.cold.worker_bytes)} | {start} | {saves} "
            f"| {', '.join(r.loads or [])} |"
        )
    by = {r.n: r for r in results}
    print("\nTargets (2 cores):")
    for n, target in ((1000, 1.0), (5000, 2.0)):
        if n in by and by[n].saves:
            worst = max(by[n].saves["body"])
            print(
                f"  save -> served, body edit, {n:,} notes: worst {worst:.2f} s "
                f"(target <= {target:.0f} s) {_verdict(worst, target)}"
            )
    if 5000 in by and by[5000].saves:
        worst = max(by[5000].saves["title"])
        print(
            f"  save -> served, title change, 5,000 notes: worst {worst:.2f} s "
            f"(target <= 3 s) {_verdict(worst, 3.0)}"
        )
    if 1000 in by and by[1000].plain:
        r = by[1000]
        assert r.plain is not None
        cold = r.cold.seconds / r.plain.seconds
        warm = r.warm["body"].seconds / r.plain.seconds
        print(
            f"  cold build, 1,000 notes: {cold:.3f}x plain (target <= 0.2x) {_verdict(cold, 0.2)}"
        )
        print(
            f"  warm build after one edit, 1,000 notes: {warm:.3f}x plain (target <= 0.05x) "
            f"{_verdict(warm, 0.05)}"
        )
    if 5000 in by:
        r = by[5000]
        peak = r.cold.peak_bytes + r.cold.worker_bytes
        print(
            f"  cold build, 5,000 notes: {r.cold.seconds:.1f} s (target <= 25 s) "
            f"{_verdict(r.cold.seconds, 25)}; peak {_mb(peak)} (build + largest worker; "
            f"target <= 1,500 MB) {_verdict(peak, 1.5e9)}"
        )
    if 1000 in by and by[1000].serve_start:
        start = by[1000].serve_start
        print(
            f"  serve start, 1,000 notes: {start['no page cache']:.1f} s without a page cache, "
            f"{start['page cache']:.1f} s with one (target <= 10 s) "
            f"{_verdict(start['no page cache'], 10)}"
        )


if __name__ == "__main__":
    main()
