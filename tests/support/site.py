"""The fixture knowledge base of the site tests, and helpers to build its site."""

from __future__ import annotations

import shutil
from pathlib import Path

from kbtool.citations.graph import build_citation_graph
from kbtool.citations.store import CitationData, parse_citation_data
from kbtool.config import Layout
from kbtool.core.knowledge_base import KnowledgeBase, load_knowledge_base
from kbtool.scaffold import render_template
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, SitePages, render_site
from kbtool.watch.inbox import InboxEntry, load_inbox

SITE_DATA = Path(__file__).resolve().parent.parent / "data" / "site"
FIXTURE_KB = SITE_DATA / "kb"
GOLDEN_DIR = SITE_DATA / "golden"
#: citations.json for the fixture (papers citing each other, missing papers, markup in a title).
CITATIONS = SITE_DATA / "citations.json"
SITE_NAME = "Fixture notes"

T2V = "papers/2410.05677-t2v-turbo-v2.md"
SVD = "papers/2311.15127-stable-video-diffusion.md"
DYNAMICRAFTER = "papers/2310.12190-dynamicrafter.md"
DPO = "papers/2305.18290-dpo.md"
XSS = "papers/xss-title.md"
XSS_TITLE = "<img src=x onerror=alert(1)> a < b & c | d"
INBOX_SCRIPT_TITLE = "<script>alert('inbox')</script> Sparse Attention & <b>LLMs</b>"


def fixture_kb() -> KnowledgeBase:
    return load_knowledge_base(Layout(FIXTURE_KB))


def fixture_inbox() -> list[InboxEntry]:
    """The fixture's inbox.yml: a paper with a note (never shown), a script title, a plain one."""
    return load_inbox(Layout(FIXTURE_KB))


def fixture_site(cli: bool = False, citations: bool = False) -> SitePages:
    """The fixture's pages, with its citation data when ``citations``."""
    from kbtool.cli import main

    options = SiteOptions(site_name=SITE_NAME, cli=main if cli else None)
    kb = fixture_kb()
    graph = build_citation_graph(kb.notes, fixture_citations()) if citations else None
    return render_site(kb, SitePaths(), options, fixture_inbox(), graph)


def fixture_citations() -> CitationData:
    return parse_citation_data(CITATIONS.read_text(encoding="utf-8"), CITATIONS.name)


def copy_fixture(target: Path, citations: bool = False) -> Path:
    """The fixture knowledge base in ``target``, with the mkdocs.yml ``kbtool init`` writes
    (and its citations.json when ``citations``)."""
    shutil.copytree(FIXTURE_KB, target)
    if citations:
        shutil.copyfile(CITATIONS, target / "citations.json")
    (target / "mkdocs.yml").write_text(render_template("mkdocs.yml", SITE_NAME), encoding="utf-8")
    return target
