"""``kbtool new`` through the real CLI and a real local arXiv server."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from kbtool.arxiv.sync import SyncRecord
from kbtool.config import Layout
from kbtool.core.note import parse_note
from kbtool.errors import RemoteError
from kbtool.new import BODY_TEMPLATE, NewNoteOptions, create_notes
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeLookup, Reply, error_feed
from tests.support.kb import KnowledgeBaseFactory, RunKbtool


def notes_in(kb: KnowledgeBaseFactory) -> list[str]:
    return sorted(p.name for p in (kb.root / "notes").glob("*.md"))


def frontmatter(path: Path) -> dict[str, object]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


# Every form of id the issue lists, each against the recorded paper it names.
FORMS = [
    ("1605.08386", "1605.08386"),
    ("1605.08386v1", "1605.08386v1"),
    ("arXiv:1605.08386", "1605.08386"),
    ("astro-ph/0601001", "astro-ph/0601001"),
    ("quant-ph/0201082v1", "quant-ph/0201082v1"),
    ("https://arxiv.org/abs/1605.08386", "1605.08386"),
    ("https://arxiv.org/abs/1605.08386v1", "1605.08386v1"),
    ("https://arxiv.org/pdf/1605.08386", "1605.08386"),
    ("https://arxiv.org/pdf/1605.08386v1.pdf", "1605.08386v1"),
    ("https://arxiv.org/html/1605.08386v1", "1605.08386v1"),
    ("https://export.arxiv.org/abs/1605.08386", "1605.08386"),
    ("https://www.arxiv.org/abs/1605.08386", "1605.08386"),
    ("http://arxiv.org/abs/1605.08386", "1605.08386"),
    ("https://arxiv.org/abs/quant-ph/0201082v1", "quant-ph/0201082v1"),
    ("https://arxiv.org/pdf/astro-ph/0601001.pdf", "astro-ph/0601001"),
]


@pytest.mark.parametrize(("pasted", "arxiv_field"), FORMS)
def test_every_pasted_form_creates_the_note(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    pasted: str,
    arxiv_field: str,
) -> None:
    result = run_kbtool("new", pasted, "--topic", "rlhf")
    assert result.exit_code == 0, result.output
    [name] = notes_in(kb)
    stem = arxiv_field.split("v")[0].replace("/", "-") if "/" in arxiv_field else None
    assert name.startswith(stem or arxiv_field.split("v")[0])
    assert result.stdout == f"created notes/{name}\n"
    fields = frontmatter(kb.root / "notes" / name)
    assert fields["arxiv"] == arxiv_field
    # The latest version is always asked for: the id without its version.
    assert fake_arxiv.id_requests() == [[arxiv_field.split("v")[0]]]


def test_the_note_for_a_recorded_paper(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    result = run_kbtool(
        "new",
        "1605.08386",
        "--topic",
        "RLHF",
        "--tag",
        "markov",
        "--tag",
        "a: b",
        "--status",
        "read",
    )
    assert result.exit_code == 0, result.output
    path = kb.root / "notes" / "1605.08386-heat-bath-random-walks-with-markov-bases.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("---\n")[1:3]
    assert head == (
        "title: Heat-bath random walks with Markov bases\n"
        "arxiv: '1605.08386'\n"
        "authors: [Caprice Stanley, Tobias Windisch]\n"
        "published: 2016-05-26\n"
        "updated: 2016-05-26\n"
        "version: 1\n"
        "primary_category: math.CO\n"
        "categories: [math.CO, math.ST]\n"
        "comment: 20 pages, 3 figures\n"
        "abstract: Graphs on lattice points are studied whose edges come from a finite set of "
        "allowed moves of arbitrary length. We show that the diameter of these graphs on fibers "
        "of a fixed integer matrix can be bounded from above by a constant. We then study the "
        "mixing behaviour of heat-bath random walks on these graphs. We also state explicit "
        "conditions on the set of moves so that the heat-bath random walk, a generalization of "
        "the Glauber dynamics, is an expander in fixed dimension.\n"
        "abs_url: https://arxiv.org/abs/1605.08386\n"
        "pdf_url: https://arxiv.org/pdf/1605.08386v1\n"
        "topics: [rlhf]\n"
        f"tags: [markov, 'a: b']\n"
        "status: read\n"
        f"added: {date.today().isoformat()}\n"
    )
    assert body == "\n" + BODY_TEMPLATE
    for heading in ("## TL;DR", "## Key ideas", "## Method", "## Results", "## My notes"):
        assert heading in body
    assert run_kbtool("check").exit_code == 0


def test_several_ids_one_request_one_note_each(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    result = run_kbtool(
        "new", "1605.08386", "arXiv:2104.12255v1", "astro-ph/0601001", "1605.08386v1"
    )
    assert result.exit_code == 0, result.output
    assert fake_arxiv.id_requests() == [["1605.08386", "2104.12255", "astro-ph/0601001"]]
    assert notes_in(kb) == [
        "1605.08386-heat-bath-random-walks-with-markov-bases.md",
        "2104.12255-0.md",
        "astro-ph-0601001-frequency-of-hot-jupiters-and-very-hot-jupiters-from-the.md",
    ]
    astro = frontmatter(kb.root / "notes" / notes_in(kb)[2])
    assert astro["venue"] == astro["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert "no --topic given" in result.stderr


def test_the_paper_titled_zero_stays_text(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    assert run_kbtool("new", "2104.12255v1", "--topic", "rlhf").exit_code == 0
    path = kb.root / "notes" / "2104.12255-0.md"
    assert "title: '0'\n" in path.read_text(encoding="utf-8")
    assert frontmatter(path)["title"] == "0"
    assert parse_note(path.read_bytes(), "n.md").title == "0"


def test_markup_in_arxiv_strings_is_data(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    title = "<script>alert(1)</script> & \"Fast\": it's 'T2V'"
    fake_arxiv.add_entry(
        "2410.05677v2",
        title,
        summary="We <b>distil</b> &amp; more. Code: github.com/Ji4chenLi/t2v-turbo.",
        comment="Project: https://huggingface.co/spaces/x/y)",
    )
    assert run_kbtool("new", "2410.05677", "--topic", "rlhf").exit_code == 0
    [name] = notes_in(kb)
    assert name == "2410.05677-script-alert-1-script-fast-it-s-t2v.md"
    fields = frontmatter(kb.root / "notes" / name)
    assert fields["title"] == title
    assert (
        fields["abstract"] == "We <b>distil</b> &amp; more. Code: github.com/Ji4chenLi/t2v-turbo."
    )
    assert fields["code"] == [
        "https://github.com/Ji4chenLi/t2v-turbo",
        "https://huggingface.co/spaces/x/y",
    ]
    assert fields["version"] == 2 and fields["pdf_url"] == "https://arxiv.org/pdf/2410.05677v2"


@pytest.mark.parametrize("existing_id", ["1605.08386", "1605.08386v1", "1605.08386v3"])
def test_an_existing_note_for_the_paper_any_version_stops_everything(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    existing_id: str,
) -> None:
    kb.write_note("heat.md", f"---\ntitle: Mine\narxiv: {existing_id}\ntopics: [rlhf]\n---\nx\n")
    before = (kb.root / "notes" / "heat.md").read_bytes()
    result = run_kbtool("new", "2104.12255", "https://arxiv.org/abs/1605.08386v2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "kbtool: error: 1605.08386v2 already has a note: notes/heat.md "
        "(nothing written; to refresh arXiv fields: kbtool enrich notes/heat.md)\n"
    )
    assert notes_in(kb) == ["heat.md"]
    assert (kb.root / "notes" / "heat.md").read_bytes() == before
    assert fake_arxiv.requests == []


def test_an_unknown_id_writes_nothing(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    result = run_kbtool("new", "1707.08567", "0808.05394")
    assert result.exit_code == 4
    assert result.stderr == "kbtool: error: arXiv has no paper 0808.05394 (nothing written)\n"
    assert notes_in(kb) == []


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("abc", "not an arXiv id: 'abc'"),
        ("0000.0000", "not an arXiv id: '0000.0000'"),
        ("2410.5677", "not an arXiv id"),
        ("../x", "(looks like a path): '../x'"),
        ("../../notes/x", "looks like a path"),
        ("/etc/passwd", "(looks like a path): '/etc/passwd'"),
        ("notes/../../x.md", "not an arXiv id"),
        ("2410.05677\x00", "contains a NUL byte"),
        ("", "empty arXiv id"),
        ("https://example.org/abs/2410.05677", "not an arXiv id"),
    ],
)
def test_bad_ids_one_line_exit_4_no_file_no_request(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    bad: str,
    fragment: str,
) -> None:
    result = run_kbtool("new", "1605.08386", bad)
    assert result.exit_code == 4
    assert result.stderr.startswith("kbtool: error: ") and fragment in result.stderr
    assert result.stderr.count("\n") == 1
    assert notes_in(kb) == [] and fake_arxiv.requests == []
    assert not any(p.is_file() for p in (kb.root / "notes").rglob("*") if p.name != ".gitkeep")


def test_arxivs_400_error_feed_names_the_id(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fake_arxiv.script(Reply(400, error_feed("1605.08386")))
    result = run_kbtool("new", "1605.08386")
    assert result.exit_code == 4
    assert result.stderr == (
        "kbtool: error: arXiv rejected '1605.08386': incorrect id format for 1605.08386 "
        "(HTTP 400) (nothing written)\n"
    )
    assert notes_in(kb) == []


def test_network_down_after_retries_exit_6(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    # No retries configured, so the CLI test does not sleep through a real backoff.
    kb.write("kbtool.yml", "arxiv:\n  retries: 0\n")
    fake_arxiv.script(Reply(503))
    result = run_kbtool("new", "1605.08386")
    assert result.exit_code == 6
    assert "HTTP 503 after 1 try" in result.stderr and result.stderr.count("\n") == 1
    assert notes_in(kb) == []


def test_retries_on_the_injected_clock_then_success(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(429, b"", {"Retry-After": "11"}), Reply(hang=True))
    kb.write("kbtool.yml", "arxiv:\n  timeout: 1\n")
    created = create_notes(
        Layout(kb.root),
        ["1605.08386"],
        NewNoteOptions(topics=("rlhf",)),
        today=date(2026, 4, 13),
        lookup=make_lookup(),
    )
    assert [c.path.name for c in created] == [
        "1605.08386-heat-bath-random-walks-with-markov-bases.md"
    ]
    assert frontmatter(created[0].path)["added"] == date(2026, 4, 13)
    assert clock.sleeps[0] == 11.0 and len(clock.sleeps) == 2
    assert len(fake_arxiv.requests) == 3


def test_network_down_writes_nothing(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup, clock: ManualClock
) -> None:
    fake_arxiv.script(*[Reply(503) for _ in range(5)])
    with pytest.raises(RemoteError):
        create_notes(
            Layout(kb.root),
            ["1605.08386"],
            NewNoteOptions(),
            today=date.today(),
            lookup=make_lookup(),
        )
    assert notes_in(kb) == [] and len(clock.sleeps) == 4


def test_options_are_checked_before_any_request(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    result = run_kbtool("new", "1605.08386", "--topic", "nope")
    assert result.exit_code == 2
    assert "--topic 'nope' is not in topics.yml (known: video-diffusion" in result.stderr
    result = run_kbtool("new", "1605.08386", "--tag", "  ")
    assert result.exit_code == 2 and "--tag must not be empty" in result.stderr
    result = run_kbtool("new", "1605.08386", "--status", "skimmed")
    assert result.exit_code == 2
    result = run_kbtool("new")
    assert result.exit_code == 2
    assert fake_arxiv.requests == [] and notes_in(kb) == []


def test_a_broken_topics_file_is_named_not_blamed_on_the_topic(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    # 'rlhf' is in topics.yml; the file does not parse. Saying "--topic 'rlhf' is not
    # in topics.yml (known: none)" with exit 2 would send the researcher the wrong way.
    kb.write("topics.yml", (kb.root / "topics.yml").read_text(encoding="utf-8") + "x: [\n")
    result = run_kbtool("new", "1605.08386", "--topic", "rlhf")
    assert result.exit_code == 4
    assert "topics.yml:" in result.stderr and "invalid YAML" in result.stderr
    assert fake_arxiv.requests == [] and notes_in(kb) == []


def test_a_taken_file_name_gets_a_suffix_and_is_never_overwritten(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    # A file (not a note for this paper) already has the name the new note wants.
    kb.write_note("2104.12255-0.md", "someone else's file\n")
    assert run_kbtool("new", "2104.12255").exit_code == 0
    assert notes_in(kb) == ["2104.12255-0-2.md", "2104.12255-0.md"]
    assert (kb.root / "notes" / "2104.12255-0.md").read_text() == "someone else's file\n"


def test_new_remembers_what_it_wrote_for_enrich(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    assert run_kbtool("new", "1605.08386").exit_code == 0
    sync = SyncRecord.load(kb.root / ".kbtool-sync.json")
    assert sync.written_by_kbtool("1605.08386", "version", 1)
    assert sync.written_by_kbtool("1605.08386", "authors", ["Caprice Stanley", "Tobias Windisch"])
    assert "title" not in sync.fingerprints("1605.08386")  # the title is the researcher's


def test_edit_opens_the_editor_on_each_new_note(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nwith open(sys.argv[1], 'a', encoding='utf-8') as f:\n"
        "    f.write('Edited by me.\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert run_kbtool("new", "1605.08386", "2104.12255", "--edit").exit_code == 0
    for name in notes_in(kb):
        assert (kb.root / "notes" / name).read_text().endswith("## My notes\nEdited by me.\n")


def test_edit_without_an_editor_is_a_usage_error(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    result = run_kbtool("new", "1605.08386", "--edit")
    assert result.exit_code == 2 and "$EDITOR" in result.stderr
    assert notes_in(kb) == [] and fake_arxiv.requests == []


def test_json_output_lists_the_notes_created(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_url: str
) -> None:
    result = run_kbtool(
        "new", "--format", "json", "--no-citations", "1605.08386", "arXiv:2104.12255v1"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # the --topic hint is for people
    assert json.loads(result.stdout) == {
        "created": [
            {
                "path": "notes/1605.08386-heat-bath-random-walks-with-markov-bases.md",
                "arxiv": "1605.08386",
                "title": "Heat-bath random walks with Markov bases",
                "left_inbox": False,
            },
            {
                "path": "notes/2104.12255-0.md",
                "arxiv": "2104.12255v1",
                "title": "0",
                "left_inbox": False,
            },
        ]
    }
