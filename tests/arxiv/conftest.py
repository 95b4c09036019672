"""Fixtures for the arXiv features: a real local arXiv API server and an injected clock."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from kbtool.arxiv.client import URL_ENV, ArxivClient, ArxivSettings
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.config import Layout, load_settings
from kbtool.util.clock import ManualClock
from tests.arxiv.server import FakeArxiv
from tests.conftest import KnowledgeBaseFactory


@pytest.fixture
def arxiv_url(fake_arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every kbtool in this test (CLI and subprocesses) at the local server."""
    monkeypatch.setenv(URL_ENV, fake_arxiv.url)
    return fake_arxiv.url


MakeClient = Callable[..., ArxivClient]


@pytest.fixture
def make_client(fake_arxiv: FakeArxiv, clock: ManualClock) -> MakeClient:
    """A real client on the local server with the manual clock; settings as keywords."""

    def make(**settings: object) -> ArxivClient:
        values: dict[str, object] = {"url": fake_arxiv.url, "timeout": 0.5}
        values.update(settings)
        return ArxivClient(ArxivSettings(**values), clock, random.Random(7))  # type: ignore[arg-type]

    return make


MakeLookup = Callable[..., ArxivLookup]


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
