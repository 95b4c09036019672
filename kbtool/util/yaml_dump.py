"""Writing YAML data (``inbox.yml``, generated pages' metadata): safe, readable, no aliases."""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """A safe dumper that writes a shared value again rather than as ``&anchor``/``*alias``.

    Values are often shared (entries of one run share a date object); a reader
    of the file should see each value where it applies.
    """

    def ignore_aliases(self, data: object) -> bool:
        return True


def dump_yaml(data: Any, *, width: int | None = None) -> str:
    """``data`` as block-style YAML in its own key order, text as it is (not ``\\u``-escaped).

    ``width`` is where long values are folded (PyYAML's default, 80, when None).
    """
    text: str = yaml.dump(
        data,
        Dumper=_NoAliasDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=width,
    )
    return text
