"""kbtool: a research-notes knowledge base for machine-learning papers."""

from __future__ import annotations

__version__ = "0.1.0"
