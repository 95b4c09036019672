"""Tests for the table builders in ``scripts/``, on small files written in the real formats.

The Debian and PyPI sources are not available to the tests; these build miniature versions
of sunpinyin's ``pydict_sc.bin`` and ``lm_sc.t3g`` (layout from sunpinyin's ``slm.h`` and
``pytrie.h``) and check that the builders read them and that kbtool loads what they write.
"""

from __future__ import annotations

import gzip
import math
import struct
import sys
from collections import Counter
from pathlib import Path

import pytest

from kbtool.repair.context_table import CharContext, ContextTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import build_char_table
import build_context_table


def node(wid: int, bow: int, pr: int, child: int) -> bytes:
    """A 12-byte threaded-model node: wid:18 bow:14 | pr:16 ch_lo:16 | bon:23 bol:2 ch_hi:7."""
    return struct.pack("<3I", wid | bow << 18, pr | (child & 0xFFFF) << 16, (child >> 16) << 25)


def write_model(directory: Path) -> None:
    # Words: ids 0-69 are markers (empty), 70 = 中, 71 = 与 (both read as ä¸ once damaged).
    strings = [0] * 70 + [ord("中"), 0, ord("与"), 0]
    (directory / "pydict_sc.bin").write_bytes(
        struct.pack("<3I", 72, 0, 12) + struct.pack(f"<{len(strings)}I", *strings)
    )
    pr = [0.0] * 65536
    pr[1:4] = [0.1, 0.05, 0.2]
    bow = [1.0] * 16384
    bow[1] = 0.5
    levels = [
        node(0, 0, 0, 0) + node(0, 0, 0, 2),  # root, sentinel
        node(70, 1, 1, 0) + node(71, 0, 2, 1) + node(0, 0, 0, 1),  # P(中)=.1 bow .5; P(与)=.05
        node(71, 0, 3, 0) + node(0, 0, 0, 0),  # P(与 | 中) = .2
        struct.pack("<2I", 0, 0),  # no trigram: the sentinel leaf only
    ]
    header = struct.pack("<5I", 3, 0, 2, 3, 2) + struct.pack("<I", 1)
    body = struct.pack("<65536f", *pr) + struct.pack("<16384f", *bow) + b"".join(levels)
    (directory / "lm_sc.t3g").write_bytes(header + body)


def test_sunpinyin_reader_and_distilled_table(tmp_path: Path) -> None:
    write_model(tmp_path)
    words = build_context_table.read_words(tmp_path / "pydict_sc.bin")
    assert words[70:] == ["中", "与"]
    unigrams, bigrams = build_context_table.read_model(tmp_path / "lm_sc.t3g")
    assert unigrams[70] == pytest.approx((math.log(0.1), math.log(0.5)))
    assert unigrams[71] == pytest.approx((math.log(0.05), 0.0))
    assert bigrams == {(70, 71): pytest.approx(math.log(0.2))}

    data, counts = build_context_table.build(tmp_path, min_weight=1e-8)
    assert counts["confusable words"] == 2 and counts["kept"] == 1
    text = gzip.decompress(data).decode("utf-8")
    table = ContextTable.from_lines(text.splitlines())
    assert table.pmi("中", "与") == pytest.approx(1.4)  # log(.2 / .05), in tenths
    assert table.pmi("中", "中") == pytest.approx(-0.7)  # back-off: log .5
    assert table.unigrams() == pytest.approx({"中": -2.3, "与": -3.0})
    # Reproducible: the same input gives the same bytes (gzip without a timestamp).
    assert build_context_table.build(tmp_path, min_weight=1e-8)[0] == data


def test_truncated_model_is_refused(tmp_path: Path) -> None:
    write_model(tmp_path)
    model = tmp_path / "lm_sc.t3g"
    model.write_bytes(model.read_bytes() + b"\0\0\0\0")
    with pytest.raises(SystemExit, match="trailing bytes"):
        build_context_table.read_model(model)


def test_char_counts_keep_only_pairs_that_can_differ() -> None:
    assert build_char_table.lossy("子") and build_char_table.lossy("中")
    assert not build_char_table.lossy("进") and not build_char_table.lossy("a")
    chars, pairs, total = build_char_table.count(["子进程 abc 不支持", "子进"])
    assert total == 8 and chars["子"] == 2
    # 子进, 不支, 支持 have a lossy character (子, 不, 持) and are kept; 进程 cannot differ.
    assert pairs == {"子进": 2, "不支": 1, "支持": 1}
    data = build_char_table.render(chars, pairs, total, Counter(test=2))
    table = CharContext.from_lines(gzip.decompress(data).decode("utf-8").splitlines())
    assert len(table) == 3
    assert table.pmi("子", "进") > 0 > table.pmi("子", "支")
