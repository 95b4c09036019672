"""kbtool's search in the built site: the box in Material's header, the index, the scripts,
and the ``search`` option of the kbtool plugin (off: Material's own search can be used)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.site.build import build_site
from tests.support.search_index import BuiltIndex
from tests.support.site import copy_fixture

MATERIAL_TEMPLATES = Path(str(resources.files("material") / "templates"))
OUR_THEME = Path(str(resources.files("kbtool.search") / "theme"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_fixture(tmp_path_factory.mktemp("search-site") / "kb")
    return build_site(Layout(root), strict=True)


def test_our_header_is_materials_with_our_search_box() -> None:
    """Nothing but the search block differs from the header of the installed Material."""
    theirs = (MATERIAL_TEMPLATES / "partials" / "header.html").read_text(encoding="utf-8")
    ours = (OUR_THEME / "partials" / "header.html").read_text(encoding="utf-8")
    search_block = re.compile(
        r'    \{% if "material/search" in config\.plugins %\}.*?\n    \{% endif %\}\n', re.S
    )
    expected = search_block.sub(
        '    {% include "partials/kbtool-search.html" %}\n', theirs, count=1
    )
    strip_comment = re.compile(r"^\{#-.*?-#\}\n", re.S)
    assert strip_comment.sub("", ours) == strip_comment.sub("", expected)


def test_pages_carry_the_search_box_and_its_script(built: Path) -> None:
    html = (built / "papers" / "2311.15127-stable-video-diffusion" / "index.html").read_text(
        encoding="utf-8"
    )
    header = html.split('<header class="md-header', 1)[1].split("</header>", 1)[0]
    assert 'data-kb-search data-kb-base="../.."' in header
    assert '<form class="md-search__form" name="kb-search"' in header  # not "search"
    assert 'data-md-component="search"' not in html
    assert '<script src="../../assets/kbtool/search/search.js" type="module">' in html
    assert (built / "assets" / "kbtool" / "search" / "search-worker.js").is_file()
    assert not (built / "search" / "search_index.json").exists()
    assert BuiltIndex(built / "search").manifest["documents"] == 5 + 4


def test_search_off_leaves_the_site_to_materials_search(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("      search: true\n", "      search: false\n")
    config = config.replace("plugins:\n", "plugins:\n  - search\n", 1)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    site = build_site(Layout(root), strict=True)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "data-kb-search" not in html and 'data-md-component="search"' in html
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "search" / "manifest.json").exists()
    assert not (site / "assets" / "kbtool" / "search").exists()


def test_both_searches_at_once_is_a_warning(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "kb")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("plugins:\n", "plugins:\n  - search\n", 1))
    result = subprocess.run(
        [sys.executable, "-m", "kbtool", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 7, result.stderr
    assert "lists the 'search' plugin, but kbtool's search replaces it" in result.stderr
