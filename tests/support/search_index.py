"""Read a built search index as the browser does, to check what it holds.

A second, deliberately plain reader of the format that kbtool/search/index.py writes
and assets/search-engine.js reads: tests look terms up through the dictionary shards
and decode their postings, and fail if any file is missing or malformed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.search.index import shard_of


@dataclass
class BuiltIndex:
    folder: Path

    def json(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text(encoding="utf-8"))

    @property
    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = self.json("manifest.json")
        return manifest

    def entry(self, term: str) -> list[int] | None:
        manifest = self.manifest
        shard = shard_of(term, frozenset(manifest["split"]), manifest["buckets"])
        path = self.folder / "d" / f"{shard}.json"
        if not path.exists():
            return None
        found: list[int] | None = self.json(f"d/{shard}.json").get(term)
        return found

    def postings(self, term: str) -> dict[int, list[list[int] | int | None]]:
        """Document number → per field: positions, a count (CJK characters alone), or None."""
        entry = self.entry(term)
        if entry is None:
            return {}
        flat: list[int] = self.json(f"p/{entry[1]}.json")[term]
        fields = len(self.manifest["fields"])
        found: dict[int, list[list[int] | int | None]] = {}
        i = doc = 0
        while i < len(flat):
            doc += flat[i]
            mask = flat[i + 1]
            i += 2
            hits: list[list[int] | int | None] = [None] * fields
            for field in range(fields):
                if not mask & (1 << field):
                    continue
                count = flat[i]
                i += 1
                if count < 0:
                    hits[field] = -count
                    continue
                positions, position = [], 0
                for gap in flat[i : i + count]:
                    position += gap
                    positions.append(position)
                hits[field] = positions
                i += count
            found[doc] = hits
        assert len(found) == entry[0], f"{term}: document frequency disagrees with postings"
        return found

    def documents_with(self, term: str) -> set[str]:
        """URLs of the documents holding ``term``."""
        return {self.fragment(doc)["url"] for doc in self.postings(term)}

    def fragment(self, doc: int) -> dict[str, Any]:
        """What a result shows of document ``doc``: its head (URL, title, venue, kind), and
        its text (``f/<doc>.json``)."""
        heads = self.json("heads.json")
        kinds = {"n": "note", "t": "topic"}
        return {
            "url": heads["urls"][doc],
            "title": heads["titles"][doc],
            "venue": heads["venues"][doc],
            "kind": kinds[heads["kinds"][doc]],
            **self.json(f"f/{doc}.json"),
        }

    def fragments(self) -> list[dict[str, Any]]:
        return [self.fragment(doc) for doc in range(self.manifest["documents"])]
