"""Word and character probabilities for scoring readings of damaged text.

:class:`Lexicon` holds word frequencies (jieba's dictionary mixed with the shipped
context table, plus a document's own vocabulary); :func:`char_prior` scores a single
character the lexicon does not know.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kbtool.repair.context_table import ContextTable

#: Share of the shipped context table's word frequencies (modern web text) in the default
#: lexicon, beside jieba's (older news text plus a large vocabulary).
TABLE_UNIGRAM_WEIGHT = 0.8


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
def char_prior(char: str) -> float:
    """Log-probability of a single character that is not in the lexicon."""
    count = _COMMON.get(char)
    if count is None:
        point = ord(char)
        count = next((c for lo, hi, c in _BLOCK_PRIORS if lo <= point <= hi), _OTHER_PRIOR)
        if unicodedata.category(char) == "Cf":
            count = min(count, _OTHER_PRIOR)
    return math.log(count / 6e7)
