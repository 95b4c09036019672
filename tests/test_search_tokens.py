"""How text becomes search terms (kbtool.search.tokens): the rules, and the fast path agreeing
with their plain statement. The browser's tokenizer is held to the same lists in
tests/test_search_browser.py."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from kbtool.search.tokens import add_terms, atoms, canonical, normalize, tokenize

# Text the way notes mix it: Latin words and ids, joiners, Chinese, full-width forms.
MIXED_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 -_./'’+&:;,!?()⟦⟧\n")
        + list("模型长上下文剪枝率的一")
        + ["Ａ", "１", "ｆ", "ア", "々", "𠀀", "é", "é", "ß", "Σ"]
    ),
    max_size=60,
)


def test_text_is_normalised_before_it_is_read() -> None:
    assert normalize("ＦａｓｔＧｅｎ ⟦长⟧上下文 Σ") == "fastgen 长上下文 σ"


def test_chinese_is_read_as_characters_and_their_pairs() -> None:
    assert tokenize("长上下文") == [
        ("长上", 0),
        ("长", 0),
        ("上下", 1),
        ("上", 1),
        ("下文", 2),
        ("下", 2),
        ("文", 3),
    ]


def test_compounds_are_read_whole_and_in_parts() -> None:
    assert tokenize("T2V-Turbo-v2 FastGen") == [
        ("t2v-turbo-v2", 0),
        ("t2v", 0),
        ("turbo", 1),
        ("v2", 2),
        ("fastgen", 3),  # camelCase is one word
    ]
    # An arXiv id with a version is also read without it.
    assert tokenize("2602.05774v2") == [
        ("2602.05774v2", 0),
        ("2602.05774", 0),
        ("2602", 0),
        ("05774v2", 1),
    ]


def test_words_and_chinese_share_positions() -> None:
    # "KV缓存" are neighbours: the word, then the first character.
    assert tokenize("KV缓存 cache")[:2] == [("kv", 0), ("缓存", 1)]
    assert tokenize("KV缓存 cache")[-1] == ("cache", 3)


def test_punctuation_separates_and_joiners_join() -> None:
    assert [t for t, _ in tokenize("a.b, c: d")] == ["a.b", "a", "b", "c", "d"]
    assert [t for t, _ in tokenize("end. Next")] == ["end", "next"]


def test_canonical_text_compares_names_however_they_are_written() -> None:
    assert canonical("T2V-Turbo-v2") == canonical("t2v turbo V2") == "t2v turbo v2"
    assert canonical("Position Interpolation (PI)") == "position interpolation pi"
    assert list(atoms("模型 FastGen")) == ["模", "型", "fastgen"]


@given(MIXED_TEXT)
def test_the_fast_path_reads_the_same_terms(text: str) -> None:
    terms: dict[str, list[int]] = {}
    chars: Counter[str] = Counter()
    end = add_terms(text, terms, chars)
    listed = tokenize(text)
    single = [(t, p) for t, p in listed if len(t) == 1 and t in chars]
    assert Counter(t for t, _ in single) == chars
    positions: dict[str, list[int]] = {}
    for term, position in listed:
        if (term, position) not in single:
            positions.setdefault(term, []).append(position)
    assert positions == terms
    assert end == (max((p for _, p in listed), default=-1) + 1 if listed else 0)


@given(st.text(alphabet=st.sampled_from(list("模型长上下文剪枝率")), min_size=2, max_size=30))
def test_every_chinese_substring_is_found_as_consecutive_pairs(text: str) -> None:
    at = {}
    for term, position in tokenize(text):
        at.setdefault(term, set()).add(position)
    for start in range(len(text) - 1):
        for end in range(start + 2, len(text) + 1):
            pairs = [text[i : i + 2] for i in range(start, end - 1)]
            first = at[pairs[0]]
            assert any(all(p + k in at[pair] for k, pair in enumerate(pairs)) for p in first)
