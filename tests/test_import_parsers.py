"""Each format parser on real excerpts of the researcher's files (Chinese as repaired)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kbtool.errors import InputError, UnknownFormatError
from kbtool.importers.formats import (
    arxiv_digest,
    awesome_list,
    detect_format,
    monthly_list,
    nested_bullets,
)
from kbtool.importers.model import LineUse, ParsedSource

SEEDS = Path(__file__).parent / "data" / "seeds"
#: Real excerpts of the seeds (Chinese as the repair restores it), trimmed to what each test needs.
EXCERPTS = Path(__file__).parent / "data" / "import"

NESTED = (EXCERPTS / "nested_bullets.md").read_text(encoding="utf-8")


def by_name(source: ParsedSource, name: str) -> list:
    return [m for m in source.mentions if name in (*m.names, m.title)]


@pytest.fixture(scope="module")
def nested() -> ParsedSource:
    return nested_bullets.parse("000.txt", NESTED)


def test_nested_bullets_papers_names_venues_tags(nested: ParsedSource) -> None:
    (turbo,) = by_name(nested, "T2V-Turbo-v2")
    assert str(turbo.arxiv) == "2410.05677"
    assert turbo.context == ("Image2Video", "SOTA")
    (lavie,) = by_name(nested, "LaVie")
    assert lavie.names == ("LaVie", "Vchitect1.0")
    (leak,) = [m for m in nested.mentions if m.arxiv and m.arxiv.base == "2406.15735"]
    assert leak.title.startswith("Identifying and Solving Conditional Image Leakage")
    assert leak.venue == "NeurIPS 2024"
    assert leak.tags == ("I2V模型SFT静止问题",)
    assert leak.code == ("https://github.com/thu-ml/cond-image-leakage",)
    (panda,) = by_name(nested, "Panda-70M")
    assert panda.venue == "CVPR 2024"
    (openvid,) = by_name(nested, "OpenVid")
    assert str(openvid.arxiv) == "2407.02371"  # the export. host
    assert openvid.tags == ("under-review",)
    (report,) = [m for m in nested.mentions if m.arxiv and m.arxiv.base == "2407.11784"]
    assert report.names == () and report.title is None and report.tags == ("technical-report",)
    (noise,) = by_name(nested, "$\\int$-noise")
    assert noise.openreview == "pzElnMrgSD"
    assert (noise.venue, noise.tags) == ("ICLR 2024", ("oral",))


def test_nested_bullets_bare_urls_and_title_links(nested: ParsedSource) -> None:
    (pav,) = by_name(nested, "Deepmind PAV")
    assert str(pav.arxiv) == "2410.08146"
    pair = [m for m in nested.mentions if m.line == pav.line + 2]
    assert [str(m.arxiv) for m in pair] == ["2410.13121", "2410.13246"]
    assert pair[0].block == pair[1].block  # one bullet, two papers: both get its text
    (dpo,) = by_name(nested, "DPO - Q-function")
    assert str(dpo.arxiv) == "2404.12358v2"
    (fast,) = by_name(nested, "Fast Inference from Transformers via Speculative Decoding")
    assert fast.code == ("https://github.com/feifeibear/LLMSpeculativeSampling",)
    (eagle,) = by_name(
        nested, "EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty"
    )
    assert eagle.venue == "ICML 2024"
    assert eagle.project == ("https://sites.google.com/view/eagle-llm",)
    (alibi,) = by_name(nested, "ALIBI")
    assert alibi.title.startswith("Train Short, Test Long")
    assert alibi.venue == "ICLR 2022"


def test_nested_bullets_papers_known_by_name_or_other_link(nested: ParsedSource) -> None:
    (venhancer,) = by_name(nested, "Venhancer")
    assert venhancer.arxiv is None and venhancer.url is None
    (star,) = by_name(nested, "STAR")
    assert "1. 使用少量推理示例" in star.block.text
    (ntk,) = by_name(nested, "Dynamic-NTK")
    assert ntk.url == "https://www.reddit.com/r/LocalLLaMA/comments/14lz7j5/ntkaware_scaled_rope/"
    names = {n for m in nested.mentions for n in (*m.names, m.title or "")}
    # Groups, labels, lists of titles and paper-less bullets are not papers.
    for not_a_paper in (
        "SOTA",
        "MotionClone",
        "Instruction-Mining",
        "Post-training",
        "LLaMA3.1 tech report 数据清理策略",
        "MCTS 流程理解",
        "Scissorhands",
    ):
        assert not_a_paper not in names


def test_nested_bullets_nesting_math_and_fixes(nested: ParsedSource) -> None:
    (noise,) = by_name(nested, "$\\int$-noise")
    assert noise.block.text.split("\n") == [
        "- [ICLR24 oral (8 8 8 6)] [$\\int$-noise]"
        "(https://openreview.net/forum?id=pzElnMrgSD) ∫-noise",
        "    - **扭曲噪声**:使用上采样后的光流图将噪声从一帧扭曲到另一帧",
        "",
        "        $$",
        "        T_A(W) = \\int_{x \\in A} W(T^{-1}(x)) \\, dx",
        "        $$",
        "",
        "    - 缺点:",
        "        - 计算开销",
    ]
    (star,) = by_name(nested, "STAR")
    assert star.block.text.split("\n")[1:] == [
        "    - 目前，让语言模型生成推理过程的方法主要有两种",
        "        1. 使用少量推理示例引导语言模型生成多个问题的推理过程。",
    ]
    (ntk,) = by_name(nested, "Dynamic-NTK")
    assert ntk.block.text == (
        "- Dynamic-NTK  [Reddit](https://www.reddit.com/r/LocalLLaMA/comments/14lz7j5/"
        "ntkaware_scaled_rope/)\n\n    > PI的缩放是平等对待地对待所有维度"
    )
    (fast,) = by_name(nested, "Fast Inference from Transformers via Speculative Decoding")
    assert "[\\[paper\\]](https://arxiv.org/pdf/2211.17192)" in fast.block.text


def test_nested_bullets_topic_text(nested: ParsedSource) -> None:
    texts = {b.topic_hints[-1]: b.block.text for b in nested.topic_blocks}
    sota = texts["SOTA"]
    assert sota.startswith("- SOTA\n")
    assert "{ .kb-expired-image }" in sota
    (turbo,) = by_name(nested, "T2V-Turbo-v2")
    assert f"    - {turbo.key.placeholder()}" in sota.split("\n")
    assert "Boosting Camera Motion Control" in texts["Motion-Control / Guidance"]
    assert "branch-train-mix" in texts["LLaMA3.1 tech report 数据清理策略:"]
    assert "Scissorhands (Liu et al., 2023b)" in texts["base 缩放"]
    assert "mp.weixin.qq.com" in texts["MCTS 流程理解："]


def test_nested_bullets_accounts_for_every_line(nested: ParsedSource) -> None:
    lines = NESTED.split("\n")
    for number, text in enumerate(lines, 1):
        if text.strip():
            assert number in nested.uses, (number, text)
    assert nested.uses[1] is LineUse.SKIPPED  # the file's title
    assert nested.uses[3] is LineUse.CONTEXT
    assert [s.text for s in nested.skipped] == ["# Paper-Reading", "## Image-Tokenizer"]


MONTHLY = (EXCERPTS / "monthly_list.md").read_text(encoding="utf-8")


def test_monthly_list() -> None:
    source = monthly_list.parse("002.txt", MONTHLY)
    first, second = source.mentions
    assert (
        first.title
        == "MA-LMM: Memory-Augmented Large Multimodal Model for Long-Term Video Understanding"
    )
    assert first.context == ("202404", "LLM") and first.topic_hints == ("202404", "LLM")
    assert first.block.text == textwrap.dedent(
        """\
        - `Keypoints:`Memory bank; Long-Term Video Understanding;
        - `Objective:`Instead of trying to process more frames simultaneously.

        ??? note "Details"

            - `Method:`
                - Auto-regressively process video frames in an online manner;"""
    )
    assert second.context == ("202404", "Diffusion")
    assert "    - `Discussion:` This paper argue" in second.block.text
    assert source.uses[11] is LineUse.TITLE
    assert source.uses[15] is LineUse.MARKUP  # -   <details>
    assert source.uses[16] is LineUse.NOTE  # <summary>Details</summary> → the ??? line
    assert source.uses[21] is LineUse.MARKUP  # </details>
    assert [s.reason for s in source.skipped] == [
        "the file's title (the notes name their source file instead)",
        "the file's title (the notes name their source file instead)",
    ]


AWESOME = (EXCERPTS / "awesome_list.md").read_text(encoding="utf-8")


def test_awesome_list() -> None:
    source = awesome_list.parse("003.txt", AWESOME)
    muse, tradeoffs, galore, collage = source.mentions
    assert muse.title.startswith("Muse:") and str(muse.arxiv) == "2301.00704"
    assert (muse.venue, muse.tags) == ("ICML 2023", ("mask-token-prediction",))
    assert muse.authors == ()  # an elided author list is not the authors
    assert muse.code == (
        "https://github.com/lucidrains/muse-maskgit-pytorch",
        "https://github.com/huggingface/amused",
    )
    assert muse.block.text.split("\n")[1] == "    - Huiwen Chang, Han Zhang,..., Dilip Krishnan"
    assert str(tradeoffs.arxiv) == "2405.13218" and tradeoffs.venue is None
    assert tradeoffs.authors == ("Maciej Kilian", "Varun Jampani", "Luke Zettlemoyer")
    assert galore.openreview == "hYHsrKDiX7"
    assert (galore.venue, galore.tags) == ("ICML 2024", ("oral",))
    assert "Idea: GaLore，一种通过梯度低秩投影" in galore.block.text
    # Field lines flush with the entry are its children all the same.
    assert collage.authors == ("Tao Yu", "Gaurav Gupta")
    assert collage.block.text.split("\n")[1:] == [
        "    - Tao Yu, Gaurav Gupta",
        "    - Code: Waiting",
    ]
    assert (collage.venue, collage.tags) == ("ICML 2024", ("poster",))
    (quote,) = source.topic_blocks
    assert quote.block.text.startswith("> In recent times")
    reasons = {s.line: s.reason for s in source.skipped}
    assert reasons[3] == "the list's own introduction (file preamble)"
    assert reasons[20].startswith("commented out") and reasons[22].startswith("commented out")
    assert "empty section" in reasons[33]  # ### Spotlight


DIGEST = (EXCERPTS / "arxiv_digest.md").read_text(encoding="utf-8")


def test_arxiv_digest() -> None:
    source = arxiv_digest.parse("004.txt", DIGEST)
    first, second = source.mentions
    assert first.title == "Double-P: Hierarchical Top-P Sparse Attention for Long-Context LLMs"
    assert str(first.arxiv) == "2602.05191v1"
    assert first.authors == ("Wentao Ni", "Kangqi Zhang")
    assert (first.published, first.primary_category, first.status) == (
        "2026-02-06",
        "cs.LG",
        "to-read",
    )
    assert first.context == ("📚 Recent Papers",)
    text = first.block.text
    assert "**Score**: 10.5  \n" in text
    assert "\n## Abstract\n" in text
    assert '??? note "🤖 AI Summary (by qwen-long) - Click to expand"' in text
    assert "\n    ## 论文总结\n" in text and "\n    ### 1. 论文的主要贡献\n" in text
    assert [str(r.arxiv) for r in first.refs] == ["2412.15115"]
    assert str(second.arxiv) == "2602.05145v1"
    skipped = {s.line: s.reason for s in source.skipped}
    assert skipped[3] == skipped[41] == skipped[43] == "the digest bot's own set-up text"
    assert source.uses[7] is LineUse.TITLE
    assert source.uses[5] is LineUse.CONTEXT
    assert source.uses[32] is LineUse.MARKUP  # ---


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("000_5d12a05c003c2611.txt", "nested-bullets"),
        ("001_c7c9bcd0b8655519.txt", "nested-bullets"),
        ("002_9e0ac7a3b9bc28b9.txt", "monthly-list"),
        ("003_cf0bf9a65bc717fa.txt", "awesome-list"),
        ("004_02f32a247155a116.txt", "arxiv-digest"),
    ],
)
def test_detect_format_of_each_seed(seed: str, expected: str) -> None:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    assert detect_format(text, seed).name == expected


@pytest.mark.parametrize(
    "text",
    [
        "Just a paragraph of prose.\n\nAnd another one.\n",
        '{"papers": ["https://arxiv.org/abs/2410.05677"]}\n',
        "# Shopping\n\n- milk\n  - oat\n  - soy\n  - almond\n",
        "",
    ],
)
def test_unknown_format_is_an_input_error(text: str) -> None:
    with pytest.raises(UnknownFormatError) as caught:
        detect_format(text, "notes.txt")
    assert isinstance(caught.value, InputError)
    assert str(caught.value).startswith("notes.txt: not in a format kbtool can import")


def test_arxiv_digest_sets_lists_and_tables_apart_from_the_text_above() -> None:
    source = arxiv_digest.parse(
        "004.txt", DIGEST.replace("# 论文总结\n", "# 论文总结\n现有方法：\n- 粗粒度\n")
    )
    text = source.mentions[0].block.text
    assert "    现有方法：\n\n    - 粗粒度\n" in text
    assert "\n\n    | Benchmark | Paper |\n" in text
