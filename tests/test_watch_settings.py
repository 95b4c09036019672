"""The ``watch:`` section of kbtool.yml: the digest's defaults, values, and errors at their line."""

from __future__ import annotations

import re

import pytest

from kbtool.config import DAY, Layout, load_settings
from kbtool.errors import ConfigError
from kbtool.watch.scoring import Keyword
from kbtool.watch.settings import WatchSettings, load_watch_settings
from tests.support.kb import DATA_DIR, REPO_ROOT, SETTINGS_TEMPLATE, KnowledgeBaseFactory


def settings_of(kb: KnowledgeBaseFactory, text: str) -> WatchSettings:
    kb.write("kbtool.yml", text)
    return load_watch_settings(load_settings(Layout(kb.root)))


def test_the_defaults_are_the_researchers_digest() -> None:
    """Categories and keywords as the digest (seed 004) lists them, in its order."""
    digest = (DATA_DIR / "seeds" / "004_02f32a247155a116.txt").read_text(encoding="utf-8")
    categories = re.search(r"\*\*Categories Monitored\*\*: (.+)", digest)
    keywords = re.search(r"following keywords:\n- (.+)", digest)
    assert categories and keywords
    defaults = WatchSettings()
    assert defaults.categories == tuple(categories[1].strip().split(", "))
    assert [k.text for k in defaults.keywords] == keywords[1].strip().split(", ")
    assert all(k.weight == 1.0 for k in defaults.keywords)
    assert len(defaults.keywords) == 30
    # The digest showed 30 papers; its set-up text names these exclude keywords.
    assert defaults.max_papers == 30
    assert defaults.exclude_keywords == ("survey", "review", "tutorial")
    assert '"survey", "review", "tutorial"' in digest


def test_an_absent_section_means_the_defaults(kb: KnowledgeBaseFactory) -> None:
    assert settings_of(kb, "arxiv:\n  retries: 1\n") == WatchSettings()


def test_the_documented_defaults_are_the_defaults(kb: KnowledgeBaseFactory) -> None:
    """The commented-out ``watch:`` section of both kbtool.yml files, switched on."""
    for path in (
        SETTINGS_TEMPLATE,
        REPO_ROOT / "kbtool.yml",
    ):
        lines = path.read_text(encoding="utf-8").splitlines()
        start = lines.index(next(line for line in lines if line.startswith("# watch:")))
        section = []
        for line in lines[start:]:
            if not line.startswith("#  ") and section:
                break
            section.append(line[2:])
        assert len(section) > 10
        assert settings_of(kb, "\n".join(section) + "\n") == WatchSettings(), path


def test_values_keyword_forms_and_weights(kb: KnowledgeBaseFactory) -> None:
    settings = settings_of(
        kb,
        "watch:\n"
        "  categories: [cs.CV, stat.ML, hep-th, cond-mat.stat-mech]\n"
        "  keywords:\n"
        "    - video diffusion\n"
        "    - RLHF: 2\n"
        "    - Mixture-of-Experts: 0.5\n"
        "  exclude_keywords: survey\n"
        "  title_weight: 2\n"
        "  min_score: 1\n"
        "  max_papers: 5\n"
        "  window: 3d\n"
        "  keep_for: 3d\n"
        "  page_size: 50\n"
        "  max_scanned: 500\n",
    )
    assert settings == WatchSettings(
        categories=("cs.CV", "stat.ML", "hep-th", "cond-mat.stat-mech"),
        keywords=(
            Keyword("video diffusion"),
            Keyword("RLHF", 2.0),
            Keyword("Mixture-of-Experts", 0.5),
        ),
        exclude_keywords=("survey",),
        title_weight=2.0,
        min_score=1.0,
        max_papers=5,
        window=3 * DAY,
        keep_for=3 * DAY,
        page_size=50,
        max_scanned=500,
    )
    as_mapping = settings_of(kb, "watch:\n  keywords: {LLM: 1, RLHF: 3}\n  exclude_keywords: []\n")
    assert as_mapping.keywords == (Keyword("LLM"), Keyword("RLHF", 3.0))
    assert as_mapping.exclude_keywords == ()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("watch:\n  categories: [cs.LG, 'cs.AI OR all:x']\n", 2, "is not an arXiv category"),
        ("watch:\n  categories: []\n", 2, "non-empty list"),
        ("watch:\n\n  keywords: [LLM, '  ']\n", 3, "is not a keyword"),
        ("watch:\n  keywords: [LLM, llm]\n", 2, "listed twice"),
        ("watch:\n  keywords: [mixture of experts, Mixture-of-Experts]\n", 2, "listed twice"),
        ("watch:\n  keywords:\n    - RLHF: heavy\n", 2, "weight must be a number"),
        ("watch:\n  keywords:\n    - RLHF: 0\n", 2, "weight must be from 0 to 100"),
        (
            "watch:\n  keywords: {a: 1, b: 2}\n  exclude_keywords: [---]\n",
            3,
            "no letters or digits",
        ),
        ("watch:\n  keywords: LLM\n", 2, "must be a list of keywords"),
        ("watch:\n  title_weight: 0.5\n", 2, "from 1 to 100"),
        ("watch:\n  min_score: high\n", 2, "must be a number"),
        ("watch:\n  max_papers: 2.5\n", 2, "whole number"),
        ("watch:\n  window: 0d\n", 2, "longer than zero"),
        ("watch:\n  window: 36h\n", 2, "a whole number of days, such as 7d, not 36h"),
        ("watch:\n  days_back: 0\n", 2, "watch.days_back: must be from 1d to 365d"),
        ("watch:\n  page_size: 5000\n", 2, "from 1 to 2000"),
        ("watch:\n  max_scanned: true\n", 2, "whole number"),
        ("watch:\n  window: 30d\n  keep_for: 14d\n", 3, "at least the window (30d), not 14d"),
        ("watch:\n  days_back: 30\n  keep_days: 14\n", 3, "at least the window (30d), not 14d"),
        ("watch:\n  days_back: 3\n  window: 3d\n", 2, "the old name of window: give one"),
        ("watch:\n  keyword: [LLM]\n", 2, "unknown setting (known: categories,"),
        ("arxiv: {}\nwatch: [LLM]\n", 2, "must be a mapping"),
    ],
)
def test_bad_values_are_config_errors_at_their_line(
    kb: KnowledgeBaseFactory, text: str, line: int, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_of(kb, text)
    assert fragment in caught.value.message
    assert caught.value.line == line and caught.value.exit_code == 4
    assert caught.value.path is not None and caught.value.path.name == "kbtool.yml"


def test_old_day_counts_still_work_with_a_warning_saying_what_to_write(
    kb: KnowledgeBaseFactory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_of(kb, "watch:\n  days_back: 3\n  keep_days: 10\n")
    assert (settings.window, settings.keep_for) == (3 * DAY, 10 * DAY)
    assert (settings.window_days, settings.keep_days) == (3, 10)
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.endswith("kbtool.yml:2: watch.days_back is the old name of window: write `window: 3d`")
        for m in messages
    ), messages
    assert any(
        "watch.keep_days is the old name of keep_for: write `keep_for: 10d`" in m for m in messages
    )
