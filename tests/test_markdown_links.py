"""Finding links, images, wikilinks and anchors in note bodies."""

from __future__ import annotations

from kbtool.core.markdown_links import LinkKind, anchors, extract_links, iter_headings, mask_code

BODY = """\
Intro with [a link](other.md#method) and ![fig](img/fig.png "title").
See [[2410.05677#tl-dr|T2V]] and [[Some Note]], ![[embed.png]].
- [DynamiCrafter](https://arxiv.org/pdf/2310.12190) bare https://example.org/x).
<https://auto.example/link> and <img src="local.png"> and <a href='x.md'>x</a>

```python
[not a link](nope.md) https://in-code.example
```
Inline `[[not-wiki]]` code.
[ref]: https://ref.example/target
[nested ![img](n.png)](https://outer.example)
中文 https://huggingface.co/datasets/x.csv （2.57M）
"""


def test_extract_links_kinds_targets_and_lines() -> None:
    found = [(r.kind, r.target, r.line) for r in extract_links(BODY, first_line=10)]
    assert found == [
        (LinkKind.LINK, "other.md#method", 10),
        (LinkKind.IMAGE, "img/fig.png", 10),
        (LinkKind.WIKILINK, "2410.05677", 11),
        (LinkKind.WIKILINK, "Some Note", 11),
        (LinkKind.WIKILINK, "embed.png", 11),
        (LinkKind.LINK, "https://arxiv.org/pdf/2310.12190", 12),
        (LinkKind.BARE_URL, "https://example.org/x", 12),
        (LinkKind.AUTOLINK, "https://auto.example/link", 13),
        (LinkKind.HTML, "local.png", 13),
        (LinkKind.HTML, "x.md", 13),
        (LinkKind.REFERENCE, "https://ref.example/target", 19),
        (LinkKind.LINK, "https://outer.example", 20),
        (LinkKind.IMAGE, "n.png", 20),
        (LinkKind.BARE_URL, "https://huggingface.co/datasets/x.csv", 21),
    ]


def test_wikilink_parts() -> None:
    refs = [r for r in extract_links(BODY) if r.kind is LinkKind.WIKILINK]
    assert (refs[0].anchor, refs[0].label) == ("tl-dr", "T2V")
    assert refs[2].embed


def test_mask_code_keeps_length_and_lines() -> None:
    masked = mask_code(BODY)
    assert len(masked) == len(BODY)
    assert masked.count("\n") == BODY.count("\n")
    assert "nope.md" not in masked and "not-wiki" not in masked


def test_indented_and_tilde_fences_are_code() -> None:
    text = "- item\n    ```\n    [x](gone.md)\n    ```\n~~~\n[y](gone2.md)\n~~~\n[z](kept.md)\n"
    assert [r.target for r in extract_links(text)] == ["kept.md"]


def test_heading_anchors_match_the_site() -> None:
    text = (
        "# TL;DR\n## Method\n## Method\n### 三阶段训练 (ii)\n"
        '## Custom {#my-id}\nSetext\n------\n<a id="raw"></a>\n'
        "```\n# not a heading\n```\n## **Bold** and [link](x.md)\n"
    )
    headings = list(iter_headings(text))
    assert [h.anchor for h in headings] == [
        "tldr",
        "method",
        "method_1",
        "三阶段训练-ii",
        "my-id",
        "setext",
        "bold-and-link",
    ]
    assert [h.line for h in headings] == [1, 2, 3, 4, 5, 6, 12]
    assert anchors(text) >= {"tldr", "method_1", "raw", "my-id"}
    assert "not-a-heading" not in anchors(text)


def test_list_items_above_dashes_are_not_setext_headings() -> None:
    assert list(iter_headings("- item\n---\n")) == []


def test_double_bracket_text_before_a_destination_is_a_link_not_a_wikilink() -> None:
    # Seen in the researcher's notes: [[paper]](url)[[repo]](url)
    text = "[[paper]](https://arxiv.org/pdf/2211.17192)[[repo]](https://github.com/a/b)\n"
    found = [(r.kind, r.target, r.label) for r in extract_links(text)]
    assert found == [
        (LinkKind.LINK, "https://arxiv.org/pdf/2211.17192", "[paper]"),
        (LinkKind.LINK, "https://github.com/a/b", "[repo]"),
    ]
