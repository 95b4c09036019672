"""The ``citations:`` section of kbtool.yml and the environment: defaults, errors at their line,
and the API key, which no message ever quotes."""

from __future__ import annotations

import pytest

from kbtool.citations.settings import (
    DEFAULT_URL,
    KEY_ENV,
    URL_ENV,
    CitationSettings,
    load_citation_settings,
)
from kbtool.config import DAY, Layout, load_settings
from kbtool.errors import ConfigError, InputError
from tests.support.kb import REPO_ROOT, SETTINGS_TEMPLATE, KnowledgeBaseFactory


def settings_of(
    kb: KnowledgeBaseFactory, text: str, environ: dict[str, str] | None = None
) -> CitationSettings:
    kb.write("kbtool.yml", text)
    return load_citation_settings(load_settings(Layout(kb.root)), environ or {})


def test_the_documented_defaults_are_the_defaults(kb: KnowledgeBaseFactory) -> None:
    """The commented-out ``citations:`` section of both kbtool.yml files, switched on."""
    for path in (SETTINGS_TEMPLATE, REPO_ROOT / "kbtool.yml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        start = lines.index(next(line for line in lines if line.startswith("# citations:")))
        section = []
        for line in lines[start:]:
            if not line.startswith("#  ") and section:
                break
            section.append(line[2:])
        assert len(section) == 9
        assert settings_of(kb, "\n".join(section) + "\n") == CitationSettings(), path


def test_durations_read_as_elsewhere(kb: KnowledgeBaseFactory) -> None:
    settings = settings_of(kb, "citations:\n  cache_max_age: 30d\n  deadline: 90\n")
    assert settings.cache_max_age == 30 * DAY and settings.deadline == 90.0


def test_the_environment_sets_the_endpoint_and_the_key(kb: KnowledgeBaseFactory) -> None:
    settings = settings_of(kb, "", {URL_ENV: "http://127.0.0.1:8000/graph/v1/", KEY_ENV: "k-1"})
    assert settings.url == "http://127.0.0.1:8000/graph/v1" and settings.api_key == "k-1"
    assert settings_of(kb, "", {KEY_ENV: ""}).api_key is None  # an unset secret in CI
    assert settings_of(kb, "").url == DEFAULT_URL


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("citations:\n  batch_size: 501\n", 2, "citations.batch_size: must be from 1 to 500"),
        ("citations:\n  missing_min: 1\n", 2, "missing_min: must be from 2 to 1000, not 1"),
        ("citations:\n  deadline: soon\n", 2, "citations.deadline: must be a duration"),
        ("citations:\n  cache_max_age: 2d\n  timeout: 0s\n", 3, "timeout: must be longer"),
        ("\ncitations:\n  api_key: x\n", 3, "citations.api_key: unknown setting (known:"),
        ("citations: [a]\n", 1, "section 'citations' must be a mapping"),
    ],
)
def test_bad_settings_are_errors_at_their_line(
    kb: KnowledgeBaseFactory, text: str, line: int, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(kb, text)
    assert caught.value.line == line and fragment in str(caught.value)


def test_a_bad_endpoint_or_key_is_named_and_the_key_never_shown(kb: KnowledgeBaseFactory) -> None:
    with pytest.raises(InputError, match="KBTOOL_S2_URL='file:///etc' is not an http"):
        settings_of(kb, "", {URL_ENV: "file:///etc"})
    secret = "my secret key\nwith a line"
    with pytest.raises(InputError) as caught:
        settings_of(kb, "", {KEY_ENV: secret})
    assert "SEMANTIC_SCHOLAR_API_KEY is not an API key" in str(caught.value)
    assert "secret" not in str(caught.value)
