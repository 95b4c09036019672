"""Tests for kbtool.repair.context_table and the context scoring in kbtool.repair.

The shipped table is the real one (``kbtool/repair/data/context_zh.tsv.gz``); small tables are
written to real files in ``tmp_path``.
"""

from __future__ import annotations

import gzip
import math
import time
from pathlib import Path

import pytest

from kbtool.repair import MARK_CLOSE, MARK_OPEN, damage_text, repair_text
from kbtool.repair.context_table import CharContext, ContextTable, TableFormatError

SMALL = "# a comment\n过程\t-90\t-3\t中\t54\t与\t8\n中\t-65\t1\t，\t11\n收敛\t-121\t0\n"


def unmark(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


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


CHARS = "# counts\n*\t1000\n中\t100\n不\t100\n，\t100\n丁\t1\n中，\t30\n"


def test_char_context_smoothed_pmi(tmp_path: Path) -> None:
    path = tmp_path / "chars.tsv"
    path.write_text(CHARS, encoding="utf-8")
    chars = CharContext.from_file(path)
    assert len(chars) == 1
    # seen 30 times where 10 are expected: log((30 + 1) / (10 + 1))
    assert chars.pmi("中", "，") == pytest.approx(math.log(31 / 11))
    # never seen though 10 are expected: negative evidence
    assert chars.pmi("不", "，") == pytest.approx(math.log(1 / 11))
    # a rare character: little to learn
    assert chars.pmi("丁", "，") == pytest.approx(math.log(1 / 1.1))
    # neither character can be damaged (no lost byte in 甲, ， or A): pair not counted
    assert not CharContext.empty().pmi("中", "，")
    assert chars.pmi("甲", "A") == 0.0


@pytest.mark.parametrize("line", ["中\tx", "中文字\t3", "*\t"])
def test_char_context_malformed_line(tmp_path: Path, line: str) -> None:
    path = write_gz(tmp_path / "chars.tsv.gz", f"# c\n{line}\n")
    with pytest.raises(TableFormatError, match=r"chars\.tsv\.gz:2: "):
        CharContext.from_file(path)


def test_shipped_char_context_knows_technical_words() -> None:
    chars = CharContext.default()
    assert chars is CharContext.default()
    assert len(chars) > 5_000
    # 字段 (field) and 子进程 (child process): technical words the web-text model lacks.
    assert chars.pmi("字", "段") > chars.pmi("南", "段") + 2
    assert chars.pmi("子", "进") > chars.pmi("后", "进") + 2
    assert chars.pmi("不", "支") > chars.pmi("中", "支") + 2


def test_technical_words_need_the_char_context() -> None:
    # 子 loses two bytes (å alone: 后, 华, 名…); 不 and 中 share ä¸. Technical text decides.
    for clean in ("无法在子进程中加载", "窗口函数不支持分组"):
        result = repair_text(damage_text(clean), assume_damaged=True)
        assert result.text == clean
        without = repair_text(
            damage_text(clean), assume_damaged=True, char_context=CharContext.empty()
        )
        assert unmark(without.text) != clean


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
    # 过程 … 中 with ASCII between: the two words are still scored as a pair (过程中 is common),
    # so 中 is read with confidence; with an unrelated word there, it stays in doubt.
    words_only = {"assume_damaged": True, "char_context": CharContext.empty()}
    result = repair_text(damage_text("训练过程 X 中 y"), **words_only)
    assert result.text == "训练过程 X 中 y"
    assert result.uncertain == ()
    unrelated = repair_text(damage_text("# 笔记 X 中 y"), **words_only)
    assert unrelated.uncertain_count == 1


def test_still_marks_what_context_cannot_decide() -> None:
    # Nothing around ä¸ but ASCII: the reading must be flagged, table or not.
    result = repair_text(damage_text("# 笔记\nA 与 B\n"))
    assert result.uncertain_count == 1
    assert result.uncertain[0].line == 2
