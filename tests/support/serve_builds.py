"""The builds of ``kbtool serve`` without its server, in a process of their own.

``python -m tests.support.serve_builds ROOT SITE_DIR`` loads the knowledge base's
configuration as ``kbtool serve`` does and runs a ``--dirty`` build each time it
reads ``build`` on its standard input, answering with one JSON line (what the
kbtool plugin reported). ``--clean`` runs one clean build instead (no page cache,
no worker processes): the reference the others are compared with.

A process of its own: MkDocs keeps plugin objects (kbtool's, and the search
plugin with its index) for the whole process, as serve needs.
"""

from __future__ import annotations

import argparse
import json
import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

SERVE_URL = "http://127.0.0.1:8000/"


def _config(root: str, site_dir: str, **plugin: object) -> MkDocsConfig:
    config = load_config(config_file=f"{root}/mkdocs.yml", site_dir=site_dir, strict=False)
    for key, value in plugin.items():
        config.plugins["kbtool"].config[key] = value
    return config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("site_dir")
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    if args.clean:
        config = _config(args.root, args.site_dir, cache=False, workers=1)
        config.plugins.on_startup(command="build", dirty=False)
        build(config, serve_url=SERVE_URL, dirty=False)
        config.plugins.on_shutdown()
        return
    config = _config(args.root, args.site_dir)
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        for line in sys.stdin:
            if line.strip() != "build":
                continue
            config = _config(args.root, args.site_dir)
            build(config, serve_url=SERVE_URL, dirty=True)
            report = config.plugins["kbtool"].session.report  # type: ignore[attr-defined]
            answer = {
                "changed": sorted(report.changed),
                "removed": sorted(report.removed),
                "everything": report.everything,
            }
            print(json.dumps(answer), flush=True)
    finally:
        config.plugins.on_shutdown()


if __name__ == "__main__":
    main()
