"""Shared fixtures: real knowledge bases in tmp_path, the CLI runner, local servers, the clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kbtool.arxiv.client import URL_ENV, ArxivClient, ArxivSettings
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.config import Layout, load_settings
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeClient, MakeLookup
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Watch
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, run_cli


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBaseFactory:
    return KnowledgeBaseFactory(tmp_path / "kb")


@pytest.fixture
def run_kbtool(kb: KnowledgeBaseFactory) -> RunKbtool:
    """Run the real CLI on the fixture knowledge base; returns click's Result."""

    def run(*args: str, root: Path | None = None, input: str | None = None) -> object:
        return run_cli(root or kb.root, *args, input=input)

    return run


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
    context = browser.new_context()
    # Anything not on 127.0.0.1 is refused outright, and recorded by the listener.
    context.route(
        lambda url: urlsplit(url).hostname not in ("127.0.0.1", None),
        lambda route: route.abort(),
    )
    page = context.new_page()
    watch = Watch()
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("dialog", watch.on_dialog)
    yield page, watch
    context.close()
    assert watch.foreign_requests() == [], "requests left 127.0.0.1"
    assert watch.errors == [], "console errors"
    assert watch.dialogs == [], "a dialog opened: markup in data ran as script"
    assert watch.requests, "the page made no request at all: the watch is broken"
