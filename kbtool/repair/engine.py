"""Repair UTF-8 text that was decoded as a Windows code page and lost bytes on the way.

The damage this module undoes (observed in the researcher's exported notes): UTF-8 bytes were
decoded with Windows-1254 (Turkish; identical to Windows-1252 except that 0xF0 reads ``ğ``,
0xD0 ``Ğ``, 0xDD ``İ``, 0xDE ``Ş``, and 0x8E/0x9E are undefined), the result was saved as
UTF-8, and every byte the code page leaves undefined (0x81 0x8D 0x8E 0x8F 0x90 0x9D 0x9E)
or renders invisibly (0xAD, soft hyphen) silently vanished. Nothing is put in their place:
no space, no U+FFFD. All eight lost values are UTF-8 *continuation* bytes, so lead bytes
survive and every original non-ASCII character still starts exactly where its lead byte is;
a damaged character is simply missing one or more of its continuation bytes.

Repair, per run of mojibake characters:

1. map each character back to its byte and split the bytes into one group per lead byte;
2. a complete group decodes to exactly one character; an incomplete group has a small set of
   candidates (insert lost byte values at the missing positions, keep valid UTF-8 that is an
   assigned, non-control code point);
3. pick the sequence of candidates that maximises, over all the runs of a line at once (a
   bigram Viterbi over a word lattice whose states are its words):

   * each word's unigram log-probability, from jieba's dictionary mixed with the word
     frequencies of the shipped context table, plus the document's own vocabulary learned
     from the characters that are certain (undamaged or with a single candidate), minus
     :data:`WORD_PENALTY`;
   * the PMI of each pair of adjacent words, from a table distilled from the sunpinyin
     trigram model of modern Chinese (:class:`~kbtool.repair.context_table.ContextTable`), also
     across ASCII text between runs (``在 LoRA 中``);
   * the PMI of each pair of adjacent characters, from counts over technical Chinese
     (:class:`~kbtool.repair.context_table.CharContext`: 子进程, 不支持, 字段);

4. max-marginals of the lattice give, for each ambiguous character, how much better the chosen
   reading is than the best alternative; below :data:`CONFIDENCE_MARGIN` the character is
   **marked**, i.e. the best guess is written between :data:`MARK_OPEN` and
   :data:`MARK_CLOSE` (``⟦…⟧``), and reported in :attr:`RepairResult.uncertain`.

Text outside mojibake runs (ASCII, characters that are not cp1252/cp1254 renderings of a byte,
runs that do not parse as damaged UTF-8) is copied unchanged.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import combinations, pairwise, product
from pathlib import Path

from kbtool.repair.context_table import CharContext, ContextTable

__all__ = [
    "CONFIDENCE_MARGIN",
    "LOST_BYTES",
    "MARK_CLOSE",
    "MARK_OPEN",
    "Lexicon",
    "RepairResult",
    "UncertainChar",
    "damage_text",
    "repair_text",
]

#: Byte values that the damage removed; a missing byte is always one of these.
LOST_BYTES: frozenset[int] = frozenset({0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD})
#: An uncertain restoration is written as ``MARK_OPEN + best guess + MARK_CLOSE``.
MARK_OPEN = "⟦"
MARK_CLOSE = "⟧"
#: Minimum log-probability lead (in nats) of the chosen reading over the best alternative for a
#: restoration to count as confident; ``4.0`` means the chosen reading is ~55 times likelier.
CONFIDENCE_MARGIN = 4.0
#: Cost (nats) of every word in a reading. A unigram model overrates strings of frequent single
#: characters (来+数 over 步数, "training steps"); a per-word cost, as in speech recognition,
#: favours readings that form dictionary words. Measured on the benchmark: 2 is best.
WORD_PENALTY = 2.0
#: Log-score for a bracket or quote mark whose partner is (+) or is not (-) on the line.
PAIR_BONUS = 7.0
#: Share of the shipped context table's word frequencies (modern web text) in the default
#: lexicon, beside jieba's (older news text plus a large vocabulary).
TABLE_UNIGRAM_WEIGHT = 0.8
#: Weight of the shipped context table's word-pair PMI in a reading's score.
CONTEXT_WEIGHT = 1.0
#: Weight of the context score of two words separated by ASCII text on a line (在 LoRA 中).
GAP_WEIGHT = 1.0
#: Weight of the character-pair PMI from technical text (:class:`CharContext`).
CHAR_WEIGHT = 2.0

_LOST_SORTED = tuple(sorted(LOST_BYTES))


def _build_byte_map() -> dict[str, int]:
    """Characters that are a Windows-1254/1252 (or Latin-1) rendering of a UTF-8 byte >= 0x80.

    Only bytes that can occur in UTF-8 are included (continuations 0x80-0xBF, leads 0xC2-0xF4),
    so characters such as ``ü`` (0xFC) or ``ı`` (0xFD) end a run instead of poisoning it.
    """
    mapping: dict[str, int] = {}
    for byte in [*range(0x80, 0xC0), *range(0xC2, 0xF5)]:
        for codec in ("cp1254", "cp1252", "latin-1"):
            try:
                mapping.setdefault(bytes([byte]).decode(codec), byte)
            except UnicodeDecodeError:
                continue
    return mapping


_BYTE_OF: dict[str, int] = _build_byte_map()
_RUN_RE = re.compile("[" + "".join(sorted(_BYTE_OF)) + "]+")


def damage_text(text: str) -> str:
    """Damage ``text`` exactly the way the seed notes were damaged (for tests and benchmarks).

    UTF-8 encode, decode as Windows-1254 dropping the undefined bytes, drop soft hyphens.
    """
    return text.encode("utf-8").decode("cp1254", errors="ignore").replace("\xad", "")


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Table:
    counts: Mapping[str, float]
    total: float
    prefixes: frozenset[str]  # every word and every proper prefix of a word
    max_len: int

    @classmethod
    def build(cls, counts: Mapping[str, float]) -> _Table:
        prefixes = {w[:i] for w in counts for i in range(1, len(w) + 1)}
        total = float(sum(counts.values())) or 1.0
        return cls(counts, total, frozenset(prefixes), max((len(w) for w in counts), default=0))


class Lexicon:
    """Word frequencies for scoring readings: a base dictionary mixed with learned words.

    ``logprob(w)`` is ``log((1 - λ)·f_base(w)/N_base + λ·f_learned(w)/N_learned)`` with
    ``λ = learned_weight`` once something has been learned (``λ = 0`` before). Instances are
    immutable; :meth:`learn` returns a new lexicon that shares the base tables.
    """

    __slots__ = ("_base", "_learned", "_weight")

    def __init__(
        self,
        counts: Mapping[str, float],
        *,
        learned: Mapping[str, float] | None = None,
        learned_weight: float = 0.3,
    ) -> None:
        """Build a lexicon from ``counts`` (word -> frequency) and optional learned counts."""
        self._base = _Table.build(counts)
        self._learned = _Table.build(learned) if learned else None
        self._weight = learned_weight

    @classmethod
    def from_file(cls, path: str | Path) -> Lexicon:
        """Load a jieba-format dictionary: one ``word frequency [tag]`` entry per line."""
        counts: dict[str, float] = {}
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    counts[parts[0]] = counts.get(parts[0], 0.0) + float(parts[1])
        return cls(counts)

    @classmethod
    def default(cls) -> Lexicon:
        """jieba's bundled ``dict.txt`` (~350k words with frequencies) mixed with the word
        frequencies of the shipped context table (see :data:`TABLE_UNIGRAM_WEIGHT`); loaded
        once, cached."""
        return _default_lexicon()

    @property
    def max_len(self) -> int:
        """Length of the longest word, in characters."""
        learned = self._learned.max_len if self._learned else 0
        return max(self._base.max_len, learned)

    @property
    def learned_words(self) -> Mapping[str, float]:
        """The learned counts (empty before :meth:`learn`)."""
        return self._learned.counts if self._learned else {}

    def is_prefix(self, text: str) -> bool:
        """True if ``text`` is a word or the beginning of one."""
        if text in self._base.prefixes:
            return True
        return self._learned is not None and text in self._learned.prefixes

    def logprob(self, word: str) -> float | None:
        """Natural-log unigram probability of ``word``; ``None`` if it is not a word."""
        base = self._base.counts.get(word, 0.0)
        learned = self._learned.counts.get(word, 0.0) if self._learned else 0.0
        if base <= 0.0 and learned <= 0.0:
            return None
        if self._learned is None:
            return math.log(base / self._base.total)
        weight = self._weight
        prob = (1.0 - weight) * base / self._base.total + weight * learned / self._learned.total
        return math.log(prob)

    def learn(self, words: Iterable[str] | Mapping[str, float]) -> Lexicon:
        """A new lexicon whose learned counts also include ``words`` (an iterable counts 1 each)."""
        extra = dict(self.learned_words)
        pairs = words.items() if isinstance(words, Mapping) else ((w, 1.0) for w in words)
        for word, count in pairs:
            extra[word] = extra.get(word, 0.0) + count
        new = Lexicon.__new__(Lexicon)
        new._base = self._base
        new._learned = _Table.build(extra) if extra else None
        new._weight = self._weight
        return new


@cache
def _default_lexicon() -> Lexicon:
    import jieba

    jieba_lexicon = Lexicon.from_file(Path(jieba.__file__).with_name("dict.txt"))
    if not TABLE_UNIGRAM_WEIGHT:
        return jieba_lexicon
    counts = jieba_lexicon._base.counts
    total = jieba_lexicon._base.total
    # The table's frequencies come from a different corpus and tokenisation; mix
    # probabilities on jieba's scale, over the words that contain a Han character.
    table = {
        word: math.exp(logp)
        for word, logp in ContextTable.default().unigrams().items()
        if _HAN_RE.search(word)
    }
    norm = sum(table.values())
    weight = TABLE_UNIGRAM_WEIGHT
    mixed = {word: (1.0 - weight) * count for word, count in counts.items()}
    for word, prob in table.items():
        mixed[word] = mixed.get(word, 0.0) + weight * total * prob / norm
    return Lexicon(mixed)


_HAN_RE = re.compile("[\u4e00-\u9fff]")


# --------------------------------------------------------------------- character priors

# Pseudo-frequencies (same scale as jieba's counts, total ~6e7) for non-Han characters that
# are common in Chinese technical notes. Only their ratios to other candidates for the same
# damaged bytes matter: e.g. ``â€`` + lost byte is ” (9D) far more often than „ (9E).
_COMMON = {
    **dict.fromkeys("，", 3e5),
    **dict.fromkeys("。", 2e5),
    **dict.fromkeys("、：“”（）", 5e4),
    **dict.fromkeys("；？！‘’《》【】—…·", 1e4),
    **dict.fromkeys("「」『』～→←↑↓×÷±≈≤≥≠∈∑√∞•●■□▶★☆✓✔✗✘✅❌⚠⭐", 2e3),
    **dict.fromkeys("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΣΦΨΩ∂∇ℝ", 1e3),
    **dict.fromkeys("🔍\ufe0f", 3e3),  # VS16 follows ⚠ ⚖ ✔ … in emoji presentation
    **dict.fromkeys("\u200d", 1e2),  # zero-width joiner inside emoji sequences
    **dict.fromkeys(
        "🚀📊📈📉📚📖📝📌📍💡🤖🧠🎯🏆🔥✨⚡🔹🔸🔺🔻👉👍👀🤔❓❗💬🔗📦🔧🛠🔬🧪💰🔮🆚📅🎉🙏😀😂🌟💻📄📁",
        1e3,
    ),
    # Emoji below U+2800 whose UTF-8 holds a lost byte (⏱ e2 8f b1, ❌ e2 9d 8c, ➡ e2 9e a1).
    **dict.fromkeys("⏱⏰⏳⏩⏪⏫⏬⏸⏹⏺❤❓❔❕❗❌❎➕➖➗➡✍✏❄❇", 1e3),
    **dict.fromkeys("０１２３４５６７８９／－．＋＝＜＞＃＆％＊＠", 3e2),
}

_BLOCK_PRIORS: tuple[tuple[int, int, float], ...] = (
    (0x4E00, 0x9FFF, 0.5),  # CJK unified ideographs missing from the dictionary
    (0x3000, 0x303F, 20.0),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF, 20.0),  # half/full-width forms
    (0x0000, 0x052F, 20.0),  # Latin, Greek, Cyrillic
    (0x2000, 0x2BFF, 5.0),  # punctuation, arrows, maths, shapes, dingbats
    (0x1D400, 0x1D7FF, 10.0),  # mathematical alphanumerics (𝑄 pasted from papers)
    (0x1F300, 0x1FAFF, 10.0),  # emoji
)
_OTHER_PRIOR = 0.05


@cache
def _char_prior(char: str) -> float:
    """Log-probability of a single character that is not in the lexicon."""
    count = _COMMON.get(char)
    if count is None:
        point = ord(char)
        count = next((c for lo, hi, c in _BLOCK_PRIORS if lo <= point <= hi), _OTHER_PRIOR)
        if unicodedata.category(char) == "Cf":
            count = min(count, _OTHER_PRIOR)
    return math.log(count / 6e7)


# ----------------------------------------------------------------------- candidates


def _utf8_length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _allowed(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cn", "Co", "Cs")


@cache
def _candidates(group: bytes) -> tuple[str, ...]:
    """Characters the byte group (a lead byte and the continuation bytes that survived) can be.

    A complete group decodes to itself; an incomplete one yields every assigned, non-control
    character obtained by inserting lost byte values at the missing positions. Empty if none.
    """
    size = _utf8_length(group[0])
    missing = size - len(group)
    if missing < 0:
        return ()
    if missing == 0:
        try:
            return (group.decode("utf-8"),)
        except UnicodeDecodeError:
            return ()
    tail = list(group[1:])
    found: set[str] = set()
    for slots in combinations(range(size - 1), missing):
        for values in product(_LOST_SORTED, repeat=missing):
            inserted = dict(zip(slots, values, strict=True))
            rest = iter(tail)
            cont = [inserted[i] if i in inserted else next(rest) for i in range(size - 1)]
            try:
                char = bytes([group[0], *cont]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _allowed(char):
                found.add(char)
    return tuple(sorted(found))


def _groups(raw: bytes) -> list[bytes] | None:
    """Split mojibake bytes (starting with a lead byte) into one group per lead byte."""
    groups: list[bytearray] = []
    for byte in raw:
        if byte >= 0xC0:
            groups.append(bytearray([byte]))
        elif groups:
            groups[-1].append(byte)
        else:
            return None
    return [bytes(g) for g in groups]


# ------------------------------------------------------------------- lattice decoding

_Edge = tuple[int, int, str, float]  # start, end, word, log-probability
_Reading = tuple[list[str], list[float], list[tuple[str, ...]]]  # best, margins, runner-ups


def _single_logprob(char: str, lexicon: Lexicon) -> float:
    found = lexicon.logprob(char)
    return found if found is not None else _char_prior(char)


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


class _PairScorer:
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


def _decode(
    slots: list[tuple[str, ...]],
    lexicon: Lexicon,
    context: tuple[str, str] = ("", ""),
    pairs: _PairScorer | None = None,
    breaks: frozenset[int] = frozenset(),
) -> _Reading:
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
        pairs = _PairScorer(ContextTable.empty())
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


def _segment(text: str, lexicon: Lexicon) -> list[str]:
    """Most probable segmentation of undamaged ``text`` into words (unigram Viterbi)."""
    _, path = _viterbi(_lattice([(c,) for c in text], lexicon), len(text))
    return [edge[2] for edge in path]


# ------------------------------------------------------------------------- repair


@dataclass(frozen=True)
class UncertainChar:
    """A damaged character whose reading was not confident; it is marked in the output."""

    line: int  #: 1-based line number (lines are the same in the input and the output)
    column: int  #: 1-based column of the guess in the repaired line (markers count)
    guess: str  #: the reading written between the markers (the most probable one)
    alternatives: tuple[str, ...]  #: next most probable readings, best first (at most 3)
    mojibake: str  #: the damaged characters in the input that were read


@dataclass(frozen=True)
class RepairResult:
    """Repaired text and what the repair did.

    Counts are of mojibake *runs* (maximal sequences of characters that render UTF-8 bytes
    >= 0x80) and of damaged *characters* (original characters that lost bytes). Every damaged
    character is exactly one of: restored uniquely, restored by lexicon choice, or uncertain.
    """

    text: str
    mojibake_runs: int = 0  #: runs decoded back to UTF-8
    damaged_runs: int = 0  #: runs in which at least one byte was lost
    damaged_chars: int = 0  #: characters that had lost bytes
    restored_unique: int = 0  #: damaged characters with a single valid reading
    restored_by_lexicon: int = 0  #: damaged characters chosen by the lexicon with confidence
    uncertain: tuple[UncertainChar, ...] = ()  #: damaged characters marked as uncertain
    skipped_runs: int = 0  #: look-alike runs left unchanged (not parseable as damaged UTF-8)

    @property
    def uncertain_count(self) -> int:
        """Number of characters marked as uncertain."""
        return len(self.uncertain)

    @property
    def uncertain_lines(self) -> tuple[int, ...]:
        """Sorted distinct line numbers that contain marked characters."""
        return tuple(sorted({u.line for u in self.uncertain}))


@dataclass
class _Run:
    start: int  # offset in the input
    sources: list[str]  # the mojibake characters of each group
    slots: list[tuple[str, ...]]  # candidate readings of each group
    damaged: list[bool]  # whether each group lost bytes

    @property
    def end(self) -> int:
        """Offset in the input just after the run."""
        return self.start + sum(len(source) for source in self.sources)


def _find_runs(text: str) -> tuple[list[_Run], int]:
    """Mojibake runs of ``text`` that parse as (possibly damaged) UTF-8, and how many did not."""
    runs: list[_Run] = []
    skipped = 0
    for match in _RUN_RE.finditer(text):
        chars = match.group()
        lead = 0  # continuation bytes cannot start a character: leave them as they are
        while lead < len(chars) and _BYTE_OF[chars[lead]] < 0xC0:
            lead += 1
        if lead == len(chars):
            continue
        start = match.start() + lead
        groups = _groups(bytes(_BYTE_OF[c] for c in chars[lead:]))
        assert groups is not None
        slots = [_candidates(group) for group in groups]
        if not all(slots) or _genuine_letter(text, start, groups):
            skipped += 1
            continue
        sources: list[str] = []
        offset = lead
        for group in groups:
            sources.append(chars[offset : offset + len(group)])
            offset += len(group)
        damaged = [len(g) < _utf8_length(g[0]) for g in groups]
        runs.append(_Run(start, sources, slots, damaged))
    return runs, skipped


def _genuine_letter(text: str, start: int, groups: list[bytes]) -> bool:
    """Whether a run is a lone accented letter better left alone than read as damage.

    A lone lead byte without any continuation byte is either a character that lost all of
    them or a genuine Latin-1 letter in text that was never damaged. The seeds never show a
    two-byte character (``Ã`` + lost byte) losing its only continuation byte, so lone
    ``Â``-``ß`` are left alone; a lone ``à``-``ï`` (a CJK lead byte) is read as damage, as in
    ``SFTåI2V`` (后) or ``**é Transformer`` (非), except next to a lowercase ASCII letter, as
    in ``café`` or ``été`` (the only two lone ones in the seeds are not).
    """
    if len(groups) != 1 or len(groups[0]) != 1:
        return False
    if groups[0][0] < 0xE0:
        return True
    around = text[max(start - 1, 0) : start] + text[start + 1 : start + 2]
    return any(c.isascii() and c.islower() for c in around)


def _looks_damaged(runs: list[_Run]) -> bool:
    """Evidence of mojibake: some complete 3- or 4-byte character, e.g. ``ï¼Œ`` for ``，``.

    Genuine Latin-1 text virtually never spells a lead byte followed by two or three
    continuation bytes, so a text without any is treated as clean.
    """
    return any(
        len(source) >= 3 and not damaged
        for run in runs
        for source, damaged in zip(run.sources, run.damaged, strict=True)
    )


def repair_text(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    assume_damaged: bool | None = None,
    context: ContextTable | None = None,
    char_context: CharContext | None = None,
) -> RepairResult:
    """Undo the mojibake in ``text``, restoring lost bytes where the evidence allows.

    Promises:

    * characters outside mojibake runs (ASCII, CJK, emoji, any character that is not a
      cp1254/cp1252 rendering of a UTF-8 byte) are copied unchanged, and so are runs that do
      not parse as damaged UTF-8; line breaks are never added or removed;
    * if ``text`` shows no evidence of mojibake (see ``assume_damaged``) it is returned as is;
    * every damaged character is restored to a candidate consistent with the damage model
      (lost bytes are among :data:`LOST_BYTES`); when the best reading does not beat every
      alternative by :data:`CONFIDENCE_MARGIN` nats it is written as ``⟦guess⟧`` and listed in
      :attr:`RepairResult.uncertain`, never silently guessed.

    ``lexicon`` defaults to jieba's dictionary; the document's own vocabulary (segmented
    from the characters that are certain) is learned on top of it. ``assume_damaged=None``
    detects mojibake from the text (a complete 3- or 4-byte character such as ``ï¼Œ``);
    ``True``/``False`` forces the decision. ``context`` scores adjacent word pairs (default:
    :meth:`ContextTable.default`, the table shipped with kbtool) and ``char_context``
    adjacent characters (default: :meth:`CharContext.default`, technical Chinese).
    """
    runs, skipped = _find_runs(text)
    damaged_doc = _looks_damaged(runs) if assume_damaged is None else assume_damaged
    if not runs or not damaged_doc:
        return RepairResult(text, skipped_runs=skipped)

    base = lexicon if lexicon is not None else Lexicon.default()
    newline_offsets = [i for i, c in enumerate(text) if c == "\n"]
    lines = [bisect_right(newline_offsets, run.start) + 1 for run in runs]
    table = context if context is not None else ContextTable.default()
    chars = char_context if char_context is not None else CharContext.default()
    segments = _certain_segments(_certain_text(text, runs), base)
    vocabulary = base.learn(word for segment in segments for word in segment)
    readings = _decode_lines(runs, lines, vocabulary, _PairScorer(table, chars))

    pieces: list[str] = []
    out_len = 0
    line_start = 0  # output offset where the current line starts
    uncertain: list[UncertainChar] = []
    damaged_runs = damaged_chars = unique = by_lexicon = 0
    cursor = 0

    def emit(piece: str) -> None:
        nonlocal out_len, line_start
        pieces.append(piece)
        newline = piece.rfind("\n")
        if newline >= 0:
            line_start = out_len + newline + 1
        out_len += len(piece)

    for index, run in enumerate(runs):
        emit(text[cursor : run.start])
        cursor = run.end
        if not any(run.damaged):
            emit("".join(slot[0] for slot in run.slots))
            continue
        damaged_runs += 1
        reading = readings[index]
        assert reading is not None
        best, margins, rivals = reading
        line = lines[index]
        open_mark = False
        for i, char in enumerate(best):
            sure = True
            if run.damaged[i]:
                damaged_chars += 1
                if len(run.slots[i]) == 1:
                    unique += 1
                elif margins[i] >= CONFIDENCE_MARGIN:
                    by_lexicon += 1
                else:
                    sure = False
            if not sure and not open_mark:
                emit(MARK_OPEN)
                open_mark = True
            elif sure and open_mark:
                emit(MARK_CLOSE)
                open_mark = False
            if not sure:
                column = out_len - line_start + 1
                uncertain.append(UncertainChar(line, column, char, rivals[i], run.sources[i]))
            emit(char)
        if open_mark:
            emit(MARK_CLOSE)
    emit(text[cursor:])
    return RepairResult(
        text="".join(pieces),
        mojibake_runs=len(runs),
        damaged_runs=damaged_runs,
        damaged_chars=damaged_chars,
        restored_unique=unique,
        restored_by_lexicon=by_lexicon,
        uncertain=tuple(uncertain),
        skipped_runs=skipped,
    )


_GAP = "\0"


def _certain_text(text: str, runs: list[_Run]) -> str:
    """``text`` with its mojibake runs decoded where the reading is certain and every ambiguous
    character replaced by :data:`_GAP`: the text known to be right, to learn vocabulary from."""
    pieces: list[str] = []
    cursor = 0
    for run in runs:
        pieces.append(text[cursor : run.start])
        pieces.extend(slot[0] if len(slot) == 1 else _GAP for slot in run.slots)
        cursor = run.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _certain_segments(certain: str, lexicon: Lexicon) -> list[list[str]]:
    """Words of the certain text: each stretch of non-ASCII characters, segmented.

    A word next to a gap is dropped: it may be the rest of a word cut by the gap (段 of 字段
    when 字 is ambiguous), and learning it as a word of its own would make the document
    seem to favour exactly the wrong readings next to damaged characters.
    """
    segments: list[list[str]] = []
    for match in re.finditer(r"[^\x00-\x7f\s]+", certain):
        words = _segment(match.group(), lexicon)
        if match.start() > 0 and certain[match.start() - 1] == _GAP:
            words = words[1:]
        if match.end() < len(certain) and certain[match.end()] == _GAP:
            words = words[:-1]
        if words:
            segments.append(words)
    return segments


def _decode_lines(
    runs: list[_Run], lines: list[int], lexicon: Lexicon, pairs: _PairScorer
) -> list[_Reading | None]:
    """Read every damaged run, decoding all the runs of a line as one lattice.

    Runs on one line are separated by ASCII text (spaces, code, ``%s``); decoding them
    together lets the words on either side of it inform each other, and lets a bracket be
    read by its partner in another run. Runs without lost bytes get ``None``.
    """
    readings: list[_Reading | None] = [None] * len(runs)
    first = 0
    while first < len(runs):
        last = first
        while last + 1 < len(runs) and lines[last + 1] == lines[first]:
            last += 1
        group = range(first, last + 1)
        if any(any(runs[i].damaged) for i in group):
            slots: list[tuple[str, ...]] = []
            starts: list[int] = []
            for i in group:
                starts.append(len(slots))
                slots.extend(runs[i].slots)
            best, margins, rivals = _decode(slots, lexicon, ("", ""), pairs, frozenset(starts[1:]))
            for i, begin in zip(group, starts, strict=True):
                end = begin + len(runs[i].slots)
                if any(runs[i].damaged):
                    readings[i] = (best[begin:end], margins[begin:end], rivals[begin:end])
        first = last + 1
    return readings
