"""A real knowledge base on disk for tests, and the real CLI run on it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from kbtool.cli import main
from kbtool.scaffold import init_knowledge_base

TESTS_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = TESTS_DIR / "data"
REPO_ROOT = TESTS_DIR.parent
#: The kbtool.yml that `kbtool init` writes, with every setting documented.
SETTINGS_TEMPLATE = REPO_ROOT / "kbtool" / "scaffold" / "templates" / "kbtool.yml"

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

RunKbtool = Callable[..., Result]


def run_cli(root: Path, *args: str, input: str | None = None) -> Result:
    """The real CLI on the knowledge base at ``root``; returns click's Result."""
    return CliRunner().invoke(
        main, ["--root", str(root), *args], input=input, catch_exceptions=False
    )


def run_process(
    root: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m kbtool`` on ``root`` in its own process, killed after ``timeout`` seconds.

    For what could hang (a named pipe, a dripping server) or must be a separate
    process (two kbtools at once): a hang fails the test instead of stalling the suite.
    """
    return subprocess.run(
        [sys.executable, "-m", "kbtool", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


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
