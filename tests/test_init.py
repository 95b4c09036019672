"""``kbtool init``: a new knowledge base that checks and builds clean at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtool.cli import main


def test_init_creates_a_knowledge_base_that_checks_and_builds(tmp_path: Path) -> None:
    target = tmp_path / "my-notes"
    result = CliRunner().invoke(main, ["init", str(target), "--site-name", "My <notes> & more"])
    assert result.exit_code == 0, result.output
    for relative in (
        "mkdocs.yml",
        "kbtool.yml",
        "topics.yml",
        "requirements.txt",
        ".gitignore",
        ".github/workflows/ci.yml",
        ".github/workflows/pages.yml",
        ".github/workflows/links.yml",
        ".github/workflows/enrich.yml",
        ".github/workflows/watch.yml",
        "docs/about.md",
        "notes/.gitkeep",
    ):
        assert (target / relative).is_file(), relative
    assert 'site_name: "My <notes> & more"' in (target / "mkdocs.yml").read_text()

    check = CliRunner().invoke(main, ["--root", str(target), "check"])
    assert check.exit_code == 0, check.output

    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=target,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert build.returncode == 0, build.stderr
    assert (site / "index.html").is_file() or (site / "about" / "index.html").is_file()
    assert (site / "note-format" / "index.html").is_file()
    assert not list((target / "docs").rglob("*.html")), "nothing generated into docs/"


def test_init_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "kb"
    target.mkdir()
    (target / "mkdocs.yml").write_text("mine\n")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 4
    assert "refusing to overwrite" in result.stderr
    assert (target / "mkdocs.yml").read_text() == "mine\n"
    assert not (target / "topics.yml").exists()


@pytest.mark.parametrize("workflow", ["pages.yml", "links.yml", "enrich.yml", "watch.yml"])
def test_init_workflows_match_the_repository_ones(workflow: str) -> None:
    from kbtool.scaffold import render_template
    from tests.support.kb import REPO_ROOT

    ours = (REPO_ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8")
    expected = ours.replace("run: pip install -e .", "run: pip install -r requirements.txt")
    assert render_template(workflow, "x") == expected
    assert "pip install -r requirements.txt" in expected


def test_repository_mkdocs_config_matches_the_init_template() -> None:
    from kbtool.scaffold import render_template
    from tests.support.kb import REPO_ROOT

    ours = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert ours == render_template("mkdocs.yml", "Research notes")
