"""A note's Markdown as the text search indexes and quotes (kbtool.search.text)."""

from __future__ import annotations

import pytest

from kbtool.search.text import markdown_to_text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("See [the paper](https://arxiv.org/abs/1 'Title') now.", "See the paper now."),
        ("![a pipeline figure](fig.png){ width=50% }", "a pipeline figure"),
        ("[![logo](x.png)](https://example.org)", "logo"),
        (
            "Builds on [[2311.15127|SVD]] and [[2310.12190#training]].",
            "Builds on SVD and 2310.12190 training.",
        ),
        ("<details><summary>More</summary>hidden <b>text</b></details>", "More hidden text"),
        ("A figure {: .center } here { #anchor }", "A figure here"),
        ("**bold** _emph_ ~~gone~~ ==mark== `kv_cache` x_1", "bold emph gone mark kv_cache x_1"),
        ("Loss $\\mathcal{L} = \\sum_t x_t$ is small.", "Loss L = t x t is small."),
        ("a &amp; b &lt; c | d", "a & b < c d"),
        ("Footnote[^1].\n\n[^1]: The note.", "Footnote.\nThe note."),
        ("[ref]: https://example.org\nText", "Text"),
        ("模型⟦检⟧查点", "模型检查点"),  # the repair's marks go, their characters stay
    ],
)
def test_inline_markdown_becomes_text(markdown: str, text: str) -> None:
    assert markdown_to_text(markdown) == text


def test_blocks_become_paragraphs() -> None:
    markdown = """\
# Method

- first point
- [x] done
1. numbered

> quoted
> on two lines

!!! note "No title in the sources"
    Inside the admonition.

| a | b |
|---|---|
| 1 | 2 |
"""
    assert markdown_to_text(markdown).split("\n") == [
        "Method",
        "first point done numbered",
        "quoted on two lines",
        '"No title in the sources" Inside the admonition.',
        "a b 1 2",
    ]


def test_code_is_kept_as_written() -> None:
    markdown = "Before\n```python\nloss = (x - y).pow(2)  # [not a link](x)\n```\nAfter"
    assert markdown_to_text(markdown).split("\n") == [
        "Before",
        "loss = (x - y).pow(2) # [not a link](x)",
        "After",
    ]


def test_source_labels_keep_their_heading_path() -> None:
    markdown = (
        "Long-Context › 相对后置 — `000_5d12a05c003c2611.txt` lines 361–362\n"
        "{ .kb-source }\n\nThe note itself."
    )
    assert markdown_to_text(markdown) == "Long-Context › 相对后置\nThe note itself."


def test_html_comments_and_tags_never_leak() -> None:
    text = markdown_to_text("<!-- secret -->Visible <span class='x'>text</span> a < b")
    assert text == "Visible text a < b"
