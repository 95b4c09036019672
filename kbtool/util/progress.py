"""How a long job reports how far it got, without printing anything itself.

A job takes an optional :data:`Progress` callback and calls it as
``progress(done, total)``: ``done`` steps of ``total`` (``None`` while the total
is not known, e.g. pages of a search whose end is found by reading). The CLI
turns it into a progress bar on a terminal (:func:`kbtool.cli.options.progress`).
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int | None], None]
