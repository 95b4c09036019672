"""Distil ``kbtool/repair/data/context_zh.tsv.gz`` from Debian's ``sunpinyin-data`` language model.

Run (Debian, from the repository root)::

    python scripts/build_context_table.py            # apt-get download sunpinyin-data
    python scripts/build_context_table.py --deb sunpinyin-data_0.1.22+20170109-2_amd64.deb
    python scripts/build_context_table.py --data-dir /usr/lib/x86_64-linux-gnu/sunpinyin/data

The output is committed; kbtool never needs the Debian package at run time.

What the package holds (formats from sunpinyin's ``src/slm/slm.h``/``slm.cpp`` and
``src/lexicon/pytrie.h``/``pytrie.cpp``):

* ``pydict_sc.bin``: three little-endian ``uint32`` (word count, node count, offset of the
  string table), then a pinyin trie; the string table holds every word as NUL-terminated
  UCS-4 in word-id order (ids 0-69 are markers and unassigned; 69 is "not a word").
* ``lm_sc.t3g``: sunpinyin's "threaded" back-off word trigram, trained on the open-gram
  corpus. ``uint32 N`` (3), ``uint32 use_log_pr`` (0: the tables hold plain
  probabilities), ``uint32 level_size[N+1]`` (each with one sentinel node), ``float
  pr_table[65536]``, ``float bow_table[16384]``, then levels 0..N-1 of 12-byte nodes and level
  N of 8-byte leaves. A node is three ``uint32``: ``wid:18 bow:14 | pr:16 ch_lo:16 |
  bon:23 bol:2 ch_hi:7``; the children of node ``i`` are nodes ``ch(i)..ch(i+1)-1`` of the
  next level. A leaf is ``wid:18 pr_lo:14 | bon:23 bol:2 pr_hi:2``.

What is kept. The repair (``kbtool.repair.context_table``) scores adjacent words ``h w`` by their
pointwise mutual information ``PMI(h, w) = log P(w | h) - log P(w)``, and with back-off
``P(w | h) = bow(h) P(w)`` an unlisted pair scores ``log bow(h)``. Only pairs that can
decide a repair are kept: ``h`` or ``w`` must be *confusable*, i.e. damaged like the seeds
(``kbtool.repair.mojibake.damage_text``) it reads the same as another word of the model
(中/与/不, 低/住/位, 实际/宝际…). Of those, pairs whose weight ``P(h) P(w|h) |PMI - log
bow(h)|`` is below ``--min-weight`` are dropped (the back-off estimate is then close enough,
or the pair too rare to matter). Values are stored in tenths of a nat.

Output format (UTF-8, gzip with a fixed timestamp, so rebuilding gives identical bytes):
``#`` comment lines, then one line per word ``h`` of the model, tab-separated::

    h  log_P(h)  log_bow(h)  w1  pmi(h, w1)  w2  pmi(h, w2) ...

with all numbers as integers in tenths of a nat. The unigram column lets the repair's lexicon
mix these (modern, web-text) word frequencies with jieba's.
"""

from __future__ import annotations

import argparse
import array
import gzip
import io
import math
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbtool.repair.mojibake import damage_text  # noqa: E402

PACKAGE = "sunpinyin-data"
DATA_SUBDIR = "usr/lib/x86_64-linux-gnu/sunpinyin/data"
OUTPUT = ROOT / "kbtool" / "data" / "context_zh.tsv.gz"
FIRST_WORD_ID = 70  # ids below are sentence markers, "not a word" (69) and unassigned


def read_words(path: Path) -> list[str]:
    """Word strings of ``pydict_sc.bin`` indexed by word id ('' for markers)."""
    data = path.read_bytes()
    count, _nodes, offset = struct.unpack_from("<3I", data)
    chars = array.array("I")
    chars.frombytes(data[offset : offset + (len(data) - offset) // 4 * 4])
    if sys.byteorder != "little":
        chars.byteswap()
    words: list[str] = []
    current: list[int] = []
    for value in chars:
        if value == 0:
            words.append("".join(map(chr, current)))
            current = []
            if len(words) == count:
                break
        else:
            current.append(value)
    if len(words) != count:
        raise SystemExit(f"{path}: expected {count} words, found {len(words)}")
    return words


def _uint32s(data: bytes, start: int, count: int) -> array.array[int]:
    values = array.array("I")
    values.frombytes(data[start : start + 4 * count])
    if sys.byteorder != "little":
        values.byteswap()
    return values


def read_model(
    path: Path,
) -> tuple[dict[int, tuple[float, float]], dict[tuple[int, int], float]]:
    """Unigrams ``wid -> (log P(w), log bow(w))`` and bigrams ``(h, w) -> log P(w | h)``."""
    data = path.read_bytes()
    order, use_log = struct.unpack_from("<2I", data)
    if order != 3:
        raise SystemExit(f"{path}: expected a trigram model, found order {order}")
    sizes = struct.unpack_from(f"<{order + 1}I", data, 8)
    offset = 8 + 4 * (order + 1)
    pr_table = array.array("f")
    pr_table.frombytes(data[offset : offset + 4 * 65536])
    offset += 4 * 65536
    bow_table = array.array("f")
    bow_table.frombytes(data[offset : offset + 4 * 16384])
    offset += 4 * 16384
    if sys.byteorder != "little":
        pr_table.byteswap()
        bow_table.byteswap()

    def log_value(table: array.array[float], index: int) -> float:
        value = float(table[index])
        return -value if use_log else math.log(value)

    levels = []
    for level, size in enumerate(sizes):
        width = 3 if level < order else 2
        levels.append(_uint32s(data, offset, width * size))
        offset += 4 * width * size
    if offset != len(data):
        raise SystemExit(f"{path}: {len(data) - offset} unexpected trailing bytes")

    nodes1 = levels[1]
    unigrams: dict[int, tuple[float, float]] = {}
    children: list[tuple[int, int, int]] = []  # (wid, first child, end child)
    for i in range(sizes[1] - 1):
        a, b, c = nodes1[3 * i : 3 * i + 3]
        wid, bow, pr = a & 0x3FFFF, a >> 18, b & 0xFFFF
        child = ((c >> 25) << 16) | (b >> 16)
        n = nodes1[3 * i + 3 : 3 * i + 6]
        end = ((n[2] >> 25) << 16) | (n[1] >> 16)
        unigrams[wid] = (log_value(pr_table, pr), log_value(bow_table, bow))
        children.append((wid, child, end))
    nodes2 = levels[2]
    bigrams: dict[tuple[int, int], float] = {}
    for history, first, end in children:
        for j in range(first, end):
            a, b = nodes2[3 * j], nodes2[3 * j + 1]
            bigrams[history, a & 0x3FFFF] = log_value(pr_table, b & 0xFFFF)
    return unigrams, bigrams


def confusable(words: list[str]) -> set[str]:
    """Words that the damage makes indistinguishable from another word of the model."""
    readings: dict[str, list[str]] = defaultdict(list)
    for word in words:
        readings[damage_text(word)].append(word)
    return {word for group in readings.values() if len(group) > 1 for word in group}


def build(data_dir: Path, min_weight: float) -> tuple[bytes, dict[str, int]]:
    """The gzip-compressed table and some counts, from an unpacked ``sunpinyin-data``."""
    names = read_words(data_dir / "pydict_sc.bin")
    unigrams, bigrams = read_model(data_dir / "lm_sc.t3g")
    vocabulary = {wid: names[wid] for wid in unigrams if wid >= FIRST_WORD_ID and names[wid]}
    ids = {word: wid for wid, word in vocabulary.items()}
    if len(ids) != len(vocabulary):
        raise SystemExit("the model spells two word ids the same way")
    ambiguous = confusable(list(vocabulary.values()))
    rows: dict[str, dict[str, int]] = defaultdict(dict)
    considered = 0
    for (hid, wid), logp in bigrams.items():
        history, word = vocabulary.get(hid), vocabulary.get(wid)
        if history is None or word is None or not (history in ambiguous or word in ambiguous):
            continue
        considered += 1
        uni_h, bow_h = unigrams[hid]
        pmi = logp - unigrams[wid][0]
        if math.exp(uni_h + logp) * abs(pmi - bow_h) < min_weight:
            continue
        rows[history][word] = round(pmi * 10)
    out = io.StringIO()
    out.write(
        "# kbtool context table: word unigrams and word-pair PMI from sunpinyin-data's\n"
        "# lm_sc.t3g (open-gram, CC-BY-SA 3.0; see context_zh.README.md). Built by\n"
        f"# scripts/build_context_table.py --min-weight {min_weight:g}. Columns: w, log P(w),\n"
        "# log bow(w), then (follower, PMI(w, follower)) pairs; numbers in tenths of a nat.\n"
    )
    for word in sorted(ids):
        logp, bow = unigrams[ids[word]]
        pairs = sorted(rows.get(word, {}).items())
        fields = [word, str(round(logp * 10)), str(round(bow * 10))]
        out.write("\t".join([*fields, *(f"{w}\t{v}" for w, v in pairs)]) + "\n")
    raw = out.getvalue().encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(raw)
    counts = {
        "words": len(vocabulary),
        "confusable words": len(ambiguous),
        "bigrams": len(bigrams),
        "bigrams touching a confusable word": considered,
        "kept": sum(len(r) for r in rows.values()),
        "histories": len(rows),
    }
    return buffer.getvalue(), counts


def unpack_package(deb: Path | None, scratch: Path) -> Path:
    """Unpack ``deb`` (downloaded with ``apt-get download`` if None) into ``scratch``."""
    if deb is None:
        subprocess.run(["apt-get", "download", PACKAGE], cwd=scratch, check=True)
        deb = next(scratch.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(scratch / "root")], check=True)
    return scratch / "root" / DATA_SUBDIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--deb", type=Path, help="a downloaded sunpinyin-data .deb")
    source.add_argument("--data-dir", type=Path, help="directory holding lm_sc.t3g")
    parser.add_argument("--min-weight", type=float, default=1e-8)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or unpack_package(args.deb, Path(scratch))
        table, counts = build(data_dir, args.min_weight)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".tmp")
    temporary.write_bytes(table)
    temporary.replace(args.output)
    for name, value in counts.items():
        print(f"{name}: {value}")
    print(f"wrote {args.output} ({len(table) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
