"""A :class:`~kbtool.links.job.LinkReport` as text: a rich table, JSON, or GitHub annotations.

Pure renderers; the CLI prints what they return.
"""

from __future__ import annotations

import json

from rich.table import Table
from rich.text import Text

from kbtool.core.problems import escape_github_data, escape_github_property
from kbtool.links.job import CheckedLink, LinkReport
from kbtool.links.status import LinkStatus
from kbtool.util.messages import visible

_STYLES = {
    LinkStatus.OK: "green",
    LinkStatus.REDIRECTED: "yellow",
    LinkStatus.BROKEN: "bold red",
    LinkStatus.UNVERIFIED: "magenta",
    LinkStatus.EXPIRED: "cyan",
}
_ORDER = [
    LinkStatus.BROKEN,
    LinkStatus.REDIRECTED,
    LinkStatus.UNVERIFIED,
    LinkStatus.EXPIRED,
    LinkStatus.OK,
]


def _message(link: CheckedLink) -> str:
    result = link.result
    if result.status is LinkStatus.REDIRECTED and result.target:
        return f"{link.occurrence.url} moved permanently: use {result.target}"
    return f"{link.occurrence.url}: {result.reason}"


def shown(report: LinkReport, show_ok: bool) -> list[CheckedLink]:
    """The occurrences worth showing, worst class first, then by file and line."""
    links = [link for link in report.links if show_ok or link.result.status is not LinkStatus.OK]
    return sorted(
        links,
        key=lambda link: (
            _ORDER.index(link.result.status),
            link.occurrence.path,
            link.occurrence.line,
        ),
    )


def render_table(report: LinkReport, show_ok: bool = False) -> Table:
    """One row per occurrence (ok ones only with ``show_ok``), worst first."""
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("status", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("link", overflow="fold")
    table.add_column("detail", overflow="fold")
    for link in shown(report, show_ok):
        result = link.result
        detail = f"use {result.target}" if result.target else result.reason
        if link.cached:
            detail += " (cached)"
        table.add_row(
            Text(result.status.value, style=_STYLES[result.status]),
            visible(f"{link.occurrence.path}:{link.occurrence.line}"),
            Text(visible(link.occurrence.written)),
            Text(visible(detail)),
        )
    return table


def format_text(report: LinkReport, show_ok: bool = False) -> list[str]:
    """``path:line: class message`` per occurrence, worst first: for logs and pipes."""
    # Paths and URLs come from notes: whatever they hold is shown, never acted on by the terminal.
    return [
        visible(
            f"{link.occurrence.path}:{link.occurrence.line}: {link.result.status.value} "
            + _message(link)
            + (" (cached)" if link.cached else "")
        )
        for link in shown(report, show_ok)
    ]


def summary(report: LinkReport) -> str:
    """One line: distinct links per class, and how much the network was asked."""
    counts = report.counts()
    parts = [f"{counts.get(status, 0)} {status.value}" for status in _ORDER]
    scope = f" on lines changed since {report.changed_since}" if report.changed_since else ""
    line = f"{report.distinct} distinct links{scope}: " + ", ".join(parts)
    line += f"; {report.requests} HTTP requests, {report.cached} answered from the cache"
    if report.arxiv_requests:
        line += f", {report.arxiv_requests} arXiv API requests"
    if report.excluded or report.marked_no_check:
        line += f"; {report.excluded + report.marked_no_check} excluded"
    return line


def format_json(report: LinkReport) -> str:
    counts = report.counts()
    data = {
        "summary": {
            "distinct": report.distinct,
            "requests": report.requests,
            "arxiv_requests": report.arxiv_requests,
            "cached": report.cached,
            "excluded": report.excluded,
            "marked_no_check": report.marked_no_check,
            "changed_since": report.changed_since,
            **{status.value: counts.get(status, 0) for status in LinkStatus},
        },
        "links": [
            {
                "path": link.occurrence.path,
                "line": link.occurrence.line,
                "url": link.occurrence.url,
                "written": link.occurrence.written,
                "status": link.result.status.value,
                "reason": link.result.reason,
                "http_status": link.result.http_status,
                "target": link.result.target,
                "cached": link.cached,
            }
            for link in report.links
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def format_github(report: LinkReport, strict: bool = False) -> list[str]:
    """Workflow commands: an error per broken link (and, with ``strict``, per failing one),
    a warning per other link that is not ok, each at its file and line."""
    lines = []
    for link in shown(report, show_ok=False):
        status = link.result.status
        level = "error" if status is LinkStatus.BROKEN or strict else "warning"
        props = (
            f"file={escape_github_property(link.occurrence.path)},line={link.occurrence.line},"
            f"title={escape_github_property(f'{status.value} link')}"
        )
        lines.append(f"::{level} {props}::{escape_github_data(_message(link))}")
    return lines
