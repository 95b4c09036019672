"""Hostile notes: YAML that cannot be built, alias bombs, malformed URLs, unclosed fences, size.

`check` reports each at its file and line and exits 1, never 70; the site builds
(one module-scoped build of all of them together) and shows what `check` sees;
nothing takes time out of proportion to the note's size.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.core.markdown_links import anchors, extract_links
from kbtool.core.note import InvalidValue, parse_note
from kbtool.enrich import enrich_note_bytes
from kbtool.errors import NoteFormatError
from kbtool.site.build import build_site
from tests.support.inbox import make_record
from tests.support.kb import KnowledgeBaseFactory, RunKbtool

BOMB_ANCHORS = (
    "x-bomb: ["
    + ", ".join(
        ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    )
    + "]"
)

#: name → (note text, [(line, code name, fragment of the message)])
HOSTILE: dict[str, tuple[str, list[tuple[int, str, str]]]] = {
    "timestamp.md": (
        "---\ntitle: T\ntopics: [rlhf]\nadded: !!timestamp abc\n---\nbody\n",
        [(4, "bad-date", "cannot read 'abc' as a date")],
    ),
    "bool.md": (
        "---\ntitle: B\ntopics: [rlhf]\nrating: !!bool abc\n---\nbody\n",
        [(4, "wrong-type", "cannot read 'abc' as true/false")],
    ),
    "impossible-date.md": (
        "---\ntitle: D\ntopics: [rlhf]\npublished: 2024-02-30\n---\nbody\n",
        [(4, "bad-date", "day is out of range for month")],
    ),
    "bomb.md": (
        f"---\ntitle: Bomb\ntopics: [rlhf]\n{BOMB_ANCHORS}\ntags: *a8\n---\nbody\n",
        [(4, "unknown-key", "x-bomb"), (5, "wrong-type", "alias bomb")],
    ),
    "bad-arxiv.md": (
        '---\ntitle: A\ntopics: [rlhf]\narxiv: "http://[::1"\n---\nbody\n',
        [(4, "bad-arxiv-id", "'http://[::1' is not an arXiv id")],
    ),
    "bad-urls.md": (
        "---\ntitle: U\ntopics: [rlhf]\nurl: http://[::1\n---\n"
        "See [x](http://[::1/) and <http://[::1/>.\n\n"
        "![i](http://[::1/i.png) and [p](https://example.org:99999/)\n\n"
        "[y][r] and the bare http://[::1 stays text.\n\n[r]: http://[::1/\n",
        [
            (4, "bad-url", "Invalid IPv6 URL"),
            (6, "bad-url", "'http://[::1/' is not a URL: Invalid IPv6 URL"),
            (8, "bad-url", "'https://example.org:99999/' is not a URL: Port out of range"),
            (12, "bad-url", "'http://[::1/' is not a URL"),
        ],
    ),
    "unclosed-fence.md": (
        "---\ntitle: F\ntopics: [rlhf]\n---\nText.\n\n```python\n"
        "[see](missing-note.md) is a link: the fence is never closed.\n",
        [(8, "broken-link", "'missing-note.md' does not exist")],
    ),
}


def check_lines(stdout: str, name: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(f"notes/{name}:")]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_reports_each_at_its_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, name: str
) -> None:
    text, expected = HOSTILE[name]
    kb.write_note(name, text)
    started = time.perf_counter()
    result = run_kbtool("check")
    assert time.perf_counter() - started < 10
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    found = check_lines(result.stdout, name)
    for line, code, fragment in expected:
        assert any(
            f"notes/{name}:{line}: " in f and f"[{code}]" in f and fragment in f for f in found
        ), (line, code, fragment, found)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All the hostile notes in one knowledge base, built once (not strictly: they have errors)."""
    factory = KnowledgeBaseFactory(tmp_path_factory.mktemp("hostile") / "kb")
    for name, (text, _) in HOSTILE.items():
        factory.write_note(name, text)
    return build_site(Layout(factory.root), strict=False)


def paper_page(site: Path, stem: str) -> str:
    return (site / "papers" / stem / "index.html").read_text(encoding="utf-8")


def test_the_site_builds_with_every_hostile_note(hostile_site: Path) -> None:
    for name in HOSTILE:
        assert (hostile_site / "papers" / name[: -len(".md")] / "index.html").is_file(), name


def test_malformed_urls_are_shown_broken_never_as_links(hostile_site: Path) -> None:
    html = paper_page(hostile_site, "bad-urls")
    assert 'href="http://[::1' not in html
    assert html.count('class="kb-broken-link"') >= 4


def test_the_site_and_check_agree_on_an_unclosed_fence(hostile_site: Path) -> None:
    # SuperFences renders an unclosed fence as text, so the link is a link: check
    # reported it, and the site marks it broken instead of failing the strict build.
    html = paper_page(hostile_site, "unclosed-fence")
    assert 'class="kb-broken-link"' in html and "missing-note.md" in html


def test_a_strict_build_passes_over_an_unclosed_fence(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("unclosed-fence.md", HOSTILE["unclosed-fence.md"][0])
    result = run_kbtool("build", "--quiet")
    assert result.exit_code == 0, result.stderr


def test_closed_fences_still_hide_their_links() -> None:
    body = "```\n[a](a.md)\n```\n\n~~~~\n[b](b.md)\n~~~\n~~~~~\n\n````\n```\n[c](c.md)\n````\n"
    assert extract_links(body) == []


# --- size: work in proportion to the note -------------------------------------------------------


def test_a_note_with_32000_links_is_checked_in_linear_time(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    body = "".join(
        f"See [paper {n}](https://example.org/p/{n}) and [[other]].\n" for n in range(32_000)
    )
    kb.write_note("big.md", f"---\ntitle: Big\ntopics: [rlhf]\n---\n{body}")
    kb.write_note("other.md", "---\ntitle: other\ntopics: [rlhf]\n---\n")
    assert (kb.root / "notes" / "big.md").stat().st_size > 1_500_000
    started = time.perf_counter()
    result = run_kbtool("check")
    took = time.perf_counter() - started
    assert result.exit_code == 0, result.stdout[-500:]
    assert took < 30, took  # quadratic: over a minute


@pytest.mark.parametrize(
    "text",
    [
        "<http://x" * 50_000,  # autolinks never closed
        "<a " * 100_000 + ">",  # tags never closed
        "<!-- x " * 100_000,  # comments never closed
        "".join("`" * (3 + n % 400) + "\n" for n in range(20_000)),  # fences never closed
        " ".join("`" * (1 + n % 300) + "x" for n in range(30_000)),  # code spans never closed
    ],
)
def test_pathological_markdown_is_read_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    extract_links(text)
    anchors(text)
    assert time.perf_counter() - started < 15


def test_ten_thousand_equal_headings_get_their_anchors_quickly() -> None:
    text = "## Results\n\n" * 10_000
    started = time.perf_counter()
    found = anchors(text)
    assert time.perf_counter() - started < 5
    assert {"results", "results_1", "results_9999"} <= found and len(found) == 10_000


# --- the note model and the editor --------------------------------------------------------------


def test_a_bomb_shared_by_many_fields_is_bounded_for_the_whole_note() -> None:
    # Each field alone stays under the budget; together they would not.
    fields = "\n".join(f"x-{n}: *a3" for n in range(200))
    text = "---\ntitle: A\nx-base: " + BOMB_ANCHORS.split(": ", 1)[1] + f"\n{fields}\n---\n"
    started = time.perf_counter()
    note = parse_note(text, "notes/a.md")
    assert time.perf_counter() - started < 2
    invalid = [k for k, v in note.fields.items() if isinstance(v, InvalidValue)]
    assert invalid and "x-0" not in invalid and note.fields["title"] == "A"


def test_enrich_leaves_a_note_it_cannot_edit_safely_with_a_reason() -> None:
    deep = "[" * 600 + "]" * 600
    data = f"---\ntitle: A\narxiv: 2401.00001\nx-deep: {deep}\n---\nbody\n".encode()
    record = make_record("2401.00001v2", "A")
    try:
        new, _ = enrich_note_bytes(data, "notes/a.md", record, lambda _n, _v: False)
    except NoteFormatError as err:
        assert "not edited" in err.message
    else:
        assert new.endswith(b"\n---\nbody\n") and b"x-deep: " + deep.encode() in new


def test_fields_that_repeat_another_fields_list_spend_the_notes_budget() -> None:
    # No field holds a bomb; 500 aliases of one 5,000-item list together are 2.5 million values.
    items = ", ".join(f"w{n}" for n in range(5000))
    fields = "\n".join(f"x-{n}: *words" for n in range(500))
    text = f"---\ntitle: A\nx-words: &words [{items}]\n{fields}\n---\nbody\n"
    started = time.perf_counter()
    note = parse_note(text, "notes/a.md")
    assert time.perf_counter() - started < 2
    assert isinstance(note.fields["x-words"], list) and isinstance(note.fields["x-0"], list)
    assert isinstance(note.fields["x-499"], InvalidValue)
    assert "alias bomb" in note.fields["x-499"].reason
