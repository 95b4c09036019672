"""One reader for every section of kbtool.yml: one wording, one duration type, old names kept."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kbtool.config import DAY, Layout, SectionReader, format_duration, load_settings, setting_names
from kbtool.errors import ConfigError
from tests.support.kb import KnowledgeBaseFactory, RunKbtool


@dataclass(frozen=True)
class Example:
    wait: float = 30.0
    count: int = 3


def reader_for(kb: KnowledgeBaseFactory, text: str) -> SectionReader:
    kb.write("kbtool.yml", text)
    return SectionReader(load_settings(Layout(kb.root)), "example", setting_names(Example))


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),
        ("30s", 30.0),
        ("250ms", 0.25),
        ("10m", 600.0),
        ("12h", 43200.0),
        ("7d", 7 * DAY),
        ("1.5", 1.5),
    ],
)
def test_a_duration_is_a_number_of_seconds_or_a_number_with_a_unit(
    kb: KnowledgeBaseFactory, value: str, seconds: float
) -> None:
    assert reader_for(kb, f"example:\n  wait: {value}\n").duration("wait", 1.0) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "example:\n  wait: soon\n",
            "example.wait: must be a duration such as 30s, 10m or 7d, not 'soon'",
        ),
        ("example:\n  wait: 0\n", "example.wait: must be longer than zero, not 0"),
        ("example:\n  wait: 3d\n", "example.wait: must be at most 1d, not '3d'"),
        ("example:\n  wait: .nan\n", "example.wait: must be a duration"),
    ],
)
def test_bad_durations(kb: KnowledgeBaseFactory, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        reader_for(kb, text).duration("wait", 1.0, high=DAY)
    assert caught.value.line == 2
    assert message in caught.value.message


def test_unknown_keys_are_named_with_the_known_ones_from_the_dataclass(
    kb: KnowledgeBaseFactory,
) -> None:
    with pytest.raises(ConfigError) as caught:
        reader_for(kb, "example:\n  count: 2\n  wiat: 3s\n")
    assert caught.value.line == 3
    assert caught.value.message.endswith("example.wiat: unknown setting (known: wait, count)")


def test_format_duration() -> None:
    assert [format_duration(s) for s in (7 * DAY, 3600, 600, 30, 0.25, 90)] == [
        "7d",
        "1h",
        "10m",
        "30s",
        "0.25s",
        "90s",
    ]


def test_an_old_name_still_works_and_the_cli_says_once_what_to_write(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  cache_days: 2\n")
    result = run_kbtool("enrich", "--dry-run")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("kbtool: warning:")]
    assert warnings == [
        f"kbtool: warning: {kb.root / 'kbtool.yml'}:2: arxiv.cache_days is the old name of "
        "cache_max_age: write `cache_max_age: 2d`"
    ]
