"""Tests for kbtool.context_table and the context scoring in kbtool.encoding_repair.

The shipped table is the real one (``kbtool/data/context_zh.tsv.gz``); small tables are
written to real files in ``tmp_path``.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from kbtool.context_table import ContextTable, DocumentContext, TableFormatError
from kbtool.encoding_repair import MARK_OPEN, damage_text, repair_text

SMALL = "# a comment\n过程\t-90\t-3\t中\t54\t与\t8\n中\t-65\t1\t，\t11\n收敛\t-121\t0\n"


def write_gz(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


# ------------------------------------------------------------------------- loading


def test_small_table_values(tmp_path: Path) -> None:
    table = ContextTable.from_file(write_gz(tmp_path / "t.tsv.gz", SMALL))
    assert len(table) == 3
    assert table.pmi("过程", "中") == pytest.approx(5.4)
    assert table.pmi("过程", "与") == pytest.approx(0.8)
    assert table.pmi("过程", "不") == pytest.approx(-0.3)  # unlisted: log bow(过程)
    assert table.pmi("收敛", "中") == pytest.approx(0.0)  # a word without followers
    assert table.pmi("未知", "中") == 0.0  # unknown history: nothing known
    assert table.unigrams() == pytest.approx({"过程": -9.0, "中": -6.5, "收敛": -12.1})
    assert table.followers("中") == pytest.approx({"，": 1.1})


def test_plain_text_table(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(SMALL, encoding="utf-8")
    assert ContextTable.from_file(path).pmi("中", "，") == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("过程\t-90\n", 1),  # no back-off weight
        ("# ok\n过程\tx\t-3\n", 2),  # not a number
        ("\t-90\t-3\n", 1),  # no word
    ],
)
def test_malformed_entry_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = write_gz(tmp_path / "bad.tsv.gz", text)
    with pytest.raises(TableFormatError, match=rf"bad\.tsv\.gz:{line}: "):
        ContextTable.from_file(path)


def test_malformed_followers_are_reported_when_used(tmp_path: Path) -> None:
    path = write_gz(tmp_path / "bad.tsv.gz", "甲\t-90\t-3\n过程\t-90\t-3\t中\n")
    table = ContextTable.from_file(path)  # followers are parsed lazily...
    assert table.pmi("甲", "中") == pytest.approx(-0.3)
    with pytest.raises(TableFormatError, match=r"bad\.tsv\.gz:2: odd number"):
        table.pmi("过程", "中")  # ...and the error still names the line


def test_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tsv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(TableFormatError, match=r"broken\.tsv\.gz: cannot read"):
        ContextTable.from_file(broken)
    with pytest.raises(TableFormatError, match=r"missing\.tsv\.gz: cannot read"):
        ContextTable.from_file(tmp_path / "missing.tsv.gz")


def test_shipped_table_is_cached_and_knows_chinese() -> None:
    start = time.perf_counter()
    table = ContextTable.default()
    assert table is ContextTable.default()
    assert time.perf_counter() - start < 5.0  # lazily parsed: ~0.2 s here
    assert len(table) > 50_000
    unigrams = table.unigrams()
    assert unigrams["中"] > unigrams["丁"]  # frequencies, not a word list
    # The associations the repair relies on: 过程中 / 中， are common, 与， is not.
    assert table.pmi("过程", "中") > table.pmi("过程", "不") + 2
    assert table.pmi("中", "，") > table.pmi("与", "，") + 2
    assert table.pmi("不", "需要") > table.pmi("中", "需要")


def test_document_context_counts_pairs() -> None:
    document = DocumentContext([["扩散", "模型", "的", "训练"], ["扩散", "模型"], ["的"]])
    assert len(document) == 3
    assert document.pmi("扩散", "模型") > 0.5
    assert document.pmi("模型", "扩散") == 0.0  # never seen in that order
    assert document.pmi("未知", "模型") == 0.0
    capped = DocumentContext([["甲", "乙"]] + [["丙"]] * 10_000, cap=2.0)
    assert capped.pmi("甲", "乙") == 2.0


# -------------------------------------------------------------- context in repairs


def test_zhong_after_a_noun_before_a_comma() -> None:
    # 中, 与 and 不 all lose their last byte to ä¸: unigram frequency says 不.
    damaged = damage_text("在实际应用中，")
    assert "ä¸" in damaged
    assert repair_text(damaged).text == "在实际应用中，"
    without = repair_text(damaged, context=ContextTable.empty())
    assert without.text != "在实际应用中，"


def test_bu_before_a_verb() -> None:
    clean = "在实际应用中，我们不需要额外的标注。"
    result = repair_text(damage_text(clean))
    assert result.text == clean
    assert result.uncertain == ()
    without = repair_text(damage_text(clean), context=ContextTable.empty())
    assert without.uncertain_count >= 1


def test_context_reaches_across_ascii() -> None:
    # 在 … 中 around an English term: the words on both sides of "LoRA" are scored as a pair.
    result = repair_text(damage_text("在 LoRA 中，"), assume_damaged=True)
    assert result.text.replace(MARK_OPEN, "").replace("⟧", "") == "在 LoRA 中，"
    without = repair_text(
        damage_text("在 LoRA 中，"), assume_damaged=True, context=ContextTable.empty()
    )
    assert "中" not in without.text


def test_still_marks_what_context_cannot_decide() -> None:
    # Nothing around ä¸ but ASCII: the reading must be flagged, table or not.
    result = repair_text(damage_text("# 笔记\nA 与 B\n"))
    assert result.uncertain_count == 1
    assert result.uncertain[0].line == 2
