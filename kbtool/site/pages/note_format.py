"""The "Note format" page, rendered from the declarations in code so it cannot go stale."""

from __future__ import annotations

from kbtool.core.problems import PROBLEM_CODES
from kbtool.core.schema import FIELDS, Owner
from kbtool.site.markup.markdown_escape import escape_text

_INTRO = """\
Each paper is one Markdown file in `notes/`: YAML frontmatter between two `---`
lines, then your own notes. File names are the paper's id and a short slug of its
title (`2410.05677-t2v-turbo-v2.md`; old-style ids such as `hep-th/9901001` become
`hep-th-9901001-…`), lowercase ASCII, safe on every OS.

```yaml
---
title: "T2V-Turbo-v2: Enhancing Video Generation Model Post-Training"
arxiv: 2410.05677v2
authors: [Jiachen Li, Qian Long, Jian Zheng]
published: 2024-10-07
topics: [image-to-video]
tags: [distillation]
code: https://github.com/Ji4chenLi/t2v-turbo
status: read
rating: 4
added: 2024-11-02
---

## TL;DR
…
```

Fields marked *arxiv* are filled and refreshed by `kbtool new` and `kbtool enrich`;
every other field is yours, and no tool rewrites it. Keys not listed here are kept
as they are and reported as a warning by `kbtool check`.
"""


def render_note_format_page() -> str:
    """The Markdown of the Note format page: the field table and the check codes."""
    lines = ["# Note format", "", _INTRO, "## Fields", ""]
    lines.append("| Field | Kind | Filled by | Required | Meaning | Example |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for spec in FIELDS:
        kind = spec.kind.value
        if spec.choices:
            kind += ": " + ", ".join(f"`{c}`" for c in spec.choices)
        owner = "arxiv" if spec.owner is Owner.ARXIV else "you"
        lines.append(
            f"| `{spec.name}` | {escape_text(kind) if not spec.choices else kind} | {owner} "
            f"| {'yes' if spec.required else ''} | {escape_text(spec.description)} "
            f"| `{spec.example}` |"
        )
    lines += ["", "## Problems `kbtool check` reports", ""]
    lines.append("| Code | Name | Severity | Meaning |")
    lines.append("| --- | --- | --- | --- |")
    for code in sorted(PROBLEM_CODES.values(), key=lambda c: c.code):
        lines.append(
            f"| {code.code} | `{code.name}` | {code.severity.value} | {escape_text(code.summary)} |"
        )
    lines.append("")
    return "\n".join(lines)
