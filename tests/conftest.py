"""Shared fixtures: real knowledge bases in tmp_path, the CLI runner, local servers, the clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from playwright.sync_api import Browser, Page, sync_playwright

from kbtool.arxiv.client import ArxivClient
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.settings import URL_ENV, ArxivSettings
from kbtool.citations.settings import KEY_ENV
from kbtool.citations.settings import URL_ENV as S2_URL_ENV
from kbtool.citations.update import CitationSession
from kbtool.config import Layout, load_settings
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeClient, MakeLookup
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Watch, watched_page
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, run_cli
from tests.support.s2_server import FakeSemanticScholar, MakeCitationSession
from tests.support.seeds import ImportedSeeds, import_seeds

# The suite draws the same examples on every run, so CI passes or fails on the code alone;
# `pytest --hypothesis-profile=explore --hypothesis-seed=N` draws new ones to look for more.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")

#: Nothing listens here: Semantic Scholar "unreachable" unless a test serves a stand-in.
UNREACHABLE_S2 = "http://127.0.0.1:9/graph/v1"


@pytest.fixture(autouse=True)
def _semantic_scholar_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the real Semantic Scholar, nor sees the developer's API key."""
    monkeypatch.setenv(S2_URL_ENV, UNREACHABLE_S2)
    monkeypatch.delenv(KEY_ENV, raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick",
        action="store_true",
        help="fewer trials in the stress tests (make check); the default is the full run "
        "(make test, CI)",
    )


@pytest.fixture
def quick(request: pytest.FixtureRequest) -> bool:
    """True under ``--quick``: a stress test may then run fewer trials."""
    return bool(request.config.getoption("--quick"))


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBaseFactory:
    return KnowledgeBaseFactory(tmp_path / "kb")


@pytest.fixture
def run_kbtool(kb: KnowledgeBaseFactory) -> RunKbtool:
    """Run the real CLI on the fixture knowledge base; returns click's Result."""

    def run(*args: str, root: Path | None = None, input: str | None = None) -> object:
        return run_cli(root or kb.root, *args, input=input)

    return run


@pytest.fixture(scope="session")
def imported_seeds(tmp_path_factory: pytest.TempPathFactory) -> ImportedSeeds:
    """The five seeds imported once per run (slow: the encoding repair); read-only.

    Copy ``root`` before changing anything in it.
    """
    return import_seeds(tmp_path_factory.mktemp("seeds") / "kb")


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """A real arXiv API server on 127.0.0.1 replaying recorded responses (tests/data/arxiv/)."""
    server = FakeArxiv().start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> ManualClock:
    """The injected clock: waits are recorded, never slept."""
    return ManualClock()


@pytest.fixture
def arxiv_url(fake_arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every kbtool in this test (CLI and subprocesses) at the local server."""
    monkeypatch.setenv(URL_ENV, fake_arxiv.url)
    return fake_arxiv.url


@pytest.fixture
def make_client(fake_arxiv: FakeArxiv, clock: ManualClock) -> MakeClient:
    """A real client on the local server with the manual clock; settings as keywords."""

    def make(**settings: object) -> ArxivClient:
        values: dict[str, object] = {"url": fake_arxiv.url, "timeout": 0.5}
        values.update(settings)
        return ArxivClient(ArxivSettings(**values), clock, random.Random(7))  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_lookup(kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, clock: ManualClock) -> MakeLookup:
    """The knowledge base's own lookup (its kbtool.yml and cache) with the manual clock."""

    def make(persist: bool = True) -> ArxivLookup:
        layout = Layout(kb.root)
        return ArxivLookup.open(
            layout,
            load_settings(layout),
            clock=clock,
            environ={URL_ENV: fake_arxiv.url},
            rng=random.Random(7),
            persist=persist,
        )

    return make


@pytest.fixture
def fake_s2(clock: ManualClock) -> Iterator[FakeSemanticScholar]:
    """A real Semantic Scholar API server on 127.0.0.1 (tests/data/s2/)."""
    server = FakeSemanticScholar().start()
    server.clock = clock
    yield server
    server.stop()


@pytest.fixture
def s2_url(fake_s2: FakeSemanticScholar, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every kbtool in this test (CLI and subprocesses) at the local stand-in."""
    monkeypatch.setenv(S2_URL_ENV, fake_s2.url)
    return fake_s2.url


@pytest.fixture
def make_session(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, clock: ManualClock
) -> MakeCitationSession:
    """The knowledge base's own citation session (kbtool.yml, cache) on the manual clock."""

    def make(persist: bool = True, key: str | None = None) -> CitationSession:
        layout = Layout(kb.root)
        environ = {S2_URL_ENV: fake_s2.url} | ({KEY_ENV: key} if key else {})
        return CitationSession.open(
            layout,
            load_settings(layout),
            clock=clock,
            environ=environ,
            rng=random.Random(7),
            persist=persist,
        )

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium, launched once for the session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-chromium (browser tests never skip)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A fresh page whose requests, console errors and dialogs are recorded and checked."""
    with watched_page(browser) as (page, watch):
        yield page, watch
