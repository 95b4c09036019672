"""The topics registry: hierarchy, validation, lookup, and the repository's own registry."""

from __future__ import annotations

from kbtool.core.topics import load_topics, parse_topics
from tests.support.kb import REPO_ROOT

GOOD = """\
a:
  title: A
  description: top
b:
  title: B
  parent: a
  aliases: [bee]
c:
  title: C
  parent: b
d:
  title: D
"""


def test_hierarchy() -> None:
    registry, problems = parse_topics(GOOD, "topics.yml")
    assert problems == []
    assert [t.id for t in registry.roots()] == ["a", "d"]
    assert [t.id for t in registry.children("a")] == ["b"]
    assert [t.id for t in registry.ancestors("c")] == ["b", "a"]
    assert [t.id for t in registry.descendants("a")] == ["b", "c"]
    assert registry.find("BEE").id == "b"  # type: ignore[union-attr]
    assert registry.find("B").id == "b"  # type: ignore[union-attr]
    assert registry.find("zzz") is None


def test_bad_registries_are_reported_with_lines() -> None:
    text = (
        "a:\n  title: A\n  parent: nope\nB_ad:\n  title: X\nc: just text\n"
        "d:\n  parent: e\ne:\n  title: E\n  parent: d\n"
    )
    _, problems = parse_topics(text, "topics.yml")
    messages = {(p.line, p.message) for p in problems}
    assert (1, "topic 'a' has unknown parent 'nope'") in messages
    assert any(line == 4 and "lowercase" in m for line, m in messages)
    assert any(line == 6 and "must be a mapping" in m for line, m in messages)
    assert any(line == 7 and "no title" in m for line, m in messages)
    assert any("cycle" in m for _, m in messages)
    assert {p.name for p in problems} == {"bad-topics-file"}


def test_invalid_yaml() -> None:
    _, problems = parse_topics("a: [\n", "topics.yml")
    assert problems and problems[0].name == "bad-topics-file"


def test_repository_registry_covers_the_researchers_areas() -> None:
    registry, problems = load_topics(REPO_ROOT / "topics.yml", "topics.yml")
    assert problems == []
    for area in (
        "video-diffusion",
        "image-to-video",
        "motion-control",
        "noise-priors",
        "video-datasets",
        "video-benchmarks",
        "rlhf",
        "process-reward-models",
        "lora",
        "peft",
        "kv-cache",
        "long-context",
        "speculative-decoding",
        "data-mining",
        "initialization",
        "interpretability",
        "sequence-parallelism",
        "model-merging",
        "image-tokenizers",
        "visual-autoregressive",
        "efficient-diffusion",
    ):
        assert area in registry, area
    assert registry.get("image-to-video").parent == "video-diffusion"  # type: ignore[union-attr]
