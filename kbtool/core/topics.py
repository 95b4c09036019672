"""The topics registry (``topics.yml``): topic ids, titles, descriptions and parents.

The file is a mapping from topic id to its entry::

    video-diffusion:
      title: Video diffusion
      description: Generating video with diffusion models.
    image-to-video:
      title: Image-to-video
      parent: video-diffusion
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kbtool.core.problems import Problem, problem
from kbtool.util.safe_read import MAX_SETTINGS_BYTES, read_regular_file
from kbtool.util.yaml_load import YamlError, check_limits, compose_yaml

TOPIC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ENTRY_KEYS = {"title", "description", "parent", "aliases"}


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str = ""
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class TopicRegistry:
    """All topics, in file order, with their hierarchy."""

    topics: dict[str, Topic] = field(default_factory=dict)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self.topics

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def children(self, topic_id: str | None) -> list[Topic]:
        """Direct sub-topics of ``topic_id`` (the roots when None), in file order."""
        return [t for t in self.topics.values() if t.parent == topic_id]

    def roots(self) -> list[Topic]:
        return self.children(None)

    def ancestors(self, topic_id: str) -> list[Topic]:
        """Parents of ``topic_id`` from the nearest up to the root (cycles cut)."""
        chain: list[Topic] = []
        seen = {topic_id}
        current = self.topics.get(topic_id)
        while current is not None and current.parent and current.parent not in seen:
            seen.add(current.parent)
            parent = self.topics.get(current.parent)
            if parent is None:
                break
            chain.append(parent)
            current = parent
        return chain

    def descendants(self, topic_id: str) -> list[Topic]:
        """All topics below ``topic_id``, depth first, in file order."""
        found: list[Topic] = []
        stack = list(reversed(self.children(topic_id)))
        seen: set[str] = {topic_id}
        while stack:
            topic = stack.pop()
            if topic.id in seen:
                continue
            seen.add(topic.id)
            found.append(topic)
            stack.extend(reversed(self.children(topic.id)))
        return found

    def find(self, name: str) -> Topic | None:
        """The topic whose id, title or alias is ``name`` (case-insensitive), if any."""
        wanted = name.strip().casefold()
        for topic in self.topics.values():
            names = {topic.id, topic.title.casefold(), *(a.casefold() for a in topic.aliases)}
            if wanted in names:
                return topic
        return None


def parse_topics(text: str, path: str) -> tuple[TopicRegistry, list[Problem]]:
    """Parse the registry; problems (bad YAML, ids, parents, cycles) are returned, not raised."""
    problems: list[Problem] = []
    try:
        root = compose_yaml(text)
        if root is not None:
            check_limits(root)
    except YamlError as err:
        return TopicRegistry(), [
            problem(path, err.line or 0, "bad-topics-file", f"invalid YAML: {err.message}")
        ]
    if root is None:
        return TopicRegistry(), problems
    if not isinstance(root, yaml.MappingNode):
        return TopicRegistry(), [
            problem(path, 1, "bad-topics-file", "must be a mapping of topic id to entry")
        ]
    topics: dict[str, Topic] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        topic_id = str(key_node.value)
        if not TOPIC_ID.fullmatch(topic_id):
            problems.append(
                problem(
                    path,
                    line,
                    "bad-topics-file",
                    f"topic id {topic_id!r} must be lowercase words joined by '-'",
                )
            )
            continue
        if topic_id in topics:
            problems.append(problem(path, line, "bad-topics-file", f"topic {topic_id!r} twice"))
            continue
        if not isinstance(value_node, yaml.MappingNode):
            problems.append(
                problem(
                    path,
                    line,
                    "bad-topics-file",
                    f"topic {topic_id!r} must be a mapping with at least a title",
                )
            )
            continue
        entry = {str(k.value): v for k, v in value_node.value}
        unknown = sorted(set(entry) - _ENTRY_KEYS)
        if unknown:
            problems.append(
                problem(
                    path,
                    line,
                    "bad-topics-file",
                    f"topic {topic_id!r} has unknown keys: {', '.join(unknown)}",
                )
            )

        def text_of(name: str, entry: dict[str, yaml.Node] = entry) -> str:
            node = entry.get(name)
            return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""

        aliases_node = entry.get("aliases")
        aliases: tuple[str, ...] = ()
        if isinstance(aliases_node, yaml.SequenceNode):
            aliases = tuple(
                str(n.value) for n in aliases_node.value if isinstance(n, yaml.ScalarNode)
            )
        title = text_of("title")
        if not title:
            problems.append(
                problem(path, line, "bad-topics-file", f"topic {topic_id!r} has no title")
            )
            title = topic_id
        topics[topic_id] = Topic(
            topic_id, title, text_of("description"), text_of("parent") or None, aliases, line
        )
    problems.extend(_hierarchy_problems(topics, path))
    return TopicRegistry(topics), problems


def _hierarchy_problems(topics: dict[str, Topic], path: str) -> list[Problem]:
    problems: list[Problem] = []
    for topic in topics.values():
        if topic.parent is not None and topic.parent not in topics:
            problems.append(
                problem(
                    path,
                    topic.line,
                    "bad-topics-file",
                    f"topic {topic.id!r} has unknown parent {topic.parent!r}",
                )
            )
    for topic in topics.values():
        seen = {topic.id}
        current = topic
        while current.parent is not None and current.parent in topics:
            if current.parent in seen:
                problems.append(
                    problem(
                        path,
                        topic.line,
                        "bad-topics-file",
                        f"topic {topic.id!r} is its own ancestor (a cycle of parents)",
                    )
                )
                break
            seen.add(current.parent)
            current = topics[current.parent]
    return problems


def load_topics(path: Path, display_path: str) -> tuple[TopicRegistry, list[Problem]]:
    """Read and parse the registry file; a missing or unreadable file is a problem.

    One that exists and cannot be read (a folder, a named pipe, no permission, too
    large) is ``unreadable``: the site must not be built without it.
    """
    try:
        data = read_regular_file(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError as err:
        return TopicRegistry(), [
            problem(display_path, 0, "bad-topics-file", f"cannot read: {err.strerror}")
        ]
    except OSError as err:
        return TopicRegistry(), [
            problem(display_path, 0, "unreadable", f"cannot read: {err.strerror or err}")
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return TopicRegistry(), [problem(display_path, 0, "bad-topics-file", "not valid UTF-8")]
    return parse_topics(text, display_path)
