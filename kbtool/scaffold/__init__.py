"""``kbtool init``: scaffold a new, empty knowledge base that builds and checks clean at once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from kbtool import __version__
from kbtool.errors import InputError
from kbtool.util.atomic_write import write_text_atomic

# Template file in kbtool/scaffold/templates/ → path in the new knowledge base.
_TEMPLATES: dict[str, str] = {
    "mkdocs.yml": "mkdocs.yml",
    "kbtool.yml": "kbtool.yml",
    "topics.yml": "topics.yml",
    "about.md": "docs/about.md",
    "gitignore": ".gitignore",
    "ci.yml": ".github/workflows/ci.yml",
    "pages.yml": ".github/workflows/pages.yml",
    "links.yml": ".github/workflows/links.yml",
    "enrich.yml": ".github/workflows/enrich.yml",
    "watch.yml": ".github/workflows/watch.yml",
}


def render_template(name: str, site_name: str) -> str:
    """A scaffold template with the site name filled in (quoted as a YAML string)."""
    text = resources.files("kbtool.scaffold.templates").joinpath(name).read_text(encoding="utf-8")
    return text.replace("{site_name}", json.dumps(site_name, ensure_ascii=False))


def init_knowledge_base(directory: Path, site_name: str) -> list[Path]:
    """Create the files of a new knowledge base in ``directory``; return them.

    Refuses (InputError) when any of them exists already: init never overwrites.
    """
    planned = {directory / target: source for source, target in _TEMPLATES.items()}
    planned_extra = {
        directory / "requirements.txt": f"kbtool=={__version__}\n",
        directory / "notes" / ".gitkeep": "",
    }
    existing = [p for p in [*planned, *planned_extra] if p.exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise InputError(f"{directory}: refusing to overwrite existing files: {names}")
    created: list[Path] = []
    for path, source in planned.items():
        write_text_atomic(path, render_template(source, site_name), exclusive=True)
        created.append(path)
    for path, text in planned_extra.items():
        write_text_atomic(path, text, exclusive=True)
        created.append(path)
    return created
