"""Search documents and the index files (kbtool.search.document, kbtool.search.index): every
term of every note can be found again, through the dictionary shards, at its positions."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from kbtool.core.note import parse_note
from kbtool.core.topics import Topic
from kbtool.search import build_search_index, search_document, topic_document
from kbtool.search.document import FIELDS, SearchDocument
from kbtool.search.index import POSTINGS_FILE_BYTES, SearchIndex, SearchIndexer, shard_of
from kbtool.search.tokens import canonical, tokenize
from kbtool.site.catalog import build_catalog
from kbtool.site.paths import SitePaths
from kbtool.site.search import search_documents
from tests.support.search_index import BuiltIndex
from tests.support.site import SVD, fixture_kb


def written(index: SearchIndex, folder: Path) -> BuiltIndex:
    for name, content in index.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return BuiltIndex(folder)


@pytest.fixture(scope="module")
def documents() -> list[SearchDocument]:
    return search_documents(build_catalog(fixture_kb(), SitePaths()))


@pytest.fixture(scope="module")
def index(documents: list[SearchDocument], tmp_path_factory: pytest.TempPathFactory) -> BuiltIndex:
    return written(build_search_index(documents), tmp_path_factory.mktemp("index"))


def test_a_document_answers_to_its_names(documents: list[SearchDocument]) -> None:
    svd = next(d for d in documents if d.url == SitePaths().url(SVD))
    assert svd.title.startswith("Stable Video Diffusion: Scaling")
    assert svd.year == 2023 and svd.topics[0] == ("video-diffusion", "Video diffusion")
    # The alias, the short title head, the arXiv id in its forms, the citation key.
    assert {"svd", "stable video diffusion", "2311 15127", "arxiv 2311 15127"} <= set(svd.names)
    assert "blattmann2023stable" in svd.names
    assert canonical(svd.title) in svd.names
    assert "检测视频是否动态" in svd.text and "{ .kb-source }" not in svd.text


def test_names_of_a_versioned_id_and_of_other_ids() -> None:
    text = (
        "---\ntitle: 'EAGLE: Speculative Sampling'\narxiv: 2401.15077v3\n"
        "aliases: [Position Interpolation (PI)]\nopenreview: pzElnMrgSD\ntopics: [a]\n---\nBody\n"
    )
    document = search_document(parse_note(text, "notes/eagle.md"), url="papers/eagle/", year=None)
    assert {"2401 15077v3", "2401 15077", "arxiv 2401 15077", "eagle", "pi"} <= set(document.names)
    assert {"position interpolation pi", "pzelnmrgsd"} <= set(document.names)


def test_every_term_is_found_again_at_its_positions(
    documents: list[SearchDocument], index: BuiltIndex
) -> None:
    fragments = index.fragments()
    assert [f["url"] for f in fragments] == [d.url for d in documents]
    body = FIELDS.index("body")
    for doc, document in enumerate(documents):
        found: dict[str, list[int]] = {}
        for term, position in tokenize(document.text):
            found.setdefault(term, []).append(position)
        for term, positions in found.items():
            hits = index.postings(term)[doc][body]
            expected = len(positions) if isinstance(hits, int) else positions
            assert hits == expected, (document.url, term)
        for name in document.names:
            assert doc in index.postings("=" + name)


def test_the_files_are_what_the_browser_expects(index: BuiltIndex) -> None:
    manifest = index.manifest
    assert manifest["format"] == 1 and manifest["documents"] == 9
    assert manifest["fields"] == list(FIELDS) and len(manifest["averages"]) == len(FIELDS)
    docs = index.json("docs.json")
    assert len(docs["lengths"]) == 9 * len(FIELDS)
    assert ["xss-topic", "<img src=x onerror=alert(11)>"] in docs["topics"]  # data, as written
    assert docs["statuses"] == ["to-read", "reading", "read"]
    assert sorted(p.stem for p in (index.folder / "d").iterdir()) == manifest["shards"]
    for name in (index.folder / "d").iterdir():
        for term in json.loads(name.read_text(encoding="utf-8")):
            assert shard_of(term, frozenset(manifest["split"]), manifest["buckets"]) == name.stem


def test_the_index_is_the_same_for_the_same_notes(documents: list[SearchDocument]) -> None:
    first, second = build_search_index(documents), build_search_index(list(documents))
    assert first.files == second.files
    changed = build_search_index(documents[:-1])
    assert (
        json.loads(changed.files["manifest.json"])["id"]
        != json.loads(first.files["manifest.json"])["id"]
    )


def test_an_index_built_again_after_edits_is_the_index_built_from_scratch(
    documents: list[SearchDocument],
) -> None:
    indexer, rng = SearchIndexer(), random.Random(7)
    current = list(documents)
    indexer.index(current)
    edits = [
        # One document's text, terms and names become another's (terms come and go;
        # common terms lose and gain holders before, after and between others).
        lambda docs: [rng.randrange(len(docs))],
        lambda docs: [0, len(docs) - 1],
        lambda docs: [],  # nothing changed
    ]
    for _round in range(12):
        for number in rng.choice(edits)(current):
            other = current[rng.randrange(len(current))]
            current[number] = dataclasses.replace(other, url=current[number].url)
        assert indexer.index(list(current)).files == build_search_index(current).files
    # A document with a term no other holds, then without it again.
    lone = dataclasses.replace(
        current[1], postings={**current[1].postings, "zzzlone": "8,1,0"}, names=("zzz",)
    )
    for edited in ([current[0], lone, *current[2:]], current):
        assert indexer.index(edited).files == build_search_index(edited).files
    # A note added or removed: built from scratch, the same files again.
    for edited in (current[:-1], [*current, current[0]]):
        assert indexer.index(edited).files == build_search_index(edited).files


def test_large_vocabularies_are_split_into_small_shards(tmp_path: Path) -> None:
    words = [f"d{i:05d}x" for i in range(5000)] + [f"模{chr(0x4E00 + i)}" for i in range(4000)]
    text = "---\ntitle: Many words\ntopics: [a]\n---\n" + " ".join(words) + "\n"
    document = search_document(parse_note(text, "notes/many.md"), url="papers/many/", year=2024)
    built = build_search_index([document])
    manifest = json.loads(built.files["manifest.json"])
    assert "d" in manifest["split"] and manifest["buckets"] > 1
    index = written(built, tmp_path)
    assert index.documents_with("d04999x") == {"papers/many/"}
    assert index.documents_with(words[-1]) == {"papers/many/"}
    for name, content in built.files.items():
        if name.startswith("p/") and content.count(b":[") > 1:
            assert len(content) <= POSTINGS_FILE_BYTES + 64


def test_topic_pages_are_documents_too(documents: list[SearchDocument]) -> None:
    topic = next(d for d in documents if d.url == "topics/image-to-video/")
    assert topic.kind == "topic" and topic.title == "Image-to-video"
    assert topic.text == "Animating a still image into a video."
    assert topic.topics == (("image-to-video", "Image-to-video"),)
    assert {"image to video"} <= set(topic.names)
    text = topic_document(
        Topic("lora", "LoRA", "Low-rank adapters.", aliases=("low-rank adaptation",)),
        url="topics/lora/",
        text="My notes on [[DoRA]] and **QLoRA**.\n",
        parent="Efficient LLMs",
    )
    assert text.text == "Low-rank adapters.\nMy notes on DoRA and QLoRA."
    assert {"lora", "low rank adaptation"} <= set(text.names)


def test_an_empty_knowledge_base_has_an_empty_index(tmp_path: Path) -> None:
    index = written(build_search_index([]), tmp_path)
    assert index.manifest["documents"] == 0 and index.manifest["shards"] == []
    assert index.postings("anything") == {}


def test_a_document_read_back_from_the_cache_is_the_same(
    documents: list[SearchDocument],
) -> None:
    for document in documents:
        again = SearchDocument.from_bytes(document.to_bytes())
        assert dataclasses.astuple(again) == dataclasses.astuple(document)
        assert build_search_index([again]).files == build_search_index([document]).files
