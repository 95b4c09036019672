"""Per-note work on every core: forked worker processes, results in the order of the items.

MkDocs renders pages one after another on one core. The work that depends on
one note alone (parsing it, rendering its page's Markdown, converting that to
HTML) can run in worker processes first; MkDocs' loop then finds it done.

Workers are forked: they start with the parent's memory (the knowledge base,
the MkDocs configuration and file list) instead of rebuilding it, and send back
only their results, which come back in the order of the items, so the site is
the same whatever the number of workers. Forking is safe only while the
process has one thread, so a rebuild inside ``serve`` (whose server threads are
running) does its few pages in-process; so does a platform without ``fork``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The work of the current pool, seen by its forked workers (set only while it runs).
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
#: How many times this process ran work in worker processes (for tests and reports).
_pools_run = 0


def pools_run() -> int:
    """How many times this process has spread work over worker processes."""
    return _pools_run


def available_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked from this process now."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_in_workers(
    function: Callable[[T], R], items: Sequence[T], workers: int, *, chunk: int = 24
) -> list[R]:
    """``[function(item) for item in items]``, spread over ``workers`` forked processes.

    Runs in this process when one worker is asked for, when there are too few
    items to pay for the processes, or when forking is not safe now.
    """
    global _work
    if workers <= 1 or len(items) < 2 * chunk or not can_fork() or _work is not None:
        return [function(item) for item in items]
    global _pools_run
    bounds = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    _pools_run += 1
    _work = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(bounds)), initializer=_quiet) as pool:
            results: list[R] = []
            for part in pool.imap(_run, bounds):
                results.extend(part)
            return results
    finally:
        _work = None


def _quiet() -> None:
    """In a worker: log nothing (what a task logs is recorded in its result, and shown once)."""
    for logger in (logging.getLogger(), logging.getLogger("mkdocs")):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(logging.NullHandler())


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _work is not None, "a worker runs only inside map_in_workers"
    function, items = _work
    return [function(items[index]) for index in range(*bounds)]
