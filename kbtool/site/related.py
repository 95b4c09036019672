"""Related papers: the papers that share the most (and the rarest) topics and tags.

Each shared topic or tag adds its inverse document frequency to a candidate's
score, so two papers sharing a rare tag rank above two sharing a catch-all
topic. Candidates come from each feature's posting list; a posting list longer
than ``window`` contributes only the ``window`` papers nearest in date, so the
work is linear in the number of papers (not quadratic in a topic's size).

Ranking: highest score first, then the paper nearest in date order, then the
newer one. Papers that share a single feature all score that feature's weight,
so only the few nearest of each posting list can win; papers that share two or
more are found by intersecting the posting windows (set operations, not a
Python loop over every candidate), which keeps 5,000 papers under a second.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
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
    """The paper's topics and tags (tags compared without case), each once, in order."""
    features = [("topic", t) for t in paper.topics] + [("tag", t.casefold()) for t in paper.tags]
    return list(dict.fromkeys(features))


def _nearest(posting: list[int], position: int, count: int, skip: set[int]) -> list[int]:
    """Up to ``count`` entries of ``posting`` nearest ``position`` (ties: the lower one)."""
    right = bisect_left(posting, position)
    left = right - 1
    found: list[int] = []
    while len(found) < count and (left >= 0 or right < len(posting)):
        if right < len(posting) and (
            left < 0 or posting[right] - position < position - posting[left]
        ):
            other = posting[right]
            right += 1
        else:
            other = posting[left]
            left -= 1
        if other != position and other not in skip:
            found.append(other)
    return found


def related_papers(
    papers: list[Paper], limit: int = 5, window: int = 200
) -> dict[str, list[RelatedPaper]]:
    """For each paper's path, up to ``limit`` related papers, best first.

    ``papers`` must be sorted newest first; ties in score go to the paper
    nearest in that order, then to the newer one.
    """
    if limit <= 0:
        return {}
    features = [features_of(paper) for paper in papers]
    postings: dict[Feature, list[int]] = defaultdict(list)
    for position, mine in enumerate(features):
        for feature in mine:
            postings[feature].append(position)
    total = len(papers)
    weight = {f: math.log(1 + total / len(p)) for f, p in postings.items()}
    half = window // 2
    result: dict[str, list[RelatedPaper]] = {}
    for position, mine in enumerate(features):
        windows = []
        for feature in mine:
            posting = postings[feature]
            if len(posting) > window:
                # Positions are increasing: take the window around this paper.
                at = bisect_left(posting, position)
                start = max(0, min(at - half, len(posting) - window))
                posting = posting[start : start + window]
            windows.append(posting)
        # (negated score, distance in date order, position): the smallest ranks first.
        candidates: list[tuple[float, int, int]] = []
        several: set[int] = set()
        if len(windows) > 1:
            sets = [set(w) for w in windows]
            for first, second in combinations(sets, 2):
                several |= first & second
            several.discard(position)
            for other in several:
                # Summed in this paper's feature order, as a running total would be.
                score = 0.0
                for feature, members in zip(mine, sets, strict=True):
                    if other in members:
                        score += weight[feature]
                candidates.append((-score, abs(other - position), other))
        for feature, posting in zip(mine, windows, strict=True):
            for other in _nearest(posting, position, limit, several):
                candidates.append((-weight[feature], abs(other - position), other))
        chosen = []
        shared_features = set(mine)
        for negated, _distance, other in heapq.nsmallest(limit, candidates):
            candidate = papers[other]
            chosen.append(
                RelatedPaper(
                    candidate,
                    -negated,
                    tuple(t for t in candidate.topics if ("topic", t) in shared_features),
                    tuple(t for t in candidate.tags if ("tag", t.casefold()) in shared_features),
                )
            )
        result[papers[position].path] = chosen
    return result
