"""Scoring new papers by keywords: whole words, any case, title matches count more.

Every expectation here was worked out by hand from the rules in kbtool/watch_scoring.py.
"""

from __future__ import annotations

import pytest

from kbtool.watch.scoring import Keyword, Scorer, keyword_pattern, mentions, normalized_keyword
from kbtool.watch.settings import WatchSettings

DIGEST = WatchSettings()


def digest_scorer() -> Scorer:
    return Scorer(DIGEST.keywords, DIGEST.exclude_keywords, DIGEST.title_weight)


def test_a_paper_from_the_researchers_digest_scores_as_worked_out_by_hand() -> None:
    # Paper 1 of the digest, its title and the start of its abstract as the digest shows them.
    title = "Double-P: Hierarchical Top-P Sparse Attention for Long-Context LLMs"
    abstract = (
        "As long-context inference becomes central to large language models (LLMs), attention "
        "over growing key-value caches emerges as a dominant decoding bottleneck, motivating "
        "sparse attention for scalable inference. Fixed-budget top-k sparse attention cannot "
        "adapt to heterogeneous attention distributions ..."
    )
    result = digest_scorer().score(title, abstract)
    # In the title: LLM (as "LLMs"), Attention, Sparse → 3 × 1.5 = 4.5.
    # In the abstract only: Inference, Decoding, Scalable → 3 × 1 = 3. Total 7.5.
    # Not matched: "Efficient" (absent), "Decode" ("decoding" is not a plural of it).
    assert result.score == 7.5
    assert result.keywords == ("LLM", "Inference", "Attention", "Sparse", "Decoding", "Scalable")
    assert result.title_keywords == ("LLM", "Attention", "Sparse")
    assert not result.excluded


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        # RL is a word of its own, never a piece of another.
        ("RL", "Offline RL for robots", True),
        ("RL", "Scaling Cross-Episode Meta-RL", True),
        ("RL", "an RL-based planner", True),
        ("RL", "reinforcement learning (RL)", True),
        ("RL", "RL_agent baselines", True),  # "_" separates words
        ("RL", "paste the URL here", False),
        ("RL", "RLHF for chat models", False),
        ("RL", "a CURL-style objective", False),
        ("RL", "R.L. Stevenson", False),
        # Any case: MOE, MoE and moe are one keyword.
        ("MOE", "Sparse MoE layers", True),
        ("MOE", "a moe router", True),
        ("MoE", "MOE with 64 experts", True),
        ("MoE", "two MoEs compared", True),  # plural
        ("MoE", "Moebius transforms", False),
        # Plurals: s or es after a final letter, nothing else.
        ("LLM", "Large language models (LLMs) are", True),
        ("Kernel", "fused GPU kernels", True),
        ("batch", "small batches", True),
        ("Decode", "the decoder stack", False),
        ("Decode", "it decodes faster", True),
        ("Training", "efficient pretraining", False),
        ("Training", "efficient pre-training", True),
        ("Efficiency", "efficiencies", False),
        # A final digit takes no plural; hyphens still separate.
        ("FP8", "FP8-based training", True),
        ("FP8", "several FP8s", False),
        ("FP4", "FP48 format", False),
        # Several words: any spacing or hyphens in between, whole words at both ends.
        ("mixture of experts", "A Mixture-of-Experts model", True),
        ("mixture of experts", "a mixture of\nexperts", True),
        ("mixture of experts", "mixtures of experts", False),
        ("mixture of experts", "a mixture of expert systems", False),
        ("speculative decoding", "Speculative  Decoding at scale", True),
        ("pre-training", "pre training data", True),
        ("pre-training", "pretraining data", False),
        # Keywords that start or end in punctuation still match as written.
        ("C++", "written in C++ and Rust", True),
        ("C++", "written in C++11", True),
    ],
)
def test_whole_word_matching(keyword: str, text: str, expected: bool) -> None:
    assert mentions(text, keyword) is expected


def test_a_keyword_counts_once_however_often_it_appears() -> None:
    scorer = Scorer([Keyword("attention")], title_weight=1.5)
    assert scorer.score("x", "attention attention attention").score == 1.0
    assert scorer.score("Attention", "attention attention").score == 1.5


def test_weights_and_title_weight() -> None:
    scorer = Scorer([Keyword("RLHF", 2.0), Keyword("LLM", 0.5)], title_weight=3.0)
    # RLHF in the title: 2 × 3 = 6; LLM in the abstract only: 0.5. Total 6.5.
    result = scorer.score("RLHF without tears", "We align an LLM.")
    assert result.score == 6.5
    assert result.keywords == ("RLHF", "LLM") and result.title_keywords == ("RLHF",)
    # Weights that are not exact in binary add up to what is written.
    tenths = Scorer([Keyword("a", 0.1), Keyword("b", 0.2)])
    assert tenths.score("", "a b").score == 0.3


def test_no_keyword_no_score() -> None:
    result = digest_scorer().score("Galaxy rotation curves", "We measure stars.")
    assert result.score == 0.0 and result.keywords == () and not result.excluded


@pytest.mark.parametrize(
    ("title", "abstract", "excluded_by"),
    [
        ("A Survey of Efficient LLM Inference", "We cover efficient inference.", "survey"),
        ("Efficient LLM inference", "In this tutorial we show training tricks.", "tutorial"),
        ("Efficient inference", "We review two surveys of kernels.", "survey"),
        ("Efficient inference", "Peer Reviews of kernels.", "review"),
    ],
)
def test_exclude_keywords_drop_a_paper_whatever_its_score(
    title: str, abstract: str, excluded_by: str
) -> None:
    result = digest_scorer().score(title, abstract)
    assert result.excluded and result.excluded_by == excluded_by
    assert result.score == 0.0 and result.keywords == ()


def test_exclude_keywords_are_whole_words_too() -> None:
    # "surveillance", "reviewer" and "preview" are not "survey" or "review".
    result = digest_scorer().score(
        "Efficient surveillance video inference", "A reviewer asked for a preview of the kernel."
    )
    assert not result.excluded
    # Efficient and Inference in the title (2 × 1.5), Kernel in the abstract (1): 4.
    assert result.score == 4.0


def test_keyword_identity_ignores_case_spacing_and_hyphens() -> None:
    assert normalized_keyword("Mixture-of-Experts") == normalized_keyword(" mixture  of experts ")
    assert normalized_keyword("MoE") == normalized_keyword("MOE")
    with pytest.raises(ValueError):
        keyword_pattern(" - ")
