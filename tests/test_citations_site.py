"""The citation pages, rendered without MkDocs: the map's data, its list of citations, the
missing papers' cards; every title data, never markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtool.citations.graph import build_citation_graph, load_citation_graph
from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.site.pages import citation_map, inbox
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, render_site
from tests.support.citation_kb import write_citation_kb
from tests.support.site import XSS_TITLE, fixture_citations, fixture_kb, fixture_site


def test_the_map_data_holds_every_paper_and_citation_as_json_strings() -> None:
    data = json.loads(fixture_site(citations=True).pages["citation-map.json"])
    assert data["v"] == 1
    assert [t[0] for t in data["topics"]] == [
        "video-diffusion",
        "image-to-video",
        "rlhf",
        "xss-topic",
    ]
    papers = {p[1]: p for p in data["papers"]}
    t2v = papers["papers/2410.05677-t2v-turbo-v2/"]
    assert t2v[2] == 20003 and t2v[3] == "read" and t2v[4] == [1]  # 2024-10-07, image-to-video
    assert papers["papers/xss-title/"][0] == XSS_TITLE  # a string; the script never parses it
    urls = [p[1] for p in data["papers"]]
    edges = list(zip(data["edges"][::2], data["edges"][1::2], strict=True))
    assert sorted((urls[a], urls[b]) for a, b in edges) == [
        ("papers/2410.05677-t2v-turbo-v2/", "papers/2305.18290-dpo/"),
        ("papers/2410.05677-t2v-turbo-v2/", "papers/2310.12190-dynamicrafter/"),
        ("papers/2410.05677-t2v-turbo-v2/", "papers/2311.15127-stable-video-diffusion/"),
    ]


def test_without_citations_the_maps_say_how_to_get_them() -> None:
    page = fixture_site().pages["map.md"]
    assert "0 citations between them" in page
    assert "`kbtool enrich` asks Semantic Scholar" in page
    assert '<figure class="kb-map"' in page  # the papers are still placed by date and topic


def test_many_citations_are_listed_on_a_page_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citation_map, "LIST_INLINE_MAX", 20)
    root = tmp_path / "kb"
    write_citation_kb(root, papers=40, citations=60)
    kb = load_knowledge_base(Layout(root))
    pages = render_site(kb, SitePaths(), SiteOptions(), (), load_citation_graph(kb)).pages
    assert "[a page of their own](map/citations.md)" in pages["map.md"]
    assert '<ul class="kb-map-list">' not in pages["map.md"]
    listing = pages["map/citations.md"]
    assert listing.count("<li>") > 20 and "Back to [the map](../map.md)" in listing
    assert "&lt;img src=x onerror" in listing and "<img src=x" not in listing


def test_a_missing_paper_links_ten_citing_notes_and_counts_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox, "CITING_SHOWN", 2)
    kb = fixture_kb()
    graph = build_citation_graph(kb.notes, fixture_citations())
    site = render_site(kb, SitePaths(), SiteOptions(), (), graph)
    card = site.pages["inbox.md"].split('id="cited-arxiv-2307-04725"', 1)[1].split("</div>")[0]
    assert card.count('<a href="../papers/') == 2 and " and 1 more</dd>" in card
