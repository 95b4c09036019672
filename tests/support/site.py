"""The fixture knowledge base of the site tests, and helpers to build its site."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.request import urlopen

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


class ServedSite:
    """``kbtool serve`` on a knowledge base, in a subprocess, on a free port of 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.root = root
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "kbtool", "--root", str(root), "serve", "-a"]
        self.process = subprocess.Popen(
            [*command, f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def fetch(self, path: str) -> str:
        with urlopen(self.url + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def wait_for(self, path: str, text: str, seconds: float = 60) -> str:
        """Poll ``path`` until it shows ``text``; the deadline only bounds a failure."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("serve stopped:\n" + "".join(self.stderr[-40:]))
            try:
                page = self.fetch(path)
                if text in page:
                    return page
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{path} never showed {text!r}:\n" + "".join(self.stderr[-40:]))

    def wait_for_log(self, text: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [line for line in self.stderr if text in line]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"serve never logged {text!r}:\n" + "".join(self.stderr[-40:]))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
