"""Hostile settings files: kbtool.yml, topics.yml and inbox.yml that try to crash or hang kbtool.

Every one is a one-line error naming the file and the line (exit 4), or a problem
of `kbtool check` at its line; never an internal error (exit 70), never a hang, and
never a message the size of the expanded bomb.
"""

from __future__ import annotations

import time

import pytest

from kbtool.errors import InboxFormatError
from kbtool.util.messages import MAX_MESSAGE
from kbtool.util.yaml_load import MAX_ALIAS_EXPANSION, MAX_DEPTH, YamlError, load_yaml
from kbtool.watch.inbox import parse_inbox, render_inbox
from tests.support.inbox import make_entry
from tests.support.kb import DATA_DIR, KnowledgeBaseFactory, RunKbtool


def alias_bomb(key: str, levels: int = 9, indent: str = "") -> str:
    """A "billion laughs": ``levels`` anchors, each a list of nine aliases to the one before."""
    lines = [f"{indent}{key}_0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"{indent}{key}_{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def one_line_error(result: object, exit_code: int = 4) -> str:
    assert result.exit_code == exit_code, result.output  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("kbtool: error: ")
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert len(stderr) <= len("kbtool: error: \n") + MAX_MESSAGE, len(stderr)
    return stderr


# --- the loader itself --------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_at_once_naming_its_line() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\n" + alias_bomb("bomb") + "tags: *a8\n")
    assert time.perf_counter() - started < 1
    assert f"more than {MAX_ALIAS_EXPANSION:,} values" in caught.value.message
    # The anchor whose aliases alone break the budget (9^4 > 10,000: the fifth level).
    assert caught.value.line == 6


def test_aliases_within_the_budget_are_fine() -> None:
    data, _ = load_yaml("base: &b {a: 1, b: [x, y]}\none: *b\ntwo: {<<: *b, c: 3}\n")
    assert data["one"] == {"a": 1, "b": ["x", "y"]} and data["two"]["c"] == 3


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: 1\nb: !!timestamp abc\n", 2, "cannot read 'abc' as a date"),
        ("b: !!bool abc\n", 1, "cannot read 'abc' as true/false"),
        ("x:\n  y: 2024-02-30\n", 2, "cannot read '2024-02-30' as a date: day is out of range"),
        ("b: !!int 12x\n", 1, "cannot read '12x' as a whole number"),
        ("b: !!float x\n", 1, "cannot read 'x' as a number"),
        ("b: !!python/object:os.system ls\n", 1, "could not determine a constructor"),
        ("b: {[1]: 2}\n", 1, "unhashable key"),
        ("a: &a [*a]\n", 1, "contains itself"),
        ("a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", 1, "levels deep"),
    ],
)
def test_values_that_cannot_be_built_are_one_line_errors_at_their_line(
    text: str, line: int, fragment: str
) -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    assert fragment in caught.value.message
    assert caught.value.line == line
    assert "\n" not in caught.value.message


# --- kbtool.yml ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("arxiv:\n  timeout: !!timestamp abc\n", 2, "cannot read 'abc' as a date"),
        ("links:\n  timeout: !!bool abc\n", 2, "as true/false"),
        ("watch:\n  window: 2024-02-30\n", 2, "day is out of range for month"),
        ("watch:\n" + alias_bomb("k", indent="  ") + "  keywords: *a8\n", 6, "alias bomb"),
        ("watch:\n  keywords: &k [LLM, *k]\n", 2, "contains itself"),
    ],
)
def test_kbtool_yml_that_cannot_be_built_is_a_one_line_error(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, text: str, line: int, fragment: str
) -> None:
    kb.write("kbtool.yml", text)
    started = time.perf_counter()
    result = run_kbtool("check")
    assert time.perf_counter() - started < 10
    stderr = one_line_error(result)
    assert f"kbtool.yml:{line}: invalid YAML: " in stderr and fragment in stderr


def test_a_huge_bad_value_in_kbtool_yml_is_quoted_briefly(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # A keyword list of 5,000 long items is no bomb, but quoting it whole is no message.
    items = ", ".join(["x" * 200] * 5000)
    kb.write("kbtool.yml", f"watch:\n  window: [{items}]\n")
    stderr = one_line_error(run_kbtool("watch", "--dry-run"))
    assert "kbtool.yml:2: watch.window" in stderr


# --- topics.yml ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (alias_bomb("t") + "rlhf: {title: RLHF, aliases: *a8}\n", "alias bomb"),
        ("rlhf: {title: !!timestamp abc}\n", "rlhf"),  # kept as text: titles are never built
        ("rlhf: &r {title: RLHF, parent: *r}\n", "contains itself"),
        ("rlhf: " + "[" * 100 + "]" * 100 + "\n", "levels deep"),
    ],
)
def test_hostile_topics_yml_is_a_problem_of_check_not_a_crash(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, text: str, fragment: str
) -> None:
    kb.write("topics.yml", text)
    started = time.perf_counter()
    result = run_kbtool("check")
    assert time.perf_counter() - started < 10
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.stderr
    if fragment != "rlhf":
        assert "topics.yml:" in result.stdout and fragment in result.stdout


# --- inbox.yml ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("first_seen: 2026-02-07", "first_seen: 2024-02-30", "day is out of range"),
        ("first_seen: 2026-02-07", "first_seen: !!timestamp abc", "cannot read 'abc' as a date"),
        ("version: 1", "version: !!bool abc", "as true/false"),
        ("version: 1", "version: !!int 1x", "as a whole number"),
    ],
)
def test_an_inbox_value_that_cannot_be_built_is_reported_at_its_line(
    old: str, new: str, fragment: str
) -> None:
    text = render_inbox([make_entry()])
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(InboxFormatError) as caught:
        parse_inbox(text.replace(old, new), "inbox.yml")
    assert caught.value.line == line and fragment in caught.value.message
    assert "\n" not in caught.value.message


def test_an_inbox_alias_bomb_stops_the_build_with_one_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # The anchors hide in an entry's authors; its score names the last of them, and a
    # message quoting the score ("must be a number, not […]") would expand it all.
    anchors = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    text = render_inbox([make_entry()])
    authors = "  authors:\n  - Wentao Ni\n  - Kangqi Zhang\n"
    assert authors in text and "score: 7.5" in text
    text = text.replace(authors, f"  authors: [{', '.join(anchors)}]\n")
    text = text.replace("score: 7.5", "score: *a8")
    kb.write("inbox.yml", text)
    line = text[: text.index("authors: [")].count("\n") + 1
    started = time.perf_counter()
    result = run_kbtool("build", "--quiet")
    assert time.perf_counter() - started < 30
    assert result.exit_code == 7 and "internal error" not in result.stderr
    assert f"inbox.yml:{line}: invalid YAML" in result.stderr and "alias bomb" in result.stderr


# --- kbtool's own records, committed with the notes (so written by anyone) -----------------------


def test_a_deeply_nested_sync_record_is_ignored_with_a_warning(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write(".kbtool-sync.json", "[" * 100_000)
    kb.write_note("a.md", "---\ntitle: A\ntopics: [rlhf]\n---\n")
    result = run_kbtool("enrich")
    assert result.exit_code == 0, result.output
    assert "sync record ignored (nested too deeply)" in result.stderr


def test_a_deeply_nested_import_manifest_is_one_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write(".kbtool-import.json", '{"files": ' + "[" * 100_000)
    source = DATA_DIR / "import" / "awesome_list.md"
    stderr = one_line_error(run_kbtool("import", str(source)))
    assert ".kbtool-import.json: the import manifest is damaged" in stderr
