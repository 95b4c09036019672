"""Messages for people: one line, of a length a terminal can show.

A message may quote a value from a file or another program (a YAML value, a
server's answer, git's stderr); whatever that value holds, what reaches the user
is one line of at most :data:`MAX_MESSAGE` characters.
"""

from __future__ import annotations

import re

#: The longest message kbtool prints, in characters (the path it names included).
MAX_MESSAGE = 500


def one_line(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` on one line (every run of whitespace one space), cut at ``limit`` with "…".

    Control characters and bidirectional overrides (from a file name, a value, a server's
    answer) are shown escaped (``\\x1b``): they never reach the terminal to act there.
    """
    # Only the head can be shown: never split a 25 MB value just to cut it.
    head = message[: limit * 4]
    line = visible(" ".join(head.split()))
    if len(line) > limit or len(message) > len(head):
        return line[: limit - 1].rstrip() + "…"
    return line


_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with control characters (newlines too) and bidirectional overrides escaped."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
