"""The page cache (``.kbtool-cache/site/``) and the fingerprints that key it."""

from __future__ import annotations

import enum
import logging
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from kbtool.core.note import parse_note
from kbtool.site.incremental.cache import CACHE_FILE, SiteCache
from kbtool.site.incremental.fingerprint import Fingerprinter, Unfingerprintable, fingerprint
from tests.support.kb import REPO_ROOT


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Record:
    name: str
    when: date
    tags: tuple[str, ...]


VALUE = (
    "text 中文",
    1,
    2.5,
    None,
    True,
    date(2024, 5, 1),
    Colour.RED,
    Record("a", date(2020, 1, 2), ("x", "y")),
    {"k": [1, 2, {"n": frozenset({"b", "a"})}]},
    tuple(range(100)),
)


def test_a_fingerprint_is_the_same_in_another_process() -> None:
    here = fingerprint(VALUE)
    script = "from tests.test_site_cache import VALUE, fingerprint; print(fingerprint(VALUE))"
    there = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert here == there


def test_fingerprints_tell_values_apart() -> None:
    distinct = [("a", "b"), ("ab",), "ab", 1, "1", True, 1.0, None, "None", [], {}, (("a", 1),)]
    digests = [fingerprint(v) for v in distinct]
    assert len(set(digests)) == len(distinct)
    assert fingerprint({"a": 1, "b": 2}) != fingerprint({"a": 2, "b": 1})
    assert fingerprint(frozenset({1, 2})) == fingerprint(frozenset({2, 1}))


def test_a_long_tuple_seen_twice_is_digested_once_and_the_same() -> None:
    long = tuple(f"item {i}" for i in range(500))
    fingerprints = Fingerprinter()
    assert fingerprints.digest((long, 1)) == fingerprint((long, 1))
    assert fingerprints.digest((long, 2)) == fingerprint((long, 2))


def test_a_note_stands_for_its_path_and_text() -> None:
    reducers = {type(parse_note("---\ntitle: x\n---\n", "notes/a.md")): lambda n: (n.path, n.text)}
    fingerprints = Fingerprinter(reducers)
    one = parse_note("---\ntitle: A\n---\nbody\n", "notes/a.md")
    same = parse_note("---\ntitle: A\n---\nbody\n", "notes/a.md")
    other = parse_note("---\ntitle: A\n---\nbody!\n", "notes/a.md")
    assert fingerprints.digest(one) == fingerprints.digest(same) != fingerprints.digest(other)


def test_opaque_values_are_not_fingerprinted() -> None:
    with pytest.raises(Unfingerprintable):
        fingerprint(object())
    with pytest.raises(Unfingerprintable):
        fingerprint(lambda: 1)
    assert fingerprint(sorted) == fingerprint(sorted)  # a named function is its name


def test_the_cache_keeps_what_a_build_used(tmp_path: Path) -> None:
    cache = SiteCache(tmp_path, salt="s1")
    cache.put("md:a", b"A" * 1000)
    cache.put("md:b", b"B")
    cache.flush()
    cache.close()
    again = SiteCache(tmp_path, salt="s1")
    assert again.get("md:a") == b"A" * 1000
    assert again.get("md:missing") is None
    again.flush(prune=True)  # md:b was not used by this "build"
    again.close()
    last = SiteCache(tmp_path, salt="s1")
    assert (last.get("md:a"), last.get("md:b")) == (b"A" * 1000, None)
    last.close()


def test_other_software_empties_the_cache(tmp_path: Path) -> None:
    cache = SiteCache(tmp_path, salt="old")
    cache.put("md:a", b"A")
    cache.flush()
    cache.close()
    assert SiteCache(tmp_path, salt="new").get("md:a") is None


def test_a_damaged_cache_is_reported_and_started_afresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        cache = SiteCache(tmp_path, salt="s")
    assert "damaged page cache removed" in caplog.text
    cache.put("md:a", b"A")
    cache.flush()
    assert cache.get("md:a") == b"A"
    cache.close()
