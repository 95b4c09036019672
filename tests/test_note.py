"""Reading notes: frontmatter types, lines, and damaged files reported, never crashed on."""

from __future__ import annotations

from datetime import date

from kbtool.core.arxiv_id import ArxivId
from kbtool.core.filenames import filename_problem, note_filename, title_slug, unique_filename
from kbtool.core.note import InvalidValue, parse_note


def names(note_problems: object) -> list[str]:
    return [p.name for p in note_problems]  # type: ignore[attr-defined]


def test_title_is_always_text_and_ids_keep_their_digits() -> None:
    note = parse_note(b"---\ntitle: 0\narxiv: 2410.10\nrating: 4\n---\nbody\n", "notes/a.md")
    assert note.fields["title"] == "0"
    assert note.title == "0"
    assert note.fields["arxiv"] == "2410.10"
    assert note.fields["rating"] == 4
    assert note.body == "body\n"
    assert note.body_line == 6


def test_field_lines_point_at_the_key() -> None:
    note = parse_note("---\ntitle: A\n\nauthors:\n  - X\ntopics: [rlhf]\n---\n", "n.md")
    assert note.field_lines == {"title": 2, "authors": 4, "topics": 6}


def test_dates_and_invalid_dates() -> None:
    note = parse_note("---\npublished: 2024-10-07\nupdated: 2024-13-01\n---\n", "n.md")
    assert note.date_of("published") == date(2024, 10, 7)
    assert isinstance(note.fields["updated"], InvalidValue)
    assert note.date_of("updated") is None


def test_yaml_error_is_reported_at_its_line() -> None:
    note = parse_note("---\ntitle: A\ntopics: [rlhf\nstatus: read\n---\nbody\n", "n.md")
    assert names(note.problems) == ["yaml-syntax"]
    assert note.problems[0].line in (4, 5)
    assert note.body == "body\n"


def test_tabs_get_a_hint() -> None:
    note = parse_note("---\ntitle: A\nauthors:\n\t- X\n---\n", "n.md")
    assert names(note.problems) == ["yaml-syntax"]
    assert "tabs" in note.problems[0].message


def test_bom_crlf_and_bad_bytes_are_reported_and_read() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: A\r\ntopics: [rlhf]\r\n---\r\nline \xff here\r\n"
    note = parse_note(data, "n.md")
    assert set(names(note.problems)) == {"bom", "crlf", "not-utf8"}
    bad = next(p for p in note.problems if p.name == "not-utf8")
    assert bad.line == 5
    assert note.fields["title"] == "A"
    assert note.body.startswith("line ")


def test_a_lone_carriage_return_ends_a_line_as_in_the_renderer() -> None:
    note = parse_note(b"---\ntitle: A\rtopics: [rlhf]\n---\nbody\n", "n.md")
    crlf = next(p for p in note.problems if p.name == "crlf")
    assert (crlf.line, crlf.message) == (2, "CR (\\r) line endings; LF is expected")
    assert note.fields["topics"] == ["rlhf"]
    assert note.body_line == 5


def test_missing_frontmatter_and_unclosed_frontmatter() -> None:
    assert names(parse_note("# Just text\n", "n.md").problems) == ["no-frontmatter"]
    assert names(parse_note("---\ntitle: A\n", "n.md").problems) == ["no-frontmatter"]


def test_duplicate_keys_are_reported_first_value_kept() -> None:
    note = parse_note("---\ntitle: A\ntitle: B\n---\n", "n.md")
    assert names(note.problems) == ["duplicate-key"]
    assert note.problems[0].line == 3
    assert note.fields["title"] == "A"


def test_non_mapping_frontmatter() -> None:
    assert names(parse_note("---\n- a\n- b\n---\n", "n.md").problems) == ["not-a-mapping"]


def test_frontmatter_closed_by_dots_and_empty_frontmatter() -> None:
    note = parse_note("---\ntitle: A\n...\nbody", "n.md")
    assert note.fields == {"title": "A"} and note.body == "body"
    empty = parse_note("---\n---\nbody", "n.md")
    assert empty.fields == {} and empty.problems == ()


def test_filenames_are_safe_everywhere() -> None:
    assert note_filename("T2V-Turbo-v2: Enhancing Video", ArxivId("2410.05677")) == (
        "2410.05677-t2v-turbo-v2-enhancing-video.md"
    )
    old = note_filename("Some Paper", ArxivId("hep-th/9901001"))
    assert old == "hep-th-9901001-some-paper.md"
    assert note_filename("训练 三阶段") == "xun-lian-san-jie-duan.md"
    assert note_filename("con") == "paper-con.md"
    assert note_filename("???") == "untitled.md"
    for name in (old, note_filename("训练"), note_filename("con"), note_filename("A/B\\C:D*")):
        assert filename_problem(name) is None, name
    assert len(title_slug("word " * 100)) <= 60
    assert filename_problem("Has Space.md") is not None
    assert filename_problem("aux.md") is not None


def test_unique_filename() -> None:
    assert unique_filename("a.md", set()) == "a.md"
    assert unique_filename("a.md", {"a.md"}) == "a-2.md"
    assert unique_filename("a.md", {"a.md", "a-2.md"}) == "a-3.md"


def test_self_containing_and_deeply_nested_values_are_invalid_not_a_crash() -> None:
    # parse_note never raises: a YAML alias that holds itself (`&a [*a]`) or a value
    # nested hundreds of levels deep is a value of the wrong type, not a RecursionError.
    deep = "[" * 600 + "]" * 600
    for value in ("&a [*a]", "&a [x, [y, *a]]", "&a {k: *a}", deep):
        for key in ("tags", "topics", "published", "version", "x-extra"):
            note = parse_note(f"---\ntitle: A\n{key}: {value}\n---\nbody\n", "notes/a.md")
            assert isinstance(note.fields[key], InvalidValue), (key, value)
            assert note.fields["title"] == "A" and note.body == "body\n"
