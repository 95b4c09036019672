"""Messages for people: one line, of a length a terminal can show.

A message may quote a value from a file or another program (a YAML value, a
server's answer, git's stderr); whatever that value holds, what reaches the user
is one line of at most :data:`MAX_MESSAGE` characters.
"""

from __future__ import annotations

#: The longest message kbtool prints, in characters (the path it names included).
MAX_MESSAGE = 500


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` on one line (every run of whitespace one space), cut at ``limit`` with "…"."""
    # Only the head can be shown: never split a 25 MB value just to cut it.
    head = message[: limit * 4]
    line = " ".join(head.split())
    if len(line) > limit or len(message) > len(head):
        return line[: limit - 1].rstrip() + "…"
    return line
