"""Regenerate the third-party clean Chinese text under ``benchmarks/data/external/``.

Run: ``python benchmarks/extract_external_corpus.py`` on Debian 12 with the packages below
installed (their versions are written into ``SOURCES.md``). The output is committed, so the
benchmark itself needs none of them.

Sources (modern technical Simplified Chinese, written by translators, none of it from the
seeds or from the open-gram corpus behind ``kbtool/repair/data/context_zh.tsv.gz``):

* ``postgresql-15``: the server's message catalogue ``postgres-15.mo`` (zh_CN), PostgreSQL
  Licence (permissive, BSD-like). Messages are split by a hash of their English msgid into a
  *dev* half (for tuning the repair's weights) and a *test* half (for reporting only).
* ``systemd``: the journal message catalogue ``systemd.zh_CN.catalog``, LGPL-2.1-or-later.
  Test only.
"""

from __future__ import annotations

import gettext
import hashlib
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "external"
PG_MO = Path("/usr/share/locale/zh_CN/LC_MESSAGES/postgres-15.mo")
SYSTEMD = Path("/usr/lib/systemd/catalog/systemd.zh_CN.catalog")
HAN = re.compile(r"[\u4e00-\u9fff]")
#: Han characters per PostgreSQL half: enough for a stable figure, small enough to commit.
PG_HAN_PER_SPLIT = 15_000


def package_version(path: Path) -> str:
    owner = subprocess.run(
        ["dpkg", "-S", str(path)], capture_output=True, text=True, check=True
    ).stdout.split(":")[0]
    version = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", owner], capture_output=True, text=True, check=True
    ).stdout
    return f"{owner} {version}"


def postgres_messages() -> tuple[str, str]:
    """The Chinese messages of the PostgreSQL catalogue, split into (dev, test) by msgid hash."""
    with PG_MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    keyed = sorted(
        (hashlib.sha1(repr(key).encode()).hexdigest(), value)
        for key, value in catalog.items()
        if key and HAN.search(value)
    )
    halves: tuple[list[str], list[str]] = ([], [])
    counts = [0, 0]
    for digest, value in keyed:
        side = int(digest[-1], 16) % 2
        if counts[side] >= PG_HAN_PER_SPLIT:
            continue
        halves[side].append(value.strip())
        counts[side] += len(HAN.findall(value))
    return "\n".join(halves[0]) + "\n", "\n".join(halves[1]) + "\n"


def systemd_catalog() -> str:
    """The catalogue's message texts (headers and ids dropped, blank lines kept)."""
    lines = []
    for line in SYSTEMD.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "-- ", "Defined-By:", "Support:", "Documentation:")):
            continue
        lines.append(line.removeprefix("Subject: "))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    dev, test = postgres_messages()
    (OUT / "postgresql_messages_dev.txt").write_text(dev, encoding="utf-8")
    (OUT / "postgresql_messages_test.txt").write_text(test, encoding="utf-8")
    (OUT / "systemd_catalog_test.txt").write_text(systemd_catalog(), encoding="utf-8")
    pg, systemd = package_version(PG_MO), package_version(SYSTEMD)
    rows = [
        f"| `postgresql_messages_dev.txt` | {pg}: `{PG_MO}` (zh_CN), msgid-hash half 0"
        " | PostgreSQL Licence |",
        "| `postgresql_messages_test.txt` | same catalogue, msgid-hash half 1"
        " | PostgreSQL Licence |",
        f"| `systemd_catalog_test.txt` | {systemd}: `{SYSTEMD}` (texts only) | LGPL-2.1-or-later |",
    ]
    table = "\n".join(rows)
    (OUT / "SOURCES.md").write_text(
        f"""# Third-party clean Chinese text for the encoding-repair benchmark

Regenerate with `python benchmarks/extract_external_corpus.py` (Debian 12).

| file | from | licence |
| --- | --- | --- |
{table}

The *dev* file is the only text the repair's weights are tuned on; *test* files are for
reporting. PostgreSQL Licence: "Permission to use, copy, modify, and distribute this software
and its documentation for any purpose, without fee, and without a written agreement is hereby
granted, provided that the above copyright notice and this paragraph and the following two
paragraphs appear in all copies." (Portions Copyright (c) 1996-2022, PostgreSQL Global
Development Group; Portions Copyright (c) 1994, The Regents of the University of California;
full text in the package's `/usr/share/doc/postgresql-15/copyright`.) The systemd catalogue
(Copyright © 2015 Boyuan Yang) is under the GNU LGPL 2.1 or later,
`/usr/share/common-licenses/LGPL-2.1`.
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
