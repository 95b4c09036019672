"""``kbtool check`` and the citation data: a note whose arXiv id is another paper, a bad file."""

from __future__ import annotations

import json

from tests.support.kb import KnowledgeBaseFactory, RunKbtool

CHRONOMAGIC = (
    "ChronoMagic-Bench: A Benchmark for Metamorphic Evaluation of Text-to-Time-lapse Video "
    "Generation"
)


def citations(**titles: str) -> str:
    papers = {
        f"arXiv:{arxiv}": {
            "s2": "0" * 40,
            "title": title,
            "ids": [f"arXiv:{arxiv}"],
            "citations": 1,
            "read": "2026-11-28",
            "references": [],
            "cited_by": [],
        }
        for arxiv, title in titles.items()
    }
    return json.dumps({"format": 1, "papers": papers, "cited": {}}, indent=1) + "\n"


def test_a_note_naming_two_papers_under_one_id_is_a_warning(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # The seed: two source lines link "Panda-70M" and "ChronoMagic" to 2406.18522.
    kb.write_note(
        "2406.18522-panda-70m-chronomagic.md",
        "---\ntitle: Panda-70M / ChronoMagic\narxiv: '2406.18522'\n"
        "topics: [video-diffusion]\n---\n",
    )
    kb.write_note(
        "2309.12307-longlora.md",
        "---\ntitle: LongLoRA\narxiv: '2309.12307'\ntopics: [rlhf]\n---\n",
    )
    longlora = "LongLoRA: Efficient Fine-tuning of Long-Context Large Language Models"
    kb.write("citations.json", citations(**{"2406.18522": CHRONOMAGIC, "2309.12307": longlora}))
    result = run_kbtool("check")
    assert result.exit_code == 0  # a warning
    assert result.stdout == (
        "notes/2406.18522-panda-70m-chronomagic.md:3: warning KB060 [arxiv-title-mismatch] "
        f"arXiv 2406.18522 is '{CHRONOMAGIC}' on Semantic Scholar, which does not name "
        "'Panda-70M': a wrong id? (fix the arxiv id, or the title)\n"
    )
    assert run_kbtool("check", "--strict").exit_code == 1


def test_the_abstract_from_arxiv_clears_a_short_name(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note(
        "prm.md",
        "---\ntitle: PRM-800k\narxiv: '2305.20050'\ntopics: [rlhf]\n"
        "abstract: We release PRM800K, the complete dataset of step-level labels.\n---\n",
    )
    kb.write("citations.json", citations(**{"2305.20050": "Let's Verify Step by Step"}))
    result = run_kbtool("check")
    assert result.exit_code == 0 and result.stdout == ""


def test_a_damaged_citations_file_is_an_error(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write("citations.json", '{\n "format": 1,\n "papers": {\n')
    result = run_kbtool("check", "--format", "json")
    assert result.exit_code == 1
    (found,) = json.loads(result.stdout)
    assert (found["path"], found["line"], found["code"]) == ("citations.json", 4, "KB061")


def test_control_characters_in_a_title_never_reach_the_terminal(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("x.md", "---\ntitle: Panda-70M\narxiv: '2406.18522'\ntopics: [rlhf]\n---\n")
    hostile = "Chrono\x1b[2J\x1b]0;pwned\x07Magic \u202eevil"  # as if edited into the file
    kb.write("citations.json", citations(**{"2406.18522": hostile}))
    result = run_kbtool("check")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "KB060" in result.stdout
