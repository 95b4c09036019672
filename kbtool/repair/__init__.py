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
     :data:`~kbtool.repair.lattice.WORD_PENALTY`;
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

The package, layer by layer:

* :mod:`~kbtool.repair.mojibake` — the damage model: which characters render which bytes,
  the candidates of a damaged byte group, the runs of mojibake in a text;
* :mod:`~kbtool.repair.lexicon` — word and character probabilities;
* :mod:`~kbtool.repair.lattice` — the lattice of readings and its decoding;
* :mod:`~kbtool.repair.text` — :func:`repair_text`, the public entry point;
* :mod:`~kbtool.repair.context_table` — the shipped context tables;
* :mod:`~kbtool.repair.files` — repairing a file on disk.
"""

from __future__ import annotations

from kbtool.repair.lexicon import Lexicon
from kbtool.repair.mojibake import LOST_BYTES, damage_text
from kbtool.repair.text import (
    CONFIDENCE_MARGIN,
    MARK_CLOSE,
    MARK_OPEN,
    RepairResult,
    UncertainChar,
    repair_text,
)

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
