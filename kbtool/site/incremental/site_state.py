"""What of MkDocs' configuration every page depends on, as plain data.

A page's HTML depends on its own content and on things shared by the whole
site: the theme and its settings, the Markdown extensions, the navigation,
``extra``, the plugins' settings. :func:`plain` turns the configuration into
data a :class:`~kbtool.site.incremental.fingerprint.Fingerprinter` can digest
(an object it does not know stands for its class: its behaviour comes with the
software versions, which the cache's salt holds). A few settings that no page
shows (where the site is written, the address ``serve`` listens on) are left
out, so ``kbtool build`` and ``mkdocs build -d elsewhere`` share the cache.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.theme import Theme

#: Settings no page shows.
NOT_SHOWN = frozenset({"config_file_path", "site_dir", "dev_addr", "watch", "strict"})
#: Settings that change how Markdown becomes HTML (and what MkDocs warns about).
CONVERSION_SETTINGS = (
    "markdown_extensions",
    "mdx_configs",
    "use_directory_urls",
    "validation",
    "exclude_docs",
    "draft_docs",
    "not_in_nav",
)


def plain(value: object, depth: int = 0) -> object:
    """``value`` as text, numbers, lists and dicts (an unknown object: its class name)."""
    if depth > 12:
        return "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value, depth + 1)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, Theme):
        return {
            "name": value.name,
            "dirs": list(value.dirs),
            "vars": plain(dict(value.items()), depth + 1),
        }
    if isinstance(value, BasePlugin):
        return {"plugin": _qualname(type(value)), "config": plain(value.config, depth + 1)}
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, functools.partial):
        return {
            "call": _qualname(value.func),
            "args": plain(list(value.args), depth + 1),
            "kwargs": plain(value.keywords, depth + 1),
        }
    if callable(value) and hasattr(value, "__qualname__"):
        return {"call": _qualname(value)}
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return {"object": _qualname(type(value))}
    return {"object": _qualname(type(value))}


def _qualname(kind: Any) -> str:
    return f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', repr(kind))}"


def config_state(config: MkDocsConfig) -> object:
    """Every setting a page may show, as plain data."""
    return {key: plain(value) for key, value in config.items() if key not in NOT_SHOWN}


def conversion_state(config: MkDocsConfig) -> object:
    """The settings that turn a page's Markdown into its HTML, as plain data."""
    return {key: plain(config[key]) for key in CONVERSION_SETTINGS}
