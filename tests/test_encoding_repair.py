"""Tests for kbtool.repair on real text: no mocks, the real jieba dictionary."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.repair import (
    MARK_CLOSE,
    MARK_OPEN,
    Lexicon,
    RepairResult,
    damage_text,
    repair_text,
)

DATA = Path(__file__).parent / "data" / "encoding"
HAN = re.compile(r"[\u4e00-\u9fff]")


def unmark(text: str) -> tuple[str, set[int]]:
    """The text without markers, and the indexes (in it) of the characters that were marked."""
    plain: list[str] = []
    marked: set[int] = set()
    inside = False
    for char in text:
        if char == MARK_OPEN:
            inside = True
        elif char == MARK_CLOSE:
            inside = False
        else:
            if inside:
                marked.add(len(plain))
            plain.append(char)
    return "".join(plain), marked


def check_consistent(result: RepairResult) -> None:
    assert result.damaged_chars == (
        result.restored_unique + result.restored_by_lexicon + result.uncertain_count
    )
    lines = result.text.split("\n")
    for item in result.uncertain:
        line = lines[item.line - 1]
        assert line[item.column - 1] == item.guess
        assert MARK_OPEN in line[: item.column - 1]


# ----------------------------------------------------------------------- the damage


def test_damage_model_reproduces_the_seeds() -> None:
    """The hand-verified readings of lines copied from seeds 000 and 004, damaged by
    ``damage_text``, give back exactly the bytes found in the seeds."""
    damaged = (DATA / "seed_lines_damaged.txt").read_text(encoding="utf-8").splitlines()
    expected = (DATA / "seed_lines_expected.txt").read_text(encoding="utf-8").splitlines()
    assert len(damaged) == len(expected) == 17
    for seen, clean in zip(damaged, expected, strict=True):
        assert damage_text(clean) == seen


def test_damage_drops_lost_bytes_and_reads_f0_as_g_breve() -> None:
    assert damage_text("训练") == "è®ç»ƒ"  # e8 ae AD e7 bb 83: the soft hyphen is gone
    assert damage_text("🤖") == "ğŸ¤–"  # f0 9f a4 96: 0xF0 is ğ in Windows-1254
    assert damage_text("提") == "æ"  # e6 8f 90: both continuation bytes lost
    assert damage_text("A×τ") == "AÃ—Ï„"


# ------------------------------------------------------------------------ repairs


def test_xunlian_example() -> None:
    result = repair_text("è®ç»ƒ")
    assert result.text == "训练"
    assert result.damaged_chars == 1
    assert result.restored_by_lexicon == 1
    assert result.uncertain == ()


def test_real_seed_lines() -> None:
    damaged = (DATA / "seed_lines_damaged.txt").read_text(encoding="utf-8")
    expected = (DATA / "seed_lines_expected.txt").read_text(encoding="utf-8")
    result = repair_text(damaged)
    check_consistent(result)
    plain, marked = unmark(result.text)
    assert len(plain) == len(expected)
    guesses = {}
    offsets = [0]
    for line in plain.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    for item in result.uncertain:
        index = offsets[item.line - 1] + len(
            unmark(result.text.split("\n")[item.line - 1][: item.column - 1])[0]
        )
        guesses[index] = (item.guess, *item.alternatives)
    assert set(guesses) == marked
    for index, (got, want) in enumerate(zip(plain, expected, strict=True)):
        if index in marked:
            assert want in guesses[index], (index, got, want)
        else:
            assert got == want, (index, got, want, expected[index - 10 : index + 10])
    han = [i for i, c in enumerate(expected) if HAN.match(c)]
    exact = sum(plain[i] == expected[i] for i in han) / len(han)
    assert exact >= 0.97
    # The things that are not Chinese: emoji, 𝑄, ×, VS16 after ⚖, full-width punctuation.
    for snippet in ("🤖", "🚀", "🔍", "🎯", "⚖️", "𝑄 values", "1 × 10^-4", "（=query", "“**粗估"):
        assert snippet in plain


def test_clean_corpus_damaged_and_repaired() -> None:
    clean = (DATA / "clean_zh.md").read_text(encoding="utf-8")
    damaged = damage_text(clean)
    result = repair_text(damaged)
    check_consistent(result)
    plain, marked = unmark(result.text)
    assert len(plain) == len(clean)
    # ASCII (English, code, LaTeX) is untouched, character for character.
    for index, char in enumerate(clean):
        if char.isascii():
            assert plain[index] == char
    han = [i for i, c in enumerate(clean) if HAN.match(c)]
    assert len(han) > 1000
    exact = sum(plain[i] == clean[i] for i in han) / len(han)
    silent = sum(plain[i] != clean[i] and i not in marked for i in range(len(clean)))
    assert exact >= 0.985, exact  # 98.2% with word unigrams alone, 98.7% with context
    assert silent <= 0.002 * len(han), silent
    # Every non-Han character (punctuation, emoji, Greek in prose) comes back too.
    others = [i for i, c in enumerate(clean) if not c.isascii() and not HAN.match(c)]
    assert sum(plain[i] == clean[i] for i in others) >= 0.98 * len(others)
    # Far better than re-encoding alone.
    assert result.damaged_chars > 0.2 * len(han)


def test_clean_text_is_left_identical() -> None:
    clean = (DATA / "clean_zh.md").read_text(encoding="utf-8")
    mixed = clean + "\nnaïve café, 256 × 256, τ = 0.5, Grüße, ½ — “quoted” 🤖\n"
    for text in (clean, mixed):
        result = repair_text(text)
        assert result.text == text
        assert result.mojibake_runs == 0
        assert result.uncertain == ()


def test_genuine_latin1_letters_survive_in_a_damaged_document() -> None:
    text = "è®ç»ƒ a café and 256 × 256 here"
    assert repair_text(text).text == "训练 a café and 256 × 256 here"


def test_uncertain_characters_are_marked_with_their_line() -> None:
    # 与, 不 and 中 lose their last byte to the same mojibake (ä¸); with nothing around to
    # decide, the reading must be flagged, not guessed silently.
    damaged = damage_text("# 笔记\nA 与 B\n")
    result = repair_text(damaged)
    check_consistent(result)
    assert result.uncertain_count == 1
    item = result.uncertain[0]
    assert item.line == 2
    assert item.mojibake == "ä¸"
    assert "与" in (item.guess, *item.alternatives)
    assert result.uncertain_lines == (2,)
    assert result.text.split("\n")[1] == f"A {MARK_OPEN}{item.guess}{MARK_CLOSE} B"


def test_assume_damaged_overrides_detection() -> None:
    # "è®" alone has no complete multi-byte character, so it is not taken for mojibake...
    assert repair_text("è® x").text == "è® x"
    # ...unless the caller knows better.
    assert unmark(repair_text("è® x", assume_damaged=True).text)[0] == "训 x"
    assert repair_text("è®ç»ƒ", assume_damaged=False).text == "è®ç»ƒ"


def test_custom_lexicon_and_learning() -> None:
    damaged = damage_text("步数")  # 步 = e6 AD a5 → æ¥, which also reads as 来 (e6 9D a5)
    base = Lexicon({"来": 1000.0, "数": 1000.0, "步": 10.0})
    assert unmark(repair_text(damaged, lexicon=base).text)[0] == "来数"
    learned = base.learn(["步数"] * 50)
    assert learned.logprob("步数") is not None
    assert unmark(repair_text(damaged, lexicon=learned).text)[0] == "步数"
    assert base.logprob("步数") is None  # lexicons are immutable


def test_default_lexicon_is_cached_and_has_frequencies() -> None:
    lexicon = Lexicon.default()
    assert lexicon is Lexicon.default()
    training, rare = lexicon.logprob("训练"), lexicon.logprob("训炼")
    assert training is not None and rare is None
    assert lexicon.is_prefix("训") and not lexicon.is_prefix("训练x")


def test_speed_on_a_long_document() -> None:
    clean = (DATA / "clean_zh.md").read_text(encoding="utf-8")
    damaged = damage_text(clean * 25)  # ~250 KB of UTF-8 mojibake, like seed 004
    Lexicon.default()
    # CPU time, not wall time: the repair is single-threaded work, and other jobs on a
    # shared machine stretch the wall clock (about 3 s of CPU here).
    start = time.process_time()
    result = repair_text(damaged)
    assert time.process_time() - start < 10.0
    assert result.damaged_chars > 5000


# ---------------------------------------------------------------------- properties

ASCII = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127))
WORDS = st.sampled_from(
    ["训练", "模型", "扩散", "学习率", "中", "注意力", "，", "。", "🤖", "（", "）"]
)


@given(ASCII)
def test_ascii_is_unchanged(text: str) -> None:
    result = repair_text(text)
    assert result.text == text
    assert result.damaged_chars == 0


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(ASCII, WORDS), max_size=12))
def test_ascii_around_damaged_chinese_is_unchanged(parts: list[str]) -> None:
    clean = "".join(parts)
    result = repair_text(damage_text(clean), assume_damaged=True)
    check_consistent(result)
    plain, _ = unmark(result.text)
    assert len(plain) == len(clean)
    assert [c for c in plain if c.isascii()] == [c for c in clean if c.isascii()]
    for index, char in enumerate(clean):
        if char.isascii():
            assert plain[index] == char


@pytest.mark.parametrize("text", ["é", "Ã", "café", "naïve", "×", "“quoted”", "a’s"])
def test_lone_latin1_is_not_mojibake(text: str) -> None:
    assert repair_text(text).text == text


def test_brackets_are_read_by_their_partner() -> None:
    # 【 (e3 80 90) and 、 (e3 80 81) both become ã€ ; the certain 】 decides, and so does
    # the absence of one. Likewise ” (e2 80 9d) after a certain “.
    clean = "- 【实验】复现结果、整理笔记\n- 作者称之为“顿悟”。\n"
    result = repair_text(damage_text(clean))
    assert unmark(result.text)[0] == clean
    # The brackets and quotes are certain (复现 may be marked: technical text rarely has it).
    assert {u.guess for u in result.uncertain} <= {"复", "现"}
