"""Merge rules, venues, links and topics: pure functions on hand-made mentions and labels."""

from __future__ import annotations

from datetime import date

import pytest

from kbtool.core.arxiv_id import parse_arxiv_id
from kbtool.core.note import parse_note
from kbtool.core.topics import parse_topics
from kbtool.importers.merge import merge
from kbtool.importers.model import ArxivRef, Block, Mention, MentionKey, ParsedSource, TopicBlock
from kbtool.importers.parsing.markdown_fixes import fix_line
from kbtool.importers.parsing.paper_links import LinkRole, classify_url, openreview_id, paper_links
from kbtool.importers.parsing.venues import classify_label
from kbtool.importers.render import render_note, render_topic_text
from kbtool.importers.topic_map import UNSORTED, topics_for

TOPICS, _ = parse_topics(
    """\
video-diffusion: {title: Video diffusion}
image-to-video: {title: Image-to-video, parent: video-diffusion, aliases: [image2video]}
video-datasets: {title: Video datasets, parent: video-diffusion, aliases: [dataset]}
noise-priors: {title: Noise priors, parent: video-diffusion}
motion-control: {title: Motion control, parent: video-diffusion}
video-inference-scaling: {title: Inference scaling, aliases: [inference scaling laws]}
rlhf: {title: RLHF}
process-reward-models: {title: PRMs, parent: rlhf, aliases: [prm]}
""",
    "topics.yml",
)


def mention(
    file: str,
    line: int,
    text: str = "text",
    *,
    hints: tuple[str, ...] = ("Image2Video",),
    arxiv: str | None = None,
    **fields: object,
) -> Mention:
    return Mention(
        MentionKey(file, line),
        Block(text, (line,)),
        hints,
        (),
        arxiv=parse_arxiv_id(arxiv) if arxiv else None,
        topic_hints=hints,
        **fields,  # type: ignore[arg-type]
    )


def source(name: str, *mentions: Mention, blocks: tuple[TopicBlock, ...] = ()) -> ParsedSource:
    return ParsedSource(name, "test", (), list(mentions), list(blocks))


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2406.18522",
        "https://arxiv.org/pdf/2406.18522",
        "https://arxiv.org/pdf/2406.18522v2",
        "https://arxiv.org/html/2406.18522v1",
        "https://export.arxiv.org/pdf/2406.18522",
        "http://www.arxiv.org/abs/2406.18522",
    ],
)
def test_every_arxiv_link_form_names_the_same_paper(url: str) -> None:
    (link,) = paper_links(f"- [X]({url})")
    assert link.arxiv is not None and link.arxiv.base == "2406.18522"


def test_link_roles() -> None:
    assert classify_url("https://openreview.net/forum?id=pzElnMrgSD") == (
        LinkRole.PAPER,
        None,
        "pzElnMrgSD",
    )
    assert openreview_id("https://openreview.net/pdf/d775ca7f.pdf") is None
    assert classify_url("https://proceedings.neurips.cc/paper/2023/file/x.pdf")[0] is LinkRole.PAPER
    assert classify_url("https://github.com/thu-ml/cond-image-leakage")[0] is LinkRole.CODE
    assert classify_url("https://mp.weixin.qq.com/s/Br")[0] is LinkRole.OTHER
    assert classify_url("https://arxiv.tachicoma.top/")[0] is LinkRole.OTHER


@pytest.mark.parametrize(
    ("label", "venue", "tags"),
    [
        ("ICLR24", "ICLR 2024", ()),
        ("NIPS 2024", "NeurIPS 2024", ()),
        ("NIPS24", "NeurIPS 2024", ()),
        ("CVPR 24", "CVPR 2024", ()),
        ("ASPLOS'24", "ASPLOS 2024", ()),
        ("NIPS 24 spotlight", "NeurIPS 2024", ("spotlight",)),
        ("ICLR24 oral (8 8 8 6)", "ICLR 2024", ("oral",)),
        ("CVPR 2024 Workshop", "CVPR 2024 Workshop", ()),
        ("ACL23 best paper", "ACL 2023", ("best-paper",)),
        ("Arxiv 2024", None, ()),
        ("Report 2024", None, ("technical-report",)),
        ("ICLR在投", None, ("under-review",)),
        ("NIPS没中ICLR在投", None, ("under-review",)),
        ("Next-Token Prediction", None, ("next-token-prediction",)),
        ("META", None, ("meta",)),
    ],
)
def test_labels_become_venues_and_tags(
    label: str, venue: str | None, tags: tuple[str, ...]
) -> None:
    meaning = classify_label(label)
    assert (meaning.venue, meaning.tags) == (venue, tags)


def test_headings_map_onto_topics() -> None:
    assert topics_for(("Image2Video", "Open-Domain Video-Generation Dataset"), TOPICS) == [
        "image-to-video"
    ]
    assert topics_for(("Image2Video", "Dataset"), TOPICS) == ["image-to-video", "video-datasets"]
    assert topics_for(("Image2Video", "Motion-Control / Guidance"), TOPICS) == [
        "image-to-video",
        "motion-control",
    ]
    assert topics_for(("RLHF", "PRM :"), TOPICS) == ["process-reward-models"]  # parent dropped
    assert topics_for(("Heavy-Inference Algorithm (Inference Scaling Laws)",), TOPICS) == [
        "video-inference-scaling"
    ]
    assert topics_for(("📚 Recent Papers",), TOPICS) == []


def test_same_arxiv_paper_across_files_and_versions_is_one_note() -> None:
    a = mention("000.txt", 10, "notes A", arxiv="2310.15169", names=("FreeNoise",))
    b = mention(
        "003.txt",
        97,
        "notes B",
        arxiv="2310.15169v2",
        title="FreeNoise: Tuning-Free Longer Video Diffusion via Noise Rescheduling",
        hints=("Heavy-Inference Algorithm (Inference Scaling Laws)",),
        venue="ICLR 2024",
    )
    other = mention("000.txt", 20, arxiv="2311.15127", names=("SVD",))
    result = merge([source("000.txt", a, other), source("003.txt", b)], TOPICS)
    assert len(result.papers) == 2
    paper = result.papers[0]
    assert paper.mentions == [a, b]
    assert paper.title.startswith("FreeNoise: Tuning-Free")
    assert paper.aliases == ["FreeNoise"]
    assert str(paper.arxiv) == "2310.15169v2"
    assert paper.topics == ["image-to-video", "video-inference-scaling"]
    assert paper.conflict is None


def test_openreview_url_and_title_identities() -> None:
    by_openreview = [
        mention(
            "a.txt", 1, openreview="wHBfxhZu1u", title="YaRN: Efficient Context Window Extension"
        ),
        mention("b.txt", 5, openreview="wHBfxhZu1u", names=("YaRN",)),
    ]
    by_url = [
        mention("a.txt", 2, url="https://proceedings.neurips.cc/x/H2O.pdf", names=("H2O",)),
        mention("b.txt", 6, url="http://proceedings.neurips.cc/x/H2O.pdf/", names=("H2O",)),
    ]
    linkless = [
        mention("a.txt", 3, names=("STAR",)),
        mention("b.txt", 7, names=("star",)),
        mention("b.txt", 8, names=("V-STaR",)),
    ]
    result = merge(
        [
            source("a.txt", by_openreview[0], by_url[0], linkless[0]),
            source("b.txt", by_openreview[1], by_url[1], *linkless[1:]),
        ],
        TOPICS,
    )
    groups = sorted(len(p.mentions) for p in result.papers)
    assert groups == [1, 2, 2, 2]
    assert {p.key for p in result.papers} == {
        "openreview:wHBfxhZu1u",
        "url:proceedings.neurips.cc/x/H2O.pdf",
        "title:star",
        "title:vstar",
    }


def test_a_bare_name_matching_two_linked_papers_merges_with_neither() -> None:
    first = mention("a.txt", 1, arxiv="2401.00001", names=("LESS",))
    second = mention("a.txt", 2, arxiv="2402.00002", names=("LESS",))
    bare = mention("a.txt", 3, names=("LESS",))
    result = merge([source("a.txt", first, second, bare)], TOPICS)
    assert sorted(len(p.mentions) for p in result.papers) == [1, 1, 1]


def test_two_names_for_one_link_is_a_conflict_that_keeps_both_texts() -> None:
    panda = mention(
        "000.txt", 123, "- [CVPR 24] [**Panda-70M**](…)", arxiv="2406.18522", names=("Panda-70M",)
    )
    chrono = mention(
        "000.txt",
        133,
        "- [NIPS 24 spotlight] [ChronoMagic](…) benchmark",
        arxiv="2406.18522",
        names=("ChronoMagic",),
        hints=("Image2Video", "benchmark"),
    )
    (paper,) = merge([source("000.txt", panda, chrono)], TOPICS).papers
    assert paper.conflict is not None
    assert paper.conflict.names == (("Panda-70M", "000.txt", 123), ("ChronoMagic", "000.txt", 133))
    assert paper.title == "Panda-70M / ChronoMagic"
    assert paper.aliases == ["Panda-70M", "ChronoMagic"]
    text = render_note(paper, date(2025, 1, 2), lambda key: "x")
    assert '!!! warning "Two names for one link"' in text
    assert "- [CVPR 24] [**Panda-70M**](…)" in text and "[ChronoMagic](…) benchmark" in text


def test_short_name_and_full_title_are_no_conflict() -> None:
    short = mention("000.txt", 1, arxiv="2309.15103", names=("LaVie", "Vchitect1.0"))
    full = mention("003.txt", 1, arxiv="2309.15103", title="LaVie: High-Quality Video Generation")
    (paper,) = merge([source("000.txt", short), source("003.txt", full)], TOPICS).papers
    assert paper.conflict is None
    assert paper.aliases == ["LaVie", "Vchitect1.0"]


def test_identical_text_from_two_files_is_written_once_with_both_sources() -> None:
    a = mention(
        "000.txt", 226, "- Deepmind PAV: https://arxiv.org/pdf/2410.08146", arxiv="2410.08146"
    )
    b = mention(
        "001.txt", 6, "- Deepmind PAV: https://arxiv.org/pdf/2410.08146", arxiv="2410.08146"
    )
    (paper,) = merge([source("000.txt", a), source("001.txt", b)], TOPICS).papers
    text = render_note(paper, date(2025, 1, 2), lambda key: "x")
    assert text.count("- Deepmind PAV:") == 1
    assert "`000.txt` line 226; `001.txt` line 6" in text


def test_papers_only_linked_from_inside_other_text_get_a_note() -> None:
    ref = ArxivRef(parse_arxiv_id("2412.15115"), "HELMET", 1242)
    host = mention("004.txt", 18, arxiv="2602.05191", refs=(ref,), hints=("📚 Recent Papers",))
    block = TopicBlock(
        Block("- see [2405.21075](https://arxiv.org/abs/2405.21075)", (5,)),
        ("Image2Video",),
        (),
        ("Image2Video",),
        (ArxivRef(parse_arxiv_id("2405.21075"), "2405.21075", 5),),
    )
    result = merge([source("004.txt", host, blocks=(block,))], TOPICS)
    host_paper, helmet, untitled = result.papers
    assert host_paper.topics == [UNSORTED]
    assert (helmet.title, helmet.untitled, helmet.status) == ("HELMET", False, "to-read")
    assert helmet.topics == [UNSORTED]
    assert (untitled.title, untitled.untitled, untitled.topics) == (
        "arXiv 2405.21075",
        True,
        ["image-to-video"],
    )
    text = render_note(helmet, date(2025, 1, 2), lambda key: "2602.05191-double-p")
    assert "- [[2602.05191-double-p]] (`004.txt` line 1242)" in text


def test_note_frontmatter_follows_the_note_format() -> None:
    paper = merge(
        [
            source(
                "003.txt",
                mention(
                    "003.txt",
                    7,
                    "- [Muse](https://arxiv.org/abs/2301.00704)",
                    arxiv="2301.00704",
                    title="Muse: Text-To-Image Generation: via: colons",
                    venue="ICML 2023",
                    tags=("mask-token-prediction",),
                    authors=("Huiwen Chang", "Han Zhang"),
                    code=("https://github.com/lucidrains/muse-maskgit-pytorch",),
                    hints=("📚",),
                ),
            )
        ],
        TOPICS,
    ).papers[0]
    note = parse_note(render_note(paper, date(2025, 1, 2), lambda key: "x"), "notes/x.md")
    assert note.problems == ()
    assert note.fields == {
        "title": "Muse: Text-To-Image Generation: via: colons",
        "arxiv": "2301.00704",
        "authors": ["Huiwen Chang", "Han Zhang"],
        "venue": "ICML 2023",
        "topics": [UNSORTED],
        "tags": ["mask-token-prediction"],
        "code": ["https://github.com/lucidrains/muse-maskgit-pytorch"],
        "added": date(2025, 1, 2),
    }
    assert note.body.startswith("\n📚 — `003.txt` line 7\n{ .kb-source }\n\n- [Muse](")


def test_note_frontmatter_is_written_as_new_notes_are_invisible_characters_escaped() -> None:
    # The importer writes frontmatter through the note format's one writer
    # (kbtool.core.frontmatter): a zero-width space or a tab in a name is escaped
    # and the list stays on one line, so every field is one visible line.
    paper = merge(
        [
            source(
                "003.txt",
                mention(
                    "003.txt",
                    7,
                    "- [Muse](https://arxiv.org/abs/2301.00704)",
                    arxiv="2301.00704",
                    title="Muse\u200b: masked",
                    names=("Mu\tse", "Muse\u00adGen"),
                    hints=("📚",),
                ),
            )
        ],
        TOPICS,
    ).papers[0]
    text = render_note(paper, date(2025, 1, 2), lambda key: "x")
    assert text.startswith(
        "---\ntitle: \"Muse\\u200B: masked\"\narxiv: '2301.00704'\n"
        'aliases: ["Mu\\tse", "Muse\\u00ADGen"]\ntopics: [unsorted]\nadded: 2025-01-02\n---\n'
    )
    note = parse_note(text, "notes/x.md")
    assert note.problems == ()
    assert note.fields["title"] == "Muse\u200b: masked"
    assert note.fields["aliases"] == ["Mu\tse", "Muse\u00adGen"]


def test_topic_text_links_papers_and_joins_a_sections_blocks() -> None:
    key = MentionKey("000.txt", 11)
    blocks = [
        TopicBlock(Block(f"- SOTA\n    - {key.placeholder()}", (5,)), ("Image2Video",), ()),
        TopicBlock(
            Block("- Survey\n    - Video Diffusion Models: A Survey", (153, 154)),
            ("Image2Video",),
            (),
        ),
    ]
    result = merge([source("000.txt", blocks=tuple(blocks))], TOPICS)
    text = render_topic_text(
        result.topic_blocks, lambda k: "2410.05677-t2v-turbo-v2", lambda k: "T2V-Turbo-v2"
    )
    assert text == (
        "Image2Video — `000.txt` lines 5–154\n{ .kb-source }\n\n"
        "- SOTA\n    - [[2410.05677-t2v-turbo-v2|T2V-Turbo-v2]]\n\n"
        "- Survey\n    - Video Diffusion Models: A Survey\n"
    )


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        (
            "![image.png](https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png)",
            "![image.png](https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png)"
            "{ .kb-expired-image }",
        ),
        ("- X [[paper]](https://arxiv.org/abs/1)", "- X [\\[paper\\]](https://arxiv.org/abs/1)"),
        ("- NTK [Reddit](www.reddit.com/r/x/)", "- NTK [Reddit](https://www.reddit.com/r/x/)"),
        (
            "![ok](https://example.org/a.png) [[a note]]",
            "![ok](https://example.org/a.png) [[a note]]",
        ),
        ("生成多个<st>(rationale)<et>,", "生成多个&lt;st&gt;(rationale)&lt;et&gt;,"),
        ('a<br>b `<st>` <details markdown="1">', 'a<br>b `<st>` <details markdown="1">'),
    ],
)
def test_markdown_fixes(line: str, fixed: str) -> None:
    assert fix_line(1, line) == fixed
    assert fix_line(1, fixed) == fixed  # idempotent


def test_a_passage_copied_in_two_files_is_kept_once_even_if_repaired_differently() -> None:
    a = mention("000.txt", 310, "- µP 能够确保在模型大小变化时", arxiv="2203.03466")
    b = mention("001.txt", 92, "- µP 能够确保在模型大⟦小变⟧化时", arxiv="2203.03466")
    raw = {"000.txt": "- ÂµP èƒ½å¤Ÿç¡®ä¿", "001.txt": "- ÂµP èƒ½å¤Ÿç¡®ä¿"}
    (paper,) = merge([source("000.txt", a), source("001.txt", b)], TOPICS).papers
    text = render_note(paper, date(2025, 1, 2), lambda key: "x", lambda f, lines: raw[f])
    assert "- µP 能够确保在模型大小变化时" in text and "⟦" not in text
    assert "`000.txt` line 310; `001.txt` line 92" in text
    raw["001.txt"] = "- ÂµP èƒ½å¤Ÿç¡®ä¿ (edited later)"
    text = render_note(paper, date(2025, 1, 2), lambda key: "x", lambda f, lines: raw[f])
    assert "⟦小变⟧" in text  # a passage that differs in the sources is kept twice
