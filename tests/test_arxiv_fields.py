"""arXiv record → frontmatter: the table, code links, and the record's own JSON form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kbtool.arxiv.fields import (
    ARXIV_FIELD_TABLE,
    arxiv_owned_values,
    code_links,
    fields_from_record,
    first_doi,
)
from kbtool.arxiv.record import ArxivRecord
from kbtool.core.arxiv_id import ArxivId
from kbtool.core.schema import ARXIV_OWNED_FIELDS, FIELDS, FIELDS_BY_NAME
from tests.support.arxiv_server import MakeClient

RECORD = ArxivRecord(
    arxiv_id=ArxivId("2410.05677", 2),
    title="T2V-Turbo-v2",
    authors=("Jiachen Li", "Qian Long"),
    abstract="We distil. Code: https://github.com/Ji4chenLi/t2v-turbo.",
    published=datetime(2024, 10, 7, 17, 59, tzinfo=UTC),
    updated=datetime(2024, 10, 21, 1, 2, tzinfo=UTC),
    primary_category="cs.CV",
    categories=("cs.CV", "cs.LG"),
    comment="Project page: https://t2v-turbo-v2.github.io",
    journal_ref="ICLR 2025",
    doi="10.1145/3368089.3409741 10.1000/other",
)


def test_every_arxiv_owned_field_has_a_row_and_rows_name_schema_fields() -> None:
    rows = [row.field for row in ARXIV_FIELD_TABLE]
    assert len(rows) == len(set(rows))
    assert set(ARXIV_OWNED_FIELDS) <= set(rows)
    assert all(name in FIELDS_BY_NAME for name in rows)


def test_fields_from_a_record_in_schema_order() -> None:
    values = fields_from_record(RECORD)
    assert values == {
        "title": "T2V-Turbo-v2",
        "doi": "10.1145/3368089.3409741",
        "authors": ["Jiachen Li", "Qian Long"],
        "published": date(2024, 10, 7),
        "updated": date(2024, 10, 21),
        "version": 2,
        "venue": "ICLR 2025",
        "primary_category": "cs.CV",
        "categories": ["cs.CV", "cs.LG"],
        "journal_ref": "ICLR 2025",
        "comment": "Project page: https://t2v-turbo-v2.github.io",
        "abstract": "We distil. Code: https://github.com/Ji4chenLi/t2v-turbo.",
        "abs_url": "https://arxiv.org/abs/2410.05677",
        "pdf_url": "https://arxiv.org/pdf/2410.05677v2",
        "code": "https://github.com/Ji4chenLi/t2v-turbo",
    }
    order = [spec.name for spec in FIELDS]
    assert list(values) == sorted(values, key=order.index)


def test_enrich_gets_only_arxiv_owned_fields() -> None:
    values = arxiv_owned_values(RECORD)
    assert set(values) <= set(ARXIV_OWNED_FIELDS)
    assert "title" not in values and "venue" not in values and "code" not in values


def test_absent_values_are_left_out() -> None:
    bare = ArxivRecord(ArxivId("2401.00001", 1), "X", (), "", RECORD.published, RECORD.published)
    values = fields_from_record(bare)
    for absent in ("authors", "comment", "journal_ref", "venue", "doi", "abstract", "code"):
        assert absent not in values
    assert values["version"] == 1


def test_recorded_papers(make_client: MakeClient) -> None:
    batch = make_client().fetch_ids(["astro-ph/0601001", "1605.08386", "2104.12255"])
    astro = fields_from_record(batch.records["astro-ph/0601001"])
    assert astro["venue"] == astro["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert astro["abs_url"] == "https://arxiv.org/abs/astro-ph/0601001"
    assert astro["pdf_url"] == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert "code" not in astro  # an astronomy.ohio-state.edu link is not a code host
    zero = fields_from_record(batch.records["2104.12255"])
    assert zero["title"] == "0" and zero["published"] == date(2021, 4, 20)
    assert "comment" not in zero


def test_recorded_search_page_dois(make_client: MakeClient) -> None:
    page = make_client().search_page("testing", 0, 10)
    assert fields_from_record(page.records[0])["doi"] == "10.1109/ICSTW55395.2022.00035"


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Code: https://github.com/a/b.", ["https://github.com/a/b"]),
        ("(see github.com/a/b)", ["https://github.com/a/b"]),
        ("at http://www.GitHub.com/A/B/tree/main, and", ["https://github.com/A/B/tree/main"]),
        (
            "https://gitlab.com/g/p; https://huggingface.co/spaces/x/y!",
            [
                "https://gitlab.com/g/p",
                "https://huggingface.co/spaces/x/y",
            ],
        ),
        ("https://github.com/a/b and https://github.com/a/b again", ["https://github.com/a/b"]),
        ("wiki: https://en.wikipedia.org/wiki/(a)_b", []),
        ("https://github.com/ alone, or notgithub.com/a/b, or me@github.com/x", []),
        ("https://github.com/a/b_(c)", ["https://github.com/a/b_(c)"]),
        ("<https://github.com/a/b>", ["https://github.com/a/b"]),
    ],
)
def test_code_links(text: str, links: list[str]) -> None:
    assert code_links(text) == links


def test_code_links_from_abstract_and_comment_together() -> None:
    assert code_links("x github.com/a/b", "y gitlab.com/c/d") == [
        "https://github.com/a/b",
        "https://gitlab.com/c/d",
    ]


def test_first_doi() -> None:
    assert first_doi("10.1103/PhysRevD.76.013009 10.1103/X") == "10.1103/PhysRevD.76.013009"
    assert first_doi(None) is None and first_doi("none") is None


def test_record_json_round_trip_and_damage() -> None:
    assert ArxivRecord.from_json(RECORD.to_json()) == RECORD
    broken = RECORD.to_json() | {"id": "../etc"}
    with pytest.raises(ValueError):
        ArxivRecord.from_json(broken)
    with pytest.raises(ValueError):
        ArxivRecord.from_json(RECORD.to_json() | {"authors": "A, B"})
    with pytest.raises(ValueError):
        ArxivRecord.from_json([1])
