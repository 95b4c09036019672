"""Generated hostile notes through `check` and a build: never an internal error, never slow,
every problem at a file and line.

Frontmatter is built from keys of the note format and others, with values drawn
from what breaks YAML readers (constructor tags, impossible dates, aliases and
bombs, deep nesting, malformed URLs, control characters); bodies from what breaks
Markdown readers (unclosed fences and code spans, malformed links, wikilinks,
comments, raw HTML). The check runs on many examples; the build, which costs a
second or two, on a few knowledge bases of several such notes each.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.core.schema import FIELDS
from tests.support.kb import KnowledgeBaseFactory, run_cli

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: The longest `check` may take on one generated note (they are at most a few KB).
SECONDS_PER_NOTE = 3.0

_SCALARS = st.sampled_from(
    [
        "!!timestamp abc",
        "!!bool abc",
        "!!int 12x",
        "!!float x",
        "!!binary '@@'",
        "!!python/object:os.system ls",
        "!!set [1]",
        "2024-02-30",
        "2024-13-01",
        "2026-04-13",
        "'2410.05677v2'",
        "2410.05677",
        "http://[::1",
        "https://example.org:99999/x",
        "https://ada:secret@example.org/",
        "https://example.org/paper",
        "~",
        "''",
        "yes",
        "0x1F",
        "1e999999",
        "9" * 400,
        "'\\t tab'",
        '"\\x07 bell"',
        "'‮ right-to-left'",
        "[a, b, c]",
        "{k: v}",
        "[[[[[[]]]]]]",
        "[" * 80 + "]" * 80,
        "&a [x, *a]",
        "*nowhere",
        "|\n  a block\n  of text",
        ">-\n  folded",
        "x" * 5000,
        "中文标题",
        "[rlhf, video-diffusion]",
        "[unknown-topic]",
    ]
)
_KEYS = st.sampled_from([spec.name for spec in FIELDS] + ["x-extra", "Title", "tags ", "<<"])
_BOMB = "x-a: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x-{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 7)
)


@st.composite
def frontmatters(draw: st.DrawFn) -> str:
    lines = [f"{draw(_KEYS)}: {draw(_SCALARS)}" for _ in range(draw(st.integers(0, 8)))]
    if draw(st.booleans()):
        lines.insert(0, f"title: {draw(_SCALARS)}")
    if draw(st.integers(0, 9)) == 0:
        lines.insert(0, _BOMB + "tags: *a6")
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.text(max_size=40)))  # anything at all
    return "\n".join(lines)


_MARKDOWN = st.sampled_from(
    [
        "## Results",
        "## Results {#results}",
        "```python\ncode [x](missing.md)\n```",
        "```\nnever closed [y](also-missing.md)",
        "~~~~\n[z](z.md)\n~~~",
        "`code [a](a.md)` and `` `unclosed [b](b.md)",
        "<!-- [c](c.md) -->",
        "<!-- never closed [d](d.md)",
        "[link](http://[::1/)",
        "<http://[::1/>",
        "![img](http://[::1/i.png)",
        "[ref][r]\n\n[r]: http://[::1/",
        "[port](https://example.org:99999/)",
        "[[2410.05677]] and [[nowhere|alias]] and [[#results]]",
        "[[" * 30,
        "[rel](../../../etc/passwd) and [abs](/etc/passwd) and ![i](local.png)",
        "<a href='javascript:alert(1)'>x</a> <img src=x onerror=alert(1)>",
        "<details>\n<summary>S</summary>\n\n- a\n</details>",
        "$$\n\\frac{a}{b}\n$$ and $x^2$",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "⟦uncertain⟧",
        "\x00\x07\x1b[31m",
        "https://example.org/" + "a" * 3000,
        "中文笔记，带标点。",
    ]
)


@st.composite
def notes(draw: st.DrawFn) -> str:
    body = "\n\n".join(draw(st.lists(_MARKDOWN | st.text(max_size=60), max_size=8)))
    shape = draw(st.integers(0, 19))
    if shape == 0:
        return body  # no frontmatter at all
    closing = "..." if shape == 1 else "---"
    return f"---\n{draw(frontmatters())}\n{closing}\n{body}\n"


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBaseFactory:
    return KnowledgeBaseFactory(tmp_path_factory.mktemp("property") / "kb")


def line_count(text: str) -> int:
    """Lines as editors and Markdown readers count them: CRLF, a lone CR and LF each end one."""
    return len(_LINE_BREAK.split(text))


def assert_located(problems: list[dict[str, object]], texts: dict[str, str]) -> None:
    """Every problem names a file it is about and a line in it (0: the whole file)."""
    for found in problems:
        path, line = found["path"], found["line"]
        assert isinstance(path, str) and isinstance(line, int), found
        if path in texts:
            assert 0 <= line <= line_count(texts[path]), found
        else:
            assert path in ("topics.yml", "kbtool.yml", "notes") or path.startswith("topics/")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=notes())
def test_check_on_any_note(knowledge_base: KnowledgeBaseFactory, text: str) -> None:
    knowledge_base.write_note("generated.md", text)
    started = time.perf_counter()
    result = run_cli(knowledge_base.root, "check", "--format", "json")
    assert time.perf_counter() - started < SECONDS_PER_NOTE
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    assert_located(json.loads(result.stdout), {"notes/generated.md": text})


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(notes(), min_size=6, max_size=6))
def test_a_build_of_any_notes(knowledge_base: KnowledgeBaseFactory, texts: list[str]) -> None:
    notes_dir = knowledge_base.root / "notes"
    for old in notes_dir.glob("*.md"):
        old.unlink()
    for index, text in enumerate(texts):
        knowledge_base.write_note(f"generated-{index}.md", text)
    site = knowledge_base.root / "site"
    started = time.perf_counter()
    result = run_cli(knowledge_base.root, "build", "--no-strict", "-q", "--site-dir", str(site))
    assert time.perf_counter() - started < 60
    assert result.exit_code in (0, 7), result.output
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    if result.exit_code == 0:
        assert (site / "index.html").is_file()
