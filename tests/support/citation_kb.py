"""A synthetic knowledge base with citations, of any size: for the map's browser tests and
``benchmarks/bench_citations.py``.

Papers spread over a topic tree and four years; each cites earlier papers, mostly
of its own topic (as fields do), so the map has the structure of a real reading
list rather than random noise. ``citations.json`` is written by kbtool's own
writer. Some titles hold markup, which must show as text.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from pathlib import Path

from kbtool.citations.store import (
    CitedPaper,
    PaperEntry,
    assemble_citation_data,
    render_citation_data,
)
from kbtool.scaffold import init_knowledge_base

TOPICS = {
    "video-diffusion": ("Video diffusion", None),
    "image-to-video": ("Image-to-video", "video-diffusion"),
    "motion-control": ("Motion control", "video-diffusion"),
    "alignment": ("Alignment", None),
    "rlhf": ("RLHF", "alignment"),
    "process-reward-models": ("Process reward models", "alignment"),
    "efficient-llm": ("Efficient LLMs", None),
    "lora": ("LoRA", "efficient-llm"),
    "kv-cache": ("KV-cache compression", "efficient-llm"),
    "long-context": ("Long context", "efficient-llm"),
    "speculative-decoding": ("Speculative decoding", "efficient-llm"),
    "model-merging": ("Model merging", None),
}
_WORDS = """
Efficient Scalable Diffusion Video Reward Model Attention Cache Context Sparse Low-Rank
Adaptation Preference Alignment Speculative Decoding Motion Control Merging Tokens Long
Quantized Streaming Latent Transformer Guidance Distillation Benchmark
"""
WORDS = _WORDS.split()
STATUSES = ("read", "reading", "to-read", "to-read", "")
START = date(2021, 1, 1)
DAYS = 4 * 365


def topics_yaml() -> str:
    lines = []
    for topic_id, (title, parent) in TOPICS.items():
        lines += [f"{topic_id}:", f"  title: {title}"]
        if parent:
            lines.append(f"  parent: {parent}")
    return "\n".join(lines) + "\n"


def arxiv_id(day: date, number: int) -> str:
    return f"{day:%y%m}.{number:05d}"


def write_citation_kb(
    root: Path, papers: int, citations: int, *, seed: int = 13, title: str = "Map notes"
) -> dict[str, str]:
    """A knowledge base at ``root`` with ``papers`` notes and about ``citations`` citations.

    Returns each note's site URL (``papers/<stem>/``) by its title.
    """
    rng = random.Random(seed)
    init_knowledge_base(root, title)
    (root / "topics.yml").write_text(topics_yaml(), encoding="utf-8")
    topic_ids = list(TOPICS)
    made: list[tuple[str, date, str]] = []  # key, date, topic
    titles: dict[str, str] = {}
    urls: dict[str, str] = {}
    notes = root / "notes"
    for index in range(papers):
        day = START + timedelta(days=int(DAYS * index / max(papers, 1)))
        key = arxiv_id(day, index)
        topic = topic_ids[rng.randrange(len(topic_ids))]
        name = " ".join(rng.sample(WORDS, 4))
        paper_title = f"{name} {index}"
        if index % 97 == 5:
            paper_title = f"<img src=x onerror=alert({index})> {name} & <b>{index}</b>"
        status = STATUSES[rng.randrange(len(STATUSES))]
        lines = [
            "---",
            f"title: {_quote(paper_title)}",
            f"arxiv: '{key}'",
            f"published: {day.isoformat()}",
            f"topics: [{topic}]",
        ]
        if status:
            lines.append(f"status: {status}")
        lines += ["---", "", f"Notes on paper {index}.", ""]
        stem = f"{key}-paper-{index}"
        (notes / f"{stem}.md").write_text("\n".join(lines), encoding="utf-8")
        urls[paper_title] = f"papers/{stem}/"
        made.append((f"arXiv:{key}", day, topic))
        titles[f"arXiv:{key}"] = paper_title
    references: dict[str, list[str]] = {key: [] for key, _, _ in made}
    by_topic: dict[str, list[int]] = {}
    for position, (_, _, topic) in enumerate(made):
        by_topic.setdefault(topic, []).append(position)
    budget = citations
    attempts = 0
    while budget > 0 and attempts < citations * 20 and len(made) > 1:
        attempts += 1
        citing = rng.randrange(1, len(made))
        key, _, topic = made[citing]
        same = [p for p in by_topic[topic] if p < citing]
        pool = same if same and rng.random() < 0.75 else range(citing)
        cited = made[rng.choice(list(pool))][0]
        if cited not in references[key]:
            references[key].append(cited)
            budget -= 1
    read = date(2026, 11, 28)
    outside = {f"arXiv:1706.{n:05d}": CitedPaper(f"A classic paper {n}", 2017) for n in range(30)}
    entries = {}
    for key, _, _ in made:
        extra = rng.sample(sorted(outside), 3)
        entries[key] = PaperEntry(
            s2_id=hashlib.sha1(key.encode()).hexdigest(),
            title=titles[key],
            ids=(key,),
            citation_count=rng.randrange(0, 5000),
            read=read,
            references=tuple(references[key] + extra),
        )
    data = assemble_citation_data(entries, outside)
    (root / "citations.json").write_text(render_citation_data(data), encoding="utf-8")
    return urls


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
