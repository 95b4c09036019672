"""Heading context → topics of the registry (``topics.yml``), by id, title or alias.

A heading or list label names a topic when the registry finds it by id, title or alias
(case-insensitive), as written, without a trailing colon, without its parenthesised
part or as that part (``Heavy-Inference Algorithm (Inference Scaling Laws)``), or as one
of the parts around `` / `` or `` & `` (``Motion-Control / Guidance``). Nothing is
guessed from words in titles: what the sources do not place stays in :data:`UNSORTED`.
"""

from __future__ import annotations

import re

from kbtool.core.topics import TopicRegistry

#: The topic for papers whose source names no subject (the digest, a venue's list).
UNSORTED = "unsorted"
#: Appended to a topics.yml that lacks :data:`UNSORTED` when the import needs it.
UNSORTED_ENTRY = """
unsorted:
  title: Unsorted
  description: >-
    Imported papers whose source named no subject (the arXiv digest, a venue's paper list):
    give each a subject topic when you read it.
"""

_PAREN = re.compile(r"\s*[(（]([^()（）]*)[)）]")
_SPLIT = re.compile(r"\s+(?:/|&|\+)\s+")
_MARKUP = re.compile(r"[*_`]+")


def topic_candidates(label: str) -> list[str]:
    """The names a heading or label may go by in the registry, most literal first."""
    text = _MARKUP.sub("", label).strip().rstrip(":：").strip()
    candidates = [text]
    without = _PAREN.sub("", text).strip()
    candidates.append(without)
    candidates.extend(match.strip() for match in _PAREN.findall(text))
    for part in (*_SPLIT.split(without), *_SPLIT.split(text)):
        candidates.append(part.strip())
    return [c for c in dict.fromkeys(candidates) if c]


def find_topic(label: str, registry: TopicRegistry) -> str | None:
    """The id of the topic ``label`` names, if any."""
    for candidate in topic_candidates(label):
        topic = registry.find(candidate)
        if topic is not None:
            return topic.id
    return None


def reduce_topics(topic_ids: list[str], registry: TopicRegistry) -> list[str]:
    """``topic_ids`` without repeats and without any that is an ancestor of another."""
    unique = list(dict.fromkeys(topic_ids))
    ancestors = {a.id for t in unique for a in registry.ancestors(t)}
    return [t for t in unique if t not in ancestors]


def topics_for(hints: tuple[str, ...], registry: TopicRegistry) -> list[str]:
    """Every topic the context names, most general first, ancestors of others dropped."""
    found = [t for t in (find_topic(h, registry) for h in hints) if t is not None]
    return reduce_topics(found, registry)


def topic_for_text(hints: tuple[str, ...], registry: TopicRegistry) -> str | None:
    """The topic whose text should hold a block: the one its innermost context names."""
    for hint in reversed(hints):
        found = find_topic(hint, registry)
        if found is not None:
            return found
    return None
