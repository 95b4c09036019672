"""``kbtool links`` through the real CLI, on a knowledge base linking to a local server."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from kbtool.config import Layout
from kbtool.links.job import LinkJobOptions, check_links
from kbtool.links.report import render_table
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, note_text
from tests.support.link_server import LinkTestServer, running

SETTINGS = """\
links:
  host_interval: 0
  timeout: 2
  retries: 0
  exclude: ['/excluded/']
"""


@pytest.fixture
def server() -> Iterator[LinkTestServer]:
    with running(LinkTestServer()) as srv:
        yield srv


@pytest.fixture
def linked_kb(kb: KnowledgeBaseFactory, server: LinkTestServer) -> KnowledgeBaseFactory:
    kb.write("kbtool.yml", SETTINGS)
    body = (
        f"Good: [ok]({server.url('/ok')}).\n"
        f"Moved: {server.url('/redirect/2/m')}\n"
        f"Gone: [gone]({server.url('/status/410')})\n"
        f"Image: ![img](https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png)\n"
        f"Skipped: {server.url('/excluded/x')}\n"
        f"Marked: {server.url('/status/404')} <!-- kbtool: no-check -->\n"
    )
    kb.write_note(
        "2410.05677-paper.md",
        note_text(body, title="Paper", topics="[rlhf]", code=server.url("/no-head")),
    )
    return kb


def run_json(run_kbtool: RunKbtool, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_kbtool("links", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def by_url(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {link["url"]: link for link in data["links"]}


def test_text_output_and_exit_status(
    linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    result = run_kbtool("links")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    gone = server.url("/status/410")
    assert lines[0] == f"notes/2410.05677-paper.md:9: broken {gone}: HTTP 410"
    assert any(
        line.startswith("notes/2410.05677-paper.md:8: redirected ")
        and line.endswith(f"moved permanently: use {server.url('/redirect/0/m')}")
        for line in lines
    )
    assert any(": expired https://prod-files-secure" in line for line in lines)
    assert not any(" ok " in line for line in lines)
    assert "5 distinct links: 1 broken, 1 redirected, 0 unverified, 1 expired, 2 ok" in (
        result.stderr
    )
    assert "2 excluded" in result.stderr
    # --all lists the ok ones too.
    assert " ok " in run_kbtool("links", "--all").stdout


def test_json_output(
    linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    code, data = run_json(run_kbtool, "--no-cache")
    assert code == 1
    links = by_url(data)
    assert links[server.url("/no-head")]["status"] == "ok"
    assert links[server.url("/no-head")]["line"] == 4
    assert links[server.url("/redirect/2/m")]["target"] == server.url("/redirect/0/m")
    assert links[server.url("/status/410")]["http_status"] == 410
    assert server.url("/excluded/x") not in links
    assert server.url("/status/404") not in links
    assert data["summary"]["broken"] == 1
    assert data["summary"]["excluded"] == 1 and data["summary"]["marked_no_check"] == 1
    assert not (linked_kb.root / ".kbtool-cache").exists()


def test_github_annotations(
    linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    result = run_kbtool("links", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=notes/2410.05677-paper.md,line=9,title=broken link::"
        f"{server.url('/status/410')}: HTTP 410"
    )
    assert lines[1].startswith("::warning file=notes/2410.05677-paper.md,line=8,title=redirected")
    assert len(lines) == 3
    strict = run_kbtool("links", "--format", "github", "--strict").stdout.splitlines()
    assert all(line.startswith("::error ") for line in strict)


def test_only_broken_fails_unless_strict(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    kb.write_note(
        "a.md",
        note_text(
            f"{server.url('/ok')}\n{server.url('/redirect/1/s')}\n"
            "![x](https://prod-files-secure.s3.us-west-2.amazonaws.com/x/y/image.png)\n",
            title="A",
            topics="[rlhf]",
        ),
    )
    assert run_kbtool("links").exit_code == 0
    assert run_kbtool("links", "--strict").exit_code == 1


def test_warm_rerun_makes_at_most_a_tenth_of_the_requests(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    body = "".join(f"- {server.url(f'/slow/1/{i}')}\n" for i in range(20))
    body += f"- {server.url('/status/404')}\n"
    kb.write_note("a.md", note_text(body, title="A", topics="[rlhf]"))
    code, cold = run_json(run_kbtool)
    assert code == 1
    assert (kb.root / ".kbtool-cache" / "links.json").is_file()
    code, warm = run_json(run_kbtool)
    assert code == 1  # the broken link was checked again, not cached
    assert cold["summary"]["requests"] == 21
    assert warm["summary"]["requests"] <= cold["summary"]["requests"] / 10
    assert warm["summary"]["requests"] == 1
    assert warm["summary"]["cached"] == 20
    assert by_url(warm)[server.url("/slow/1/0")]["cached"] is True
    assert server.requests[("HEAD", "/status/404")] == 2


def git(root: Any, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_changed_since_checks_only_changed_lines(
    linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    root = linked_kb.root
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=T", "add", ".")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qm", "notes")
    note = root / "notes" / "2410.05677-paper.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text + f"New: {server.url('/status/404')}\n", encoding="utf-8")
    code, data = run_json(run_kbtool, "--changed-since", "main")
    assert code == 1
    assert [link["url"] for link in data["links"]] == [server.url("/status/404")]
    assert data["summary"]["changed_since"] == "main"
    assert server.requests[("HEAD", "/status/410")] == 0


def test_changed_since_errors(linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    result = run_kbtool("links", "--changed-since", "main")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
    git(linked_kb.root, "init", "-q")
    result = run_kbtool("links", "--changed-since", "nope")
    assert result.exit_code == 2
    assert "kbtool: error: --changed-since: 'nope' is not a commit" in result.stderr


def test_bad_settings_exit_4_with_file_and_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("kbtool.yml", "links:\n  timeout: 10\n  per_host: -1\n")
    result = run_kbtool("links")
    assert result.exit_code == 4
    assert result.stderr.strip().endswith(
        "kbtool.yml:3: links.per_host: must be at least 1, not -1"
    )
    assert "Traceback" not in result.stderr


def test_no_links(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", note_text("No links here.\n", title="A", topics="[rlhf]"))
    result = run_kbtool("links")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 distinct links" in result.stderr


def test_table_for_terminals(
    linked_kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    report = check_links(Layout(linked_kb.root), LinkJobOptions(use_cache=False))
    out = io.StringIO()
    Console(file=out, width=300).print(render_table(report))
    rows = [line for line in out.getvalue().splitlines() if "notes/" in line]
    assert [row.split()[1] for row in rows] == ["broken", "redirected", "expired"]
    assert "notes/2410.05677-paper.md:9" in rows[0]
    assert f"use {server.url('/redirect/0/m')}" in rows[1]
    out = io.StringIO()
    Console(file=out, width=300).print(render_table(report, show_ok=True))
    assert sum("notes/" in line for line in out.getvalue().splitlines()) == 5
