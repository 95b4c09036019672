"""How well a new paper matches the researcher's interests: keywords in its title and abstract.

Pure functions of text; :mod:`kbtool.watch.run` applies them to arXiv's records.

The rules (documented for the researcher in ``kbtool.yml``):

* **Whole words, any case.** A keyword matches where it is not part of a longer
  word: ``RL`` matches "RL", "Meta-RL", "RL-based" and "(RL)", never "URL" or
  "RLHF"; ``MoE`` matches "MoE", "MOE" and "moe". Letters and digits make up
  words (in any script); everything else — spaces, hyphens, punctuation,
  LaTeX's braces — separates them.
* **Several words** match with any spacing or hyphens between them:
  ``mixture of experts`` matches "Mixture-of-Experts" and "mixture of\\nexperts".
* **Plurals**: a keyword whose last character is a letter also matches with
  ``s`` or ``es`` added ("LLM" → "LLMs", "kernel" → "kernels", "MoE" → "MoEs").
  Nothing else is stemmed: write keywords in the singular, and list other forms
  ("decode", "decoding") separately.
* **Score**: each keyword counts once, however often it appears: its weight
  (default 1) when it is in the abstract only, its weight times
  ``title_weight`` (default 1.5) when it is in the title. With weight 1 this is
  the researcher's old digest bot's scale (1 point for a match, half a point more
  in the title), so its scores and ``min_score`` carry over.
* **Exclude keywords** (same matching) anywhere in the title or abstract drop
  the paper, whatever its score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

#: Characters that join the words of a several-word keyword in a text.
_JOINER = r"[\s\-\u2010\u2011\u2012\u2013\u2014]+"
_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")
# A word character is a letter or a digit in any script; "_" separates words here.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


@dataclass(frozen=True)
class Keyword:
    """A keyword and how much a match counts."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class PaperScore:
    """How a paper matched: its score, the keywords found (settings' order), why it is out."""

    score: float
    keywords: tuple[str, ...] = ()
    title_keywords: tuple[str, ...] = ()
    excluded_by: str | None = None

    @property
    def excluded(self) -> bool:
        return self.excluded_by is not None


def keyword_words(text: str) -> list[str]:
    """The words of a keyword (split at spaces and hyphens), empty ones dropped."""
    return [word for word in _SPLIT.split(text.strip()) if word]


def normalized_keyword(text: str) -> str:
    """A keyword's identity for finding duplicates: case-folded words joined by one space."""
    return " ".join(word.casefold() for word in keyword_words(text))


@lru_cache(maxsize=1024)
def keyword_pattern(text: str) -> re.Pattern[str]:
    """The regular expression that finds ``text`` as a whole word (see the module docstring)."""
    words = keyword_words(text)
    if not words:
        raise ValueError(f"not a keyword: {text!r}")
    body = _JOINER.join(re.escape(word) for word in words)
    plural = "(?:e?s)?" if words[-1][-1].isalpha() else ""
    before = _BEFORE if _is_word_char(words[0][0]) else ""
    after = _AFTER if _is_word_char(words[-1][-1]) else ""
    return re.compile(f"{before}{body}{plural}{after}", re.IGNORECASE)


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def mentions(text: str, keyword: str) -> bool:
    """True when ``keyword`` occurs in ``text`` as a whole word (any case, plural allowed)."""
    return keyword_pattern(keyword).search(text) is not None


@dataclass(frozen=True)
class Scorer:
    """Scores papers against a set of keywords; build once, apply to many papers."""

    keywords: Sequence[Keyword]
    exclude_keywords: Sequence[str] = ()
    title_weight: float = 1.5

    def score(self, title: str, abstract: str) -> PaperScore:
        """The paper's :class:`PaperScore`; an excluded paper scores 0."""
        for word in self.exclude_keywords:
            if mentions(title, word) or mentions(abstract, word):
                return PaperScore(0.0, excluded_by=word)
        total = 0.0
        found: list[str] = []
        in_title: list[str] = []
        for keyword in self.keywords:
            if mentions(title, keyword.text):
                total += keyword.weight * self.title_weight
                found.append(keyword.text)
                in_title.append(keyword.text)
            elif mentions(abstract, keyword.text):
                total += keyword.weight
                found.append(keyword.text)
        # Rounded so that sums of weights such as 0.1 compare and store as written.
        return PaperScore(round(total, 6), tuple(found), tuple(in_title))
