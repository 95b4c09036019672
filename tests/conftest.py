"""Shared fixtures: real knowledge bases in tmp_path, and the CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbtool.cli import main
from kbtool.scaffold import init_knowledge_base
from kbtool.util.clock import ManualClock
from tests.arxiv.server import FakeArxiv

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
REPO_ROOT = TESTS_DIR.parent

TEST_TOPICS = """\
video-diffusion:
  title: Video diffusion
  description: Generating video.
image-to-video:
  title: Image-to-video
  parent: video-diffusion
rlhf:
  title: RLHF
"""


def note_text(body: str = "Some notes.\n", **fields: str) -> str:
    """A note's text from frontmatter lines given as key=YAML-value pairs."""
    lines = ["---"] + [f"{key}: {value}" for key, value in fields.items()] + ["---", "", body]
    return "\n".join(lines)


class KnowledgeBaseFactory:
    """Builds a real knowledge base on disk (via ``kbtool init``) and writes notes into it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        init_knowledge_base(root, "Test notes")
        (root / "topics.yml").write_text(TEST_TOPICS, encoding="utf-8")

    def write_note(self, name: str, text: str | bytes) -> Path:
        path = self.root / "notes" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBaseFactory:
    return KnowledgeBaseFactory(tmp_path / "kb")


RunKbtool = Callable[..., Result]


@pytest.fixture
def run_kbtool(kb: KnowledgeBaseFactory) -> RunKbtool:
    """Run the real CLI on the fixture knowledge base; returns click's Result."""

    def run(*args: str, root: Path | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main, ["--root", str(root or kb.root), *args], input=input, catch_exceptions=False
        )

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
