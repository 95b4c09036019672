"""Related papers: the papers that share the most (and the rarest) topics and tags.

Each shared topic or tag adds its inverse document frequency to a candidate's
score, so two papers sharing a rare tag rank above two sharing a catch-all
topic. Candidates come from each feature's posting list; a posting list longer
than ``window`` contributes only the ``window`` papers nearest in date, so the
work is linear in the number of papers (not quadratic in a topic's size).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbtool.site.catalog import Paper

Feature = tuple[str, str]


@dataclass(frozen=True)
class RelatedPaper:
    paper: Paper
    score: float
    shared_topics: tuple[str, ...]
    shared_tags: tuple[str, ...]


def features_of(paper: Paper) -> list[Feature]:
    return [("topic", t) for t in paper.topics] + [("tag", t.casefold()) for t in paper.tags]


def related_papers(
    papers: list[Paper], limit: int = 5, window: int = 200
) -> dict[str, list[RelatedPaper]]:
    """For each paper's path, up to ``limit`` related papers, best first.

    ``papers`` must be sorted newest first; ties in score go to the paper
    nearest in that order, then to the newer one.
    """
    if limit <= 0:
        return {}
    postings: dict[Feature, list[int]] = defaultdict(list)
    for position, paper in enumerate(papers):
        for feature in features_of(paper):
            postings[feature].append(position)
    total = len(papers)
    weight = {f: math.log(1 + total / len(p)) for f, p in postings.items()}
    result: dict[str, list[RelatedPaper]] = {}
    half = window // 2
    for position, paper in enumerate(papers):
        scores: dict[int, float] = defaultdict(float)
        for feature in features_of(paper):
            posting = postings[feature]
            if len(posting) > window:
                # Positions are increasing: take the window around this paper.
                at = bisect_left(posting, position)
                start = max(0, min(at - half, len(posting) - window))
                posting = posting[start : start + window]
            w = weight[feature]
            for other in posting:
                scores[other] += w
        scores.pop(position, None)
        best = heapq.nsmallest(
            limit, scores.items(), key=lambda kv: (-kv[1], abs(kv[0] - position), kv[0])
        )
        chosen = []
        mine = set(features_of(paper))
        for other, score in best:
            candidate = papers[other]
            shared = [f for f in features_of(candidate) if f in mine]
            chosen.append(
                RelatedPaper(
                    candidate,
                    score,
                    tuple(v for k, v in shared if k == "topic"),
                    tuple(t for t in candidate.tags if ("tag", t.casefold()) in mine),
                )
            )
        result[paper.path] = chosen
    return result
