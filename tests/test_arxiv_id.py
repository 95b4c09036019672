"""arXiv id parsing: every form a researcher pastes, and every way to get it wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbtool.core.arxiv_id import ArxivId, find_arxiv_id, parse_arxiv_id
from kbtool.errors import ArxivIdError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2410.05677", ArxivId("2410.05677")),
        ("2410.05677v2", ArxivId("2410.05677", 2)),
        ("arXiv:2410.05677", ArxivId("2410.05677")),
        ("arxiv: 2410.05677v3", ArxivId("2410.05677", 3)),
        ("  2410.05677\n", ArxivId("2410.05677")),
        ("0704.0001", ArxivId("0704.0001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("https://arxiv.org/abs/2410.05677", ArxivId("2410.05677")),
        ("https://arxiv.org/abs/2410.05677v2", ArxivId("2410.05677", 2)),
        ("https://arxiv.org/pdf/2410.05677", ArxivId("2410.05677")),
        ("https://arxiv.org/pdf/2410.05677v1.pdf", ArxivId("2410.05677", 1)),
        ("https://arxiv.org/pdf/2410.05677.pdf", ArxivId("2410.05677")),
        ("https://arxiv.org/html/2410.05677v2", ArxivId("2410.05677", 2)),
        ("https://export.arxiv.org/abs/2410.05677", ArxivId("2410.05677")),
        ("https://www.arxiv.org/abs/2405.13218", ArxivId("2405.13218")),
        ("http://arxiv.org/abs/2410.05677", ArxivId("2410.05677")),
        ("arxiv.org/abs/2410.05677", ArxivId("2410.05677")),
        ("https://arxiv.org/abs/hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("https://arxiv.org/abs/2410.05677/", ArxivId("2410.05677")),
        ("https://arxiv.org/abs/2410.05677?context=cs", ArxivId("2410.05677")),
    ],
)
def test_accepts_every_pasted_form(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", "not an arXiv id"),
        ("", "empty"),
        ("2410.5677", "not an arXiv id"),
        ("2413.05677", "not an arXiv id"),  # month 13
        ("0000.0000", "not an arXiv id"),
        ("2410.05677v0", "not an arXiv id"),
        ("../x", "looks like a path"),
        ("../../etc/passwd", "looks like a path"),
        ("/etc/passwd", "looks like a path"),
        ("2410.05677\x00", "NUL"),
        ("https://example.org/abs/2410.05677", "not an arXiv id"),
        ("https://arxiv.org/list/cs.CV/recent", "not an arXiv id"),
        ("hep-th/99010011", "not an arXiv id"),
        # Digits of other scripts are not arXiv's: the id must be ASCII.
        ("\uff12\uff14\uff11\uff10.\uff10\uff15\uff16\uff17\uff17", "not an arXiv id"),
        ("\u0662\u0664\u0661\u0660.\u0660\u0665\u0666\u0667\u0667", "not an arXiv id"),
        ("hep-th/\uff19\uff19\uff10\uff11\uff10\uff10\uff11", "not an arXiv id"),
    ],
)
def test_rejects_malformed_ids_naming_the_input(text: str, fragment: str) -> None:
    with pytest.raises(ArxivIdError) as caught:
        parse_arxiv_id(text)
    assert fragment in str(caught.value)
    assert caught.value.exit_code == 4
    assert "\n" not in str(caught.value)


def test_versions_and_stems() -> None:
    arxiv = parse_arxiv_id("quant-ph/0201082v1")
    assert str(arxiv) == "quant-ph/0201082v1"
    assert arxiv.without_version() == ArxivId("quant-ph/0201082")
    assert arxiv.filename_stem == "quant-ph-0201082"
    assert "/" not in arxiv.filename_stem
    assert arxiv.abs_url == "https://arxiv.org/abs/quant-ph/0201082v1"
    assert parse_arxiv_id("2410.05677").with_version(3).pdf_url == (
        "https://arxiv.org/pdf/2410.05677v3"
    )


@given(st.text(max_size=40))
def test_parse_never_crashes_and_stems_never_escape(text: str) -> None:
    found = find_arxiv_id(text)
    if found is not None:
        stem = found.filename_stem
        assert "/" not in stem and "\\" not in stem and ".." not in stem
        assert "\x00" not in stem
        assert found.base.isascii()
