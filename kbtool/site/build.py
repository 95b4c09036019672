"""The edges of the site: run MkDocs on a knowledge base.

``kbtool build`` is ``mkdocs build`` on the knowledge base's ``mkdocs.yml`` (the
kbtool plugin does the work). ``kbtool serve`` is ``mkdocs serve`` made for
writing: MkDocs' own server and live reload, but every rebuild is a ``--dirty``
build, which the plugin makes exact (it builds again the pages a save changed,
and every page when the navigation or the settings changed); file changes are
seen as they happen (inotify) instead of polled; warnings do not stop a
rebuild; and a rebuild that fails says why in one line while the last good
site stays served. These functions load the configuration, show MkDocs' log,
and turn its failures into kbtool's errors.

While serving, garbage is collected between rebuilds rather than during them
(:class:`_QuietCollector`): with thousands of notes a full collection takes
about a second.
"""

from __future__ import annotations

import gc
import logging
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from mkdocs.livereload import LiveReloadServer, _serve_url
from watchdog.events import (
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from kbtool.config import Layout
from kbtool.errors import ConfigError, KbtoolError, SiteBuildError
from kbtool.site.config import KnowledgeBaseConfig
from kbtool.util.progress import Progress

log = logging.getLogger("mkdocs.plugins.kbtool")


@contextmanager
def mkdocs_log(level: int = logging.INFO) -> Iterator[None]:
    """Show MkDocs' log on stderr (as ``mkdocs`` does) while the block runs."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(level)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(min(level, previous) if previous else level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@contextmanager
def mkdocs_errors(config_file: Path, action: str) -> Iterator[None]:
    """MkDocs' failures as kbtool's errors: a bad configuration, strict mode, the rest."""
    try:
        yield
    except ConfigurationError as err:
        raise ConfigError(f"invalid MkDocs configuration: {err}", config_file) from err
    except Abort as err:
        raise SiteBuildError(f"{config_file}: {err}") from err
    except MkDocsException as err:
        raise SiteBuildError(f"{config_file}: the site could not be {action}: {err}") from err


def build_site(
    layout: Layout,
    *,
    site_dir: Path | None = None,
    strict: bool = False,
    cache: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Build the site of ``layout`` into ``site_dir`` (default: mkdocs.yml's); return it.

    ``strict`` overrides mkdocs.yml's ``strict``: any MkDocs warning fails the build.
    ``cache=False`` neither reads nor writes the page cache (a clean build).
    ``progress(done, total)`` hears of each page MkDocs builds.
    """
    config_file = layout.mkdocs_file
    options: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        options["site_dir"] = str(site_dir)
    with mkdocs_errors(config_file, "built"):
        config = load_config(config_file=str(config_file), **options)
        for plugin in config.plugins.values():
            if isinstance(getattr(plugin, "config", None), KnowledgeBaseConfig):
                plugin.config.cache = plugin.config.cache and cache
                plugin.progress = progress
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return Path(config.site_dir)


class _NotDirtyWarning(logging.Filter):
    """Drops MkDocs' warning that a ``--dirty`` build is inaccurate: kbtool's are not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")


def serve_site(
    layout: Layout,
    *,
    dev_addr: str,
    open_browser: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the site with live reload until interrupted; rebuild only what a save changed.

    ``ready`` is called with the site's address once the first build is served.
    """
    config_file = layout.mkdocs_file
    site_dir = tempfile.mkdtemp(prefix="kbtool-serve-")

    def load() -> MkDocsConfig:
        # Not strict: a warning while writing must not stop the preview.
        return load_config(
            config_file=str(config_file), site_dir=site_dir, dev_addr=dev_addr, strict=False
        )

    build_log = logging.getLogger("mkdocs.commands.build")
    quiet = _NotDirtyWarning()
    build_log.addFilter(quiet)
    try:
        with mkdocs_errors(config_file, "served"):
            config = load()
        config.plugins.on_startup(command="serve", dirty=True)
        host, port = config.dev_addr
        mount_path = urlsplit(config.site_url or "/").path
        serve_url = _serve_url(host, port, mount_path)

        def rebuild(config: MkDocsConfig | None = None) -> None:
            # The pages keep mkdocs.yml's site_url (MkDocs' serve puts its own address
            # there), so they are the pages `kbtool build` makes and share its cache.
            log.info("Building the site...")
            build(config or load(), serve_url=serve_url, dirty=True)

        collector = _QuietCollector()

        def rebuild_or_keep() -> None:
            try:
                rebuild()
            except (MkDocsException, KbtoolError, OSError) as err:
                reason = " ".join(str(err).split()) or type(err).__name__
                log.error(f"the site was not rebuilt ({reason}); still serving the last build")
            finally:
                collector.built()

        server = LiveReloadServer(
            builder=rebuild_or_keep, host=host, port=port, root=site_dir, mount_path=mount_path
        )
        server.error_handler = partial(_error_page, Path(site_dir))
        try:
            with mkdocs_errors(config_file, "served"):
                rebuild(config)  # with no other thread yet, so it may use worker processes
            collector.start()
            server.observer = _observer()
            server.watch(config.docs_dir)
            if config.config_file_path:
                server.watch(config.config_file_path)
            server = config.plugins.on_serve(server, config=config, builder=rebuild_or_keep)
            for item in config.watch:
                server.watch(item)
            if ready is not None:
                ready(server.url)
            try:
                server.serve(open_in_browser=open_browser)  # type: ignore[no-untyped-call]
            except KeyboardInterrupt:
                log.info("Shutting down...")
            finally:
                collector.stop()
                server.shutdown()
        finally:
            config.plugins.on_shutdown()
    finally:
        build_log.removeFilter(quiet)
        shutil.rmtree(site_dir, ignore_errors=True)


#: The file events that mean a file changed (not that it was read: the build reads them all).
WRITES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    FileAttribEvent,
]


class _WriteObserver(Observer):  # type: ignore[misc,valid-type]
    """The system's file events (inotify on Linux), writes only."""

    def schedule(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("event_filter", WRITES)
        return super().schedule(*args, **kwargs)


class _QuietCollector:
    """Python's garbage collection between rebuilds, not during them.

    A served site of thousands of notes keeps most of a million objects alive,
    and a full collection of them takes about a second: left to itself, Python
    runs one during a rebuild every other save. After each build the live
    objects are frozen (``gc.freeze``: collections skip them); once no rebuild
    has run for a few seconds, a thread collects everything, so the garbage of
    old builds is freed while the writer reads.
    """

    QUIET_SECONDS = 3.0

    def __init__(self) -> None:
        self._built = 0.0
        self._collected = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kbtool-gc", daemon=True)

    def start(self) -> None:
        gc.freeze()
        self._thread.start()

    def built(self) -> None:
        gc.freeze()
        self._built, self._collected = time.monotonic(), False

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            if not self._collected and time.monotonic() - self._built > self.QUIET_SECONDS:
                self._collected = True
                gc.unfreeze()
                gc.collect()
                gc.freeze()


def _observer() -> Any:
    """File events as they happen; polling where the system cannot tell (MkDocs polls always)."""
    try:
        observer = _WriteObserver()
        observer.schedule(FileSystemEventHandler(), tempfile.gettempdir(), recursive=False)
        observer.unschedule_all()
        return observer
    except OSError:
        return PollingObserver(timeout=0.25)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
