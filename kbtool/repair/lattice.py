"""Decoding a line of damaged characters: a lattice of words, scored in context.

Each position holds the candidate characters of a damaged byte group (or the one
character of a certain one); :func:`decode` finds the best reading as a bigram
Viterbi over the words of the lattice, and how much better it is than the best
alternative at each position.
"""

from __future__ import annotations

import math
from itertools import pairwise

from kbtool.repair.context_table import CharContext, ContextTable
from kbtool.repair.lexicon import Lexicon, char_prior

#: Cost (nats) of every word in a reading. A unigram model overrates strings of frequent single
#: characters (来+数 over 步数, "training steps"); a per-word cost, as in speech recognition,
#: favours readings that form dictionary words. Measured on the benchmark: 2 is best.
WORD_PENALTY = 2.0
#: Log-score for a bracket or quote mark whose partner is (+) or is not (-) on the line.
PAIR_BONUS = 7.0
#: Weight of the shipped context table's word-pair PMI in a reading's score.
CONTEXT_WEIGHT = 1.0
#: Weight of the context score of two words separated by ASCII text on a line (在 LoRA 中).
GAP_WEIGHT = 1.0
#: Weight of the character-pair PMI from technical text (:class:`CharContext`).
CHAR_WEIGHT = 2.0

_Edge = tuple[int, int, str, float]  # start, end, word, log-probability
Reading = tuple[list[str], list[float], list[tuple[str, ...]]]  # best, margins, runner-ups


def _single_logprob(char: str, lexicon: Lexicon) -> float:
    found = lexicon.logprob(char)
    return found if found is not None else char_prior(char)


_PAIRS = dict(zip("【「『《（“‘〔", "】」』》）”’〕", strict=True))
_PAIRS_BACK = {close: open_ for open_, close in _PAIRS.items()}


def _pair_bonus(
    slots: list[tuple[str, ...]], before: str = "", after: str = ""
) -> dict[tuple[int, str], float]:
    """Log-score adjustment for reading an ambiguous character as a bracket or quote mark.

    Brackets come in pairs, which decides between e.g. ``、`` and ``【`` (same damaged bytes)
    better than frequency does: an opening mark gains :data:`PAIR_BONUS` if its closing
    partner is certain later on the line (before another opening one), and loses as much if
    not; closing marks likewise look back. ``before``/``after`` are the certain characters on
    the same line outside this run (ambiguous ones as NUL).
    """
    adjust: dict[tuple[int, str], float] = {}
    certain = [*before, *(slot[0] if len(slot) == 1 else "\0" for slot in slots), *after]
    offset = len(before)
    for i, slot in enumerate(slots):
        if len(slot) == 1:
            continue
        for char in slot:
            if char in _PAIRS:
                scan = certain[offset + i + 1 :]
                partner = _PAIRS[char]
            elif char in _PAIRS_BACK:
                scan = certain[: offset + i][::-1]
                partner = _PAIRS_BACK[char]
            else:
                continue
            found = False
            for other in scan:
                if other in (partner, char):
                    found = other == partner
                    break
            adjust[i, char] = PAIR_BONUS if found else -PAIR_BONUS
    return adjust


def _lattice(
    slots: list[tuple[str, ...]],
    lexicon: Lexicon,
    context: tuple[str, str] = ("", ""),
    breaks: frozenset[int] = frozenset(),
) -> list[list[_Edge]]:
    """All words (and single characters) readable at each position, keyed by start.

    No word spans a position in ``breaks`` (where a run starts after text that is not part
    of the lattice).
    """
    n = len(slots)
    max_len = lexicon.max_len
    bonus = _pair_bonus(slots, *context)
    edges: list[list[_Edge]] = [[] for _ in range(n)]
    for start in range(n):
        out = edges[start]
        stack: list[tuple[str, int]] = []
        for char in slots[start]:
            logp = _single_logprob(char, lexicon) + bonus.get((start, char), 0.0)
            out.append((start, start + 1, char, logp - WORD_PENALTY))
            if lexicon.is_prefix(char):
                stack.append((char, start + 1))
        while stack:
            word, end = stack.pop()
            if end >= n or end in breaks or len(word) >= max_len:
                continue
            for char in slots[end]:
                longer = word + char
                if lexicon.is_prefix(longer):
                    found = lexicon.logprob(longer)
                    if found is not None:
                        out.append((start, end + 1, longer, found - WORD_PENALTY))
                    stack.append((longer, end + 1))
    return edges


def _viterbi(edges: list[list[_Edge]], n: int) -> tuple[float, list[_Edge]]:
    """Score and edges of the best path through the lattice from position 0 to ``n``."""
    forward = [-math.inf] * (n + 1)
    back: list[_Edge | None] = [None] * (n + 1)
    forward[0] = 0.0
    for start in range(n):
        if forward[start] == -math.inf:
            continue
        for edge in edges[start]:
            score = forward[start] + edge[3]
            if score > forward[edge[1]]:
                forward[edge[1]] = score
                back[edge[1]] = edge
    path: list[_Edge] = []
    pos = n
    while pos > 0:
        step = back[pos]
        assert step is not None  # every position has single-character edges
        path.append(step)
        pos = step[0]
    path.reverse()
    return forward[n], path


class PairScorer:
    """Context scores: word pairs (shipped table) and character pairs (technical text).

    :meth:`transition` scores one word following another; :meth:`inside` the character
    pairs within a word. Results are memoised: the same pairs recur across a document.
    """

    __slots__ = ("_chars", "_inside", "_table", "_transitions")

    def __init__(self, table: ContextTable, chars: CharContext | None = None) -> None:
        self._table = table
        self._chars = chars if chars is not None else CharContext.empty()
        self._transitions: dict[tuple[str, str, bool], float] = {}
        self._inside: dict[str, float] = {}

    def transition(self, history: str, word: str, gap: bool) -> float:
        """Score of ``word`` after ``history``; ``gap``: ASCII text lies between them."""
        key = (history, word, gap)
        found = self._transitions.get(key)
        if found is None:
            found = CONTEXT_WEIGHT * self._table.pmi(history, word)
            if gap:
                found *= GAP_WEIGHT
            else:
                found += CHAR_WEIGHT * self._chars.pmi(history[-1], word[0])
            self._transitions[key] = found
        return found

    def inside(self, word: str) -> float:
        """Score of the adjacent character pairs inside ``word``."""
        found = self._inside.get(word)
        if found is None:
            pmi = self._chars.pmi
            found = CHAR_WEIGHT * sum(pmi(a, b) for a, b in pairwise(word))
            self._inside[word] = found
        return found


def decode(
    slots: list[tuple[str, ...]],
    lexicon: Lexicon,
    context: tuple[str, str] = ("", ""),
    pairs: PairScorer | None = None,
    breaks: frozenset[int] = frozenset(),
) -> Reading:
    """Best reading of ``slots`` plus, per position, the margin and the runner-up readings.

    A reading is a path of words through the lattice, scored by each word's unigram score
    plus ``pairs(previous word, word)`` for each adjacent pair (a bigram Viterbi whose
    states are the lattice's edges). The margin of a position is the best path score minus
    the best score of any path that reads a different character there (``inf`` if the
    position has a single candidate). Pairs across a position in ``breaks`` (words on either
    side of ASCII text such as ``在 LoRA 中``) count :data:`GAP_WEIGHT` times.
    """
    n = len(slots)
    by_start = _lattice(slots, lexicon, context, breaks)
    if pairs is None:
        pairs = PairScorer(ContextTable.empty())
    edges = [
        (start, end, word, logp + pairs.inside(word) if end - start > 1 else logp)
        for out in by_start
        for start, end, word, logp in out
    ]
    ending: list[list[int]] = [[] for _ in range(n + 1)]
    for index, edge in enumerate(edges):
        ending[edge[1]].append(index)
    starting: list[list[int]] = [[] for _ in range(n + 1)]
    for index, edge in enumerate(edges):
        starting[edge[0]].append(index)

    # forward[e]: best score of a path from 0 that ends with edge e (e included).
    forward = [-math.inf] * len(edges)
    back = [-1] * len(edges)
    for index, (start, _, word, logp) in enumerate(edges):
        if start == 0:
            forward[index] = logp
            continue
        top, best_prev = -math.inf, -1
        gap = start in breaks
        for prev in ending[start]:
            score = forward[prev] + pairs.transition(edges[prev][2], word, gap)
            if score > top:
                top, best_prev = score, prev
        forward[index] = top + logp
        back[index] = best_prev
    # backward[e]: best score of the rest of a path after edge e (e excluded).
    backward = [-math.inf] * len(edges)
    for index in range(len(edges) - 1, -1, -1):
        _, end, word, _ = edges[index]
        if end == n:
            backward[index] = 0.0
            continue
        gap = end in breaks
        backward[index] = max(
            pairs.transition(word, edges[nxt][2], gap) + edges[nxt][3] + backward[nxt]
            for nxt in starting[end]
        )

    last = max(ending[n], key=lambda e: forward[e])
    total = forward[last]
    path: list[int] = []
    while last >= 0:
        path.append(last)
        last = back[last]
    best = [char for index in reversed(path) for char in edges[index][2]]
    if all(len(slot) == 1 for slot in slots):
        return best, [math.inf] * n, [()] * n

    rivals: list[dict[str, float]] = [{} for _ in range(n)]
    for index, (start, _, word, _) in enumerate(edges):
        score = forward[index] + backward[index]
        for offset, char in enumerate(word):
            i = start + offset
            if char != best[i] and score > rivals[i].get(char, -math.inf):
                rivals[i][char] = score
    margins: list[float] = []
    runner_ups: list[tuple[str, ...]] = []
    for i in range(n):
        ranked = sorted(rivals[i].items(), key=lambda item: -item[1])
        margins.append(total - ranked[0][1] if ranked else math.inf)
        runner_ups.append(tuple(char for char, _ in ranked[:3]))
    return best, margins, runner_ups


def segment(text: str, lexicon: Lexicon) -> list[str]:
    """Most probable segmentation of undamaged ``text`` into words (unigram Viterbi)."""
    _, path = _viterbi(_lattice([(c,) for c in text], lexicon), len(text))
    return [edge[2] for edge in path]
