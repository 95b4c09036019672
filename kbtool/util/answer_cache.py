"""A remote service's answers kept on disk: by key, each with the time it was fetched.

The policy the arXiv metadata cache and the Semantic Scholar cache share:

* an answer is reused while it is younger than ``max_age``; a time in the future
  (a clock that jumped) is not trusted;
* a key the service did not know is remembered for a day (or ``max_age``, if
  shorter), so a rerun does not ask again at once, but a paper announced tomorrow
  is found;
* the cache belongs to one endpoint: answers from another are not reused;
* a missing, unreadable or damaged file counts as empty (with a ``warning``);
  saving is atomic, and merges, under a lock, with what another kbtool saved
  meanwhile: two runs at once each keep what they fetched.

A subclass names its file's parts, says how one answer is written as JSON, and where
its lock file is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar

from kbtool.util.clock import Clock
from kbtool.util.locks import file_lock
from kbtool.util.state_file import FileVersion, file_version, read_state, write_state

FORMAT = 1
UNKNOWN_MAX_AGE = timedelta(days=1)
#: How far in the future a fetch time may be (clocks of two machines disagree a little).
CLOCK_SKEW = timedelta(minutes=5)

T = TypeVar("T")


@dataclass
class AnswerCache(Generic[T]):
    """Answers by key, each with the time it was fetched, and keys the service did not know."""

    #: The file in messages ("arXiv metadata cache"), and the section and entry names in it.
    WHAT: ClassVar[str]
    SECTION: ClassVar[str]
    ENTRY: ClassVar[str]
    #: True: written on one line (a large file nobody reads); False: one value a line.
    COMPACT: ClassVar[bool] = False

    path: Path
    clock: Clock
    max_age: timedelta
    endpoint: str
    answers: dict[str, tuple[datetime, T]] = field(default_factory=dict)
    unknown: dict[str, datetime] = field(default_factory=dict)
    warning: str | None = None
    #: Keys this run stored, to lay over the file as it is on disk when saving.
    _stored: set[str] = field(default_factory=set, repr=False)
    _version: FileVersion | None = field(default=None, repr=False)  # the file as last read

    @classmethod
    def load(cls, path: Path, clock: Clock, max_age: timedelta, endpoint: str) -> Self:
        """The cache at ``path``; empty (with a ``warning``) when it cannot be used."""
        cache = cls(path, clock, max_age, endpoint)
        cache._version = file_version(path)  # before reading: never newer than what is read
        data, cache.warning = read_state(path, FORMAT, cls.WHAT)
        if data is None or data.get("endpoint") != endpoint:
            return cache
        try:
            cache.answers = {
                str(key): (_time(entry["fetched"]), cls.decode(entry[cls.ENTRY]))
                for key, entry in _mapping(data.get(cls.SECTION)).items()
            }
            cache.unknown = {
                str(key): _time(when) for key, when in _mapping(data.get("unknown")).items()
            }
        except (KeyError, TypeError, ValueError) as err:
            cache.answers, cache.unknown = {}, {}
            cache.warning = f"{path}: damaged {cls.WHAT} ignored ({err})"
        return cache

    @staticmethod
    def decode(data: Any) -> T:
        """One answer from its JSON (KeyError, TypeError, ValueError when damaged)."""
        raise NotImplementedError

    @staticmethod
    def encode(answer: T) -> Any:
        """One answer as JSON."""
        raise NotImplementedError

    def lock_path(self) -> Path:
        """The lock file two kbtools saving this cache at once share."""
        raise NotImplementedError

    def _is_fresh(self, fetched: datetime, max_age: timedelta) -> bool:
        age = self.clock.now() - fetched
        return -CLOCK_SKEW <= age < max_age

    def fresh(self, key: str) -> T | None:
        """The cached answer for ``key`` if it is younger than the cache's age limit."""
        entry = self.answers.get(key)
        if entry is None or not self._is_fresh(entry[0], self.max_age):
            return None
        return entry[1]

    def entry(self, key: str) -> tuple[datetime, T] | None:
        """The cached answer for ``key`` and when it was fetched, however old."""
        return self.answers.get(key)

    def known_unknown(self, key: str) -> bool:
        """True when the service recently said it knows no ``key``."""
        when = self.unknown.get(key)
        return when is not None and self._is_fresh(when, min(self.max_age, UNKNOWN_MAX_AGE))

    def remember(self, answers: Iterable[tuple[str, T]], unknown: Iterable[str] = ()) -> None:
        """Keep answers (by key) and unknown keys as fetched now (in memory; see :meth:`save`)."""
        now = self.clock.now()
        for key, answer in answers:
            self.answers[key] = (now, answer)
            self.unknown.pop(key, None)
            self._stored.add(key)
        for key in unknown:
            self.unknown[key] = now
            self.answers.pop(key, None)
            self._stored.add(key)

    def save(self) -> None:
        """Write the cache atomically, with what other kbtools saved meanwhile.

        Under a lock, the keys this run stored are laid over the file as it is now.
        """
        with file_lock(self.lock_path(), f"updating the {self.WHAT}"):
            if file_version(self.path) != self._version:  # written by another kbtool
                on_disk = self.load(self.path, self.clock, self.max_age, self.endpoint)
                for key in self._stored:
                    on_disk.answers.pop(key, None)
                    on_disk.unknown.pop(key, None)
                    if key in self.answers:
                        on_disk.answers[key] = self.answers[key]
                    if key in self.unknown:
                        on_disk.unknown[key] = self.unknown[key]
                self.answers, self.unknown = on_disk.answers, on_disk.unknown
            self._write()
            self._version = file_version(self.path)
        self._stored = set()

    def _write(self) -> None:
        data = {
            "endpoint": self.endpoint,
            self.SECTION: {
                key: {"fetched": fetched.isoformat(), self.ENTRY: self.encode(answer)}
                for key, (fetched, answer) in sorted(self.answers.items())
            },
            "unknown": {key: when.isoformat() for key, when in sorted(self.unknown.items())},
        }
        write_state(self.path, FORMAT, data, compact=self.COMPACT)


def _mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("not a mapping")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("time is not text")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without time zone: {value}")
    return parsed
