"""Hostile links: impossible ports, credentials in URLs, redirects from the internet inward.

Against real local servers. A link Python cannot request is broken, in one line;
a password in a link is never sent, printed or cached; a public page cannot steer
the checker to a loopback, link-local or private address.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from kbtool.links.addresses import is_internal, redirect_refusal
from tests.support.kb import REPO_ROOT, KnowledgeBaseFactory, RunKbtool, note_text
from tests.support.link_server import LinkTestServer, running

SETTINGS = "links:\n  host_interval: 0\n  timeout: 2\n  retries: 0\n"


@pytest.fixture
def server() -> Iterator[LinkTestServer]:
    with running(LinkTestServer()) as srv:
        yield srv


def links_json(run_kbtool: RunKbtool) -> tuple[int, dict[str, Any], str]:
    result = run_kbtool("links", "--format", "json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_a_port_out_of_range_is_a_broken_link_in_one_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    kb.write_note("a.md", note_text("See [x](http://example.org:99999/paper).\n", title="A"))
    result = run_kbtool("links")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Task exception" not in result.output
    assert result.stdout.splitlines() == [
        "notes/a.md:5: broken http://example.org:99999/paper: "
        "not a valid URL: Port out of range 0-65535"
    ]
    assert "0 HTTP requests" in result.stderr


def test_a_redirect_to_an_impossible_port_is_broken_not_a_crash(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    link = server.url("/to?u=" + quote("http://127.0.0.1:99999/x", safe=""))
    kb.write_note("a.md", note_text(f"See {link}\n", title="A"))
    code, data, stderr = links_json(run_kbtool)
    assert code == 1 and "Traceback" not in stderr
    (found,) = data["links"]
    assert found["status"] == "broken" and "redirect without a usable Location" in found["reason"]


def test_credentials_in_a_link_are_never_sent_nor_printed(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, server: LinkTestServer
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    secret_link = server.url("/ok").replace("http://", "http://ada:s3cret-Pa55@")
    redirect = server.url("/to?u=" + quote(server.url("/ok").replace("//", "//bob:pw2@"), ""))
    kb.write_note(
        "a.md",
        note_text(f"Dashboard: [it]({secret_link}) and {redirect}\n", title="A", url=secret_link),
    )
    code, data, stderr = links_json(run_kbtool)
    assert code == 0, stderr
    assert server.authorizations == []
    assert {link["status"] for link in data["links"]} == {"ok"}
    # (bob's password is in the redirecting link's query, not its authority: it is data there.)
    shown = [
        json.dumps(data),
        stderr,
        run_kbtool("links", "--all").output,
        run_kbtool("links", "--all", "--format", "github").output,
    ]
    assert not any("s3cret" in text or "ada:" in text for text in shown)
    warnings = [line for line in stderr.splitlines() if line.startswith("kbtool: warning:")]
    assert len(warnings) == 2 and all("user name and password" in w for w in warnings)
    assert warnings[0].startswith("kbtool: warning: notes/a.md:")
    cache = (kb.root / ".kbtool-cache" / "links.json").read_text(encoding="utf-8")
    assert "s3cret" not in cache


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("169.254.169.254", True),  # cloud metadata
        ("127.0.0.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("::ffff:127.0.0.1", True),
        ("fd00::2", True),
        ("8.8.8.8", False),
        ("1.2.3.4", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_which_addresses_are_internal(address: str, internal: bool) -> None:
    assert is_internal(ipaddress.ip_address(address)) is internal


def test_only_a_redirect_from_the_internet_into_a_private_network_is_refused() -> None:
    public, metadata = [ipaddress.ip_address("1.2.3.4")], [ipaddress.ip_address("169.254.169.254")]
    local = [ipaddress.ip_address("127.0.0.1")]
    assert redirect_refusal(public, metadata) == (
        "into a private or local network address (169.254.169.254), not followed"
    )
    assert redirect_refusal(public, local) is not None
    assert redirect_refusal(public, public) is None
    assert redirect_refusal(local, metadata) is None  # the researcher's own local service
    assert redirect_refusal([], metadata) is None  # an origin that does not resolve


# --- a public address, for real: a network namespace of the test's own ---------------------------

DRIVER = textwrap.dedent(
    """
    import json, subprocess, sys
    sys.path.insert(0, sys.argv[1])
    for command in (["ip", "link", "set", "lo", "up"],
                    ["ip", "addr", "add", "1.2.3.4/32", "dev", "lo"],
                    ["ip", "addr", "add", "169.254.169.254/32", "dev", "lo"]):
        subprocess.run(command, check=True)
    from pathlib import Path
    from urllib.parse import quote
    from tests.support.kb import KnowledgeBaseFactory, note_text, run_cli
    from tests.support.link_server import LinkTestServer, running

    with running(LinkTestServer("1.2.3.4")) as public, \\
            running(LinkTestServer("169.254.169.254")) as metadata, \\
            running(LinkTestServer("127.0.0.1")) as local:
        def to(target):
            return public.url("/to?u=" + quote(target, safe=""))
        kb = KnowledgeBaseFactory(Path(sys.argv[2]))
        kb.write("kbtool.yml", "links:\\n  host_interval: 0\\n  timeout: 2\\n  retries: 0\\n")
        body = (
            f"Metadata: {to(metadata.url('/latest/meta-data'))}\\n"
            f"Loopback: {to(local.url('/ok'))}\\n"
            f"Public: {to(public.url('/ok'))}\\n"
            f"Local own: {local.url('/temporary')}\\n"
        )
        kb.write_note("a.md", note_text(body, title="A"))
        result = run_cli(kb.root, "links", "--format", "json")
        print(json.dumps({
            "exit": result.exit_code,
            "report": json.loads(result.stdout),
            "metadata_requests": sum(metadata.requests.values()),
            "local_requests": dict((f"{m} {p}", n) for (m, p), n in local.requests.items()),
            "metadata_url": metadata.url("/latest/meta-data"),
        }))
    """
)


def test_a_public_page_cannot_redirect_the_checker_into_a_private_network(tmp_path: Any) -> None:
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if unshare is None or ip is None:
        pytest.skip("needs unshare and ip to give the test a network of its own")
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("user and network namespaces are not available here")
    done = subprocess.run(
        [unshare, "-rn", sys.executable, "-c", DRIVER, str(REPO_ROOT), str(tmp_path / "kb")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["metadata_requests"] == 0
    assert outcome["local_requests"].get("HEAD /ok", 0) == 1  # only via the local link's own 302
    by_line = {link["line"]: link for link in outcome["report"]["links"]}
    metadata, loopback, public, own = (by_line[line] for line in sorted(by_line))
    for refused in (metadata, loopback):
        assert refused["status"] == "broken"
        assert "into a private or local network address" in refused["reason"]
    assert public["status"] == "ok" and own["status"] == "ok"


def test_a_link_cannot_write_to_the_terminal(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("kbtool.yml", SETTINGS)
    kb.write_note(
        "a.md", note_text("See [x](http://example.org:99999/\x1b[2J\u202e).\n", title="A")
    )
    for args in ((), ("--format", "github"), ("--format", "text")):
        result = run_kbtool("links", *args)
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\u202e" not in result.output, args
