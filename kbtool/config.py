"""Where a knowledge base lives on disk, and its settings file ``kbtool.yml``.

A knowledge base is the directory holding ``mkdocs.yml``; every command works on
the one that holds the current directory, or the one named by ``--root``.
``kbtool.yml`` holds one section per feature (``arxiv``, ``links``, ``watch``…);
each feature declares its settings as a frozen dataclass and reads its section
with one :class:`SectionReader`: the known keys are the dataclass's fields, every
value is validated when read, and a bad one is a :class:`ConfigError` naming
``kbtool.yml`` and the key's line, worded the same way for every section. Every
time setting is a :func:`duration <SectionReader.duration>` (``30s``, ``10m``,
``7d``; a bare number is seconds).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtool.errors import ConfigError, LocatedInputError, NotAKnowledgeBaseError

log = logging.getLogger("kbtool")

MKDOCS_FILE = "mkdocs.yml"
CONFIG_FILE = "kbtool.yml"
TOPICS_FILE = "topics.yml"
NOTES_DIR = "notes"
TOPIC_TEXTS_DIR = "topics"
DOCS_DIR = "docs"
CACHE_DIR = ".kbtool-cache"
SYNC_RECORD_FILE = ".kbtool-sync.json"
INBOX_FILE = "inbox.yml"
CITATIONS_FILE = "citations.json"


@dataclass(frozen=True)
class Layout:
    """The paths of one knowledge base."""

    root: Path

    @property
    def notes_dir(self) -> Path:
        return self.root / NOTES_DIR

    @property
    def topic_texts_dir(self) -> Path:
        """``topics/<topic-id>.md``: the researcher's text about a topic as a whole."""
        return self.root / TOPIC_TEXTS_DIR

    @property
    def docs_dir(self) -> Path:
        return self.root / DOCS_DIR

    @property
    def topics_file(self) -> Path:
        return self.root / TOPICS_FILE

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def mkdocs_file(self) -> Path:
        return self.root / MKDOCS_FILE

    @property
    def inbox_file(self) -> Path:
        """``inbox.yml``: new arXiv papers found by ``kbtool watch``, waiting to be adopted."""
        return self.root / INBOX_FILE

    @property
    def citations_file(self) -> Path:
        """``citations.json``: Semantic Scholar's citation data for the notes; committed."""
        return self.root / CITATIONS_FILE

    @property
    def sync_record_file(self) -> Path:
        """What ``enrich`` last wrote into each note's arXiv fields; committed with the notes."""
        return self.root / SYNC_RECORD_FILE

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, POSIX style, for messages and records."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def find_root(start: Path | None = None, explicit: Path | None = None) -> Layout:
    """The knowledge base named by ``explicit``, or the one holding ``start`` (walking up)."""
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not (root / MKDOCS_FILE).is_file():
            raise NotAKnowledgeBaseError(f"{root}: not a knowledge base (no {MKDOCS_FILE})")
        return Layout(root)
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MKDOCS_FILE).is_file():
            return Layout(candidate)
    raise NotAKnowledgeBaseError(
        f"{here}: not inside a knowledge base (no {MKDOCS_FILE} here or above); "
        "use --root DIR or `kbtool init DIR`"
    )


def yaml_error(err: yaml.YAMLError, text: str) -> tuple[str, int | None]:
    """What a YAML error in ``text`` says, in one line, and its line (1-based) when known."""
    if isinstance(err, yaml.reader.ReaderError):
        # Its own text spans two lines and gives a character offset, not a line.
        char = err.character  # a code point (bytes when decoding failed)
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return f"unacceptable character {what}: {err.reason}", text.count("\n", 0, err.position) + 1
    mark = getattr(err, "problem_mark", None)
    reason = getattr(err, "problem", None) or " ".join(str(err).split())
    return str(reason), (mark.line + 1 if mark is not None else None)


def read_yaml_mapping(
    text: str, path: Path | str, error: type[LocatedInputError], shape: str
) -> tuple[dict[Any, Any], yaml.MappingNode] | None:
    """``text`` as a YAML mapping and its node (for key lines), or None when it is empty.

    The text is parsed once. Bad YAML raises ``error`` at the YAML error's line; a
    document that is not a mapping raises ``error`` saying it "must be ``shape``".
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        reason, line = yaml_error(err, text)
        raise error(f"invalid YAML: {reason}", path, line) from err
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise error(f"must be {shape}", path, 1)
    return data, node


def mapping_key_lines(node: yaml.MappingNode) -> dict[str, int]:
    """The 1-based line of each key of a mapping node."""
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


@dataclass(frozen=True)
class Settings:
    """The parsed ``kbtool.yml``: raw sections, and the line each section starts on."""

    path: Path | None = None
    sections: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    key_lines: dict[str, dict[str, int]] = field(default_factory=dict)

    def key_line(self, section: str, key: str) -> int | None:
        """The line of ``section.key`` in kbtool.yml, else the section's line, else None."""
        return self.key_lines.get(section, {}).get(key, self.lines.get(section))

    def section(self, name: str) -> dict[str, Any]:
        """The mapping under ``name`` (empty when absent); anything else is a ConfigError."""
        value = self.sections.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ConfigError(
                f"section '{name}' must be a mapping", self.path, self.lines.get(name)
            )
        return value


def load_settings(layout: Layout) -> Settings:
    """Read ``kbtool.yml`` (absent means all defaults); bad YAML raises ConfigError."""
    path = layout.config_file
    if not path.exists():
        return Settings()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read: {err}", path) from err
    document = read_yaml_mapping(text, path, ConfigError, "a mapping of sections")
    if document is None:
        return Settings(path)
    data, node = document
    section_key_lines = {
        str(k.value): mapping_key_lines(v) for k, v in node.value if isinstance(v, yaml.MappingNode)
    }
    return Settings(
        path, {str(k): v for k, v in data.items()}, mapping_key_lines(node), section_key_lines
    )


def setting_names(settings_class: type, *, besides: Iterable[str] = ()) -> tuple[str, ...]:
    """The keys of a section: the fields of its settings dataclass, minus ``besides``
    (values that do not come from kbtool.yml, such as an endpoint from the environment)."""
    skip = set(besides)
    return tuple(f.name for f in dataclasses.fields(settings_class) if f.name not in skip)


_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
DAY = 86400.0


def format_duration(seconds: float) -> str:
    """``7d``, ``10m``, ``30s``, ``0.5s``: the shortest exact way to write ``seconds``."""
    for unit in ("d", "h", "m"):
        amount = seconds / _UNIT_SECONDS[unit]
        if amount >= 1 and amount == int(amount):
            return f"{int(amount)}{unit}"
    return f"{seconds:g}s"


class SectionReader:
    """Reads and validates one section of ``kbtool.yml``, one key at a time.

    Unknown keys are refused up front (the known ones come from the section's
    settings dataclass, see :func:`setting_names`); ``renamed`` maps an old key to
    its new name, still read, with a warning that says what to write instead.
    """

    def __init__(
        self,
        settings: Settings,
        section: str,
        known: Iterable[str],
        renamed: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.section = section
        self.raw = settings.section(section)
        self.renamed = renamed or {}
        names = tuple(known)
        for key in self.raw:
            if key not in names and key not in self.renamed:
                raise self.error(str(key), f"unknown setting (known: {', '.join(names)})")
        for old, new in self.renamed.items():
            if old in self.raw and new in self.raw:
                raise self.error(old, f"the old name of {new}: give one of the two")

    def error(self, key: str, message: str) -> ConfigError:
        where = self.settings.key_line(self.section, key)
        return ConfigError(f"{self.section}.{key}: {message}", self.settings.path, where)

    def has(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str, default: object) -> object:
        return self.raw.get(key, default)

    def number(
        self, key: str, default: float, low: float = -math.inf, high: float = math.inf
    ) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.error(key, f"must be a number, not {value!r}")
        self._check_range(key, value, low, high)
        return float(value)

    def whole(self, key: str, default: int, low: int, high: float = math.inf) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        self._check_range(key, value, low, high)
        return value

    def duration(
        self, key: str, default: float, *, zero_ok: bool = False, high: float = math.inf
    ) -> float:
        """Seconds, from ``30s``, ``10m``, ``12h``, ``7d`` or a number of seconds.

        The value must be longer than zero (or zero itself, when ``zero_ok``) and at
        most ``high``.
        """
        value = self.raw.get(key, default)
        seconds = self._seconds(key, value)
        if seconds < 0 or (seconds == 0 and not zero_ok):
            floor = "zero or longer" if zero_ok else "longer than zero"
            raise self.error(key, f"must be {floor}, not {value!r}")
        if seconds > high:
            raise self.error(key, f"must be at most {format_duration(high)}, not {value!r}")
        return seconds

    def old_days(self, old: str) -> float | None:
        """A setting renamed from a number of days to a duration: its value in seconds,
        with a warning saying how to write it now; None when absent."""
        if old not in self.raw:
            return None
        value = self.raw[old]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.error(old, f"must be a number of days, not {value!r}")
        seconds = float(value) * DAY
        line = self.settings.key_line(self.section, old)
        where = f"{self.settings.path}:{line}: " if self.settings.path and line else ""
        log.warning(
            f"{where}{self.section}.{old} is the old name of {self.renamed[old]}: "
            f"write `{self.renamed[old]}: {format_duration(seconds) if seconds else '0s'}`"
        )
        return seconds

    def strings(self, key: str, default: Iterable[str] = ()) -> list[str]:
        value = self.raw.get(key, list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of non-empty strings")
        return list(value)

    def _seconds(self, key: str, value: object) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        match = _DURATION.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.error(key, f"must be a duration such as 30s, 10m or 7d, not {value!r}")
        return float(match["number"]) * _UNIT_SECONDS[match["unit"]]

    def _check_range(self, key: str, value: float, low: float, high: float) -> None:
        if value < low and high == math.inf:
            raise self.error(key, f"must be at least {low:g}, not {value!r}")
        if not low <= value <= high:
            raise self.error(key, f"must be from {low:g} to {high:g}, not {value!r}")
