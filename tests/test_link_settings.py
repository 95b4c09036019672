"""The ``links:`` section of kbtool.yml: defaults, values, and errors at their line."""

from __future__ import annotations

import pytest

from kbtool.config import Layout, load_settings
from kbtool.errors import ConfigError
from kbtool.links.settings import DEFAULT_BOT_BLOCKING_HOSTS, LinkSettings, link_settings
from tests.support.kb import REPO_ROOT, SETTINGS_TEMPLATE, KnowledgeBaseFactory


def settings_of(kb: KnowledgeBaseFactory, text: str) -> LinkSettings:
    kb.write("kbtool.yml", text)
    return link_settings(load_settings(Layout(kb.root)))


def test_absent_section_means_defaults(kb: KnowledgeBaseFactory) -> None:
    assert settings_of(kb, "# nothing\n") == LinkSettings()


def test_values_are_read(kb: KnowledgeBaseFactory) -> None:
    settings = settings_of(
        kb,
        """\
arxiv:
  batch_size: 50
links:
  exclude: ['^https://localhost', 'example\\.org/private/']
  accept: [999, "520-522"]
  bot_blocking_hosts: [Sciencedirect.com]
  expiring_hosts: [files.example.org]
  concurrency: 8
  per_host: 2
  host_interval: 0.5
  timeout: 30s
  run_timeout: 10m
  retries: 0
  max_redirects: 3
  max_retry_after: 2m
  cache_max_age: 12h
""",
    )
    assert [p.pattern for p in settings.exclude] == ["^https://localhost", r"example\.org/private/"]
    assert settings.accept == frozenset({999, 520, 521, 522})
    assert settings.bot_blocking_hosts == (*DEFAULT_BOT_BLOCKING_HOSTS, "sciencedirect.com")
    assert settings.expiring_hosts[-1] == "files.example.org"
    assert (settings.concurrency, settings.per_host, settings.host_interval) == (8, 2, 0.5)
    assert (settings.timeout, settings.run_timeout, settings.max_retry_after) == (30, 600, 120)
    assert (settings.retries, settings.max_redirects) == (0, 3)
    assert settings.cache_max_age == 12 * 3600


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("  concurrency: 0\n", 3, "links.concurrency: must be at least 1"),
        ("  per_host: two\n", 3, "links.per_host: must be a whole number"),
        ("  retries: 1.5\n", 3, "links.retries: must be a whole number"),
        ("  timeout: soon\n", 3, "links.timeout: must be a duration"),
        ("  cache_max_age: 0d\n", 3, "links.cache_max_age: must be longer than zero"),
        ("  exclude: ['(unclosed']\n", 3, "links.exclude: '(unclosed' is not a regular expression"),
        ("  accept: [200, teapot]\n", 3, "links.accept: 'teapot' is not an HTTP status"),
        ("  accept: ['600-500']\n", 3, "links.accept: '600-500' is not an HTTP status"),
        ("  bot_blocking_hosts: ['https://x.com/']\n", 3, "is not a host name"),
        ("  exclude: 3\n", 3, "links.exclude: must be a list of non-empty strings"),
        ("  concurency: 3\n", 3, "links.concurency: unknown setting"),
    ],
)
def test_bad_values_name_file_and_line(
    kb: KnowledgeBaseFactory, body: str, line: int, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(kb, "# settings\nlinks:\n" + body)
    assert caught.value.line == line
    assert caught.value.path is not None and caught.value.path.name == "kbtool.yml"
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{caught.value.path}:{line}: ")


def test_section_that_is_not_a_mapping(kb: KnowledgeBaseFactory) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(kb, "\nlinks: [a, b]\n")
    assert caught.value.line == 2


def test_the_documented_defaults_are_the_defaults(kb: KnowledgeBaseFactory) -> None:
    """The commented-out ``links:`` section of the kbtool.yml template, switched on."""
    template = SETTINGS_TEMPLATE.read_text(encoding="utf-8")
    lines = template.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("# links:")))
    section = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        section.append(line[2:])
    assert len(section) > 10
    assert settings_of(kb, "\n".join(section) + "\n") == LinkSettings()
    assert (
        (REPO_ROOT / "kbtool.yml")
        .read_text(encoding="utf-8")
        .endswith("\n".join(lines[start:]) + "\n")
    )
