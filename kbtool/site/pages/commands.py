"""The "Commands" reference page, rendered from the CLI's own ``--help`` so it cannot go stale."""

from __future__ import annotations

from collections.abc import Iterator

import click

from kbtool.site.markup.page_meta import page_frontmatter

#: Help is wrapped at this width, whatever terminal built the site.
HELP_WIDTH = 88


def iter_commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group`` (sub-groups included), in name order, with its path."""
    ctx = click.Context(group, info_name=" ".join(prefix) or group.name)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from iter_commands(command, (*prefix, name))


def command_help(root: click.Group, path: tuple[str, ...], prog: str = "kbtool") -> str:
    """``prog PATH --help`` exactly as the command line prints it."""
    ctx = click.Context(
        root, info_name=prog, terminal_width=HELP_WIDTH, max_content_width=HELP_WIDTH
    )
    command: click.Command = root
    for name in path:
        assert isinstance(command, click.Group)
        sub = command.get_command(ctx, name)
        assert sub is not None
        ctx = click.Context(sub, info_name=name, parent=ctx)
        command = sub
    return command.get_help(ctx)


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}\n"


def render_commands_page(root: click.Group, prog: str = "kbtool") -> str:
    """The Markdown of the Commands page: the group's help, then each command's."""
    out = [page_frontmatter("Commands"), "# Commands\n\n"]
    out.append(
        f"Every `{prog}` command and its options, as `{prog} COMMAND --help` prints them.\n\n"
    )
    out.append(_fence(command_help(root, ())) + "\n")
    for path, _command in iter_commands(root):
        out.append(f"## {prog} {' '.join(path)}\n\n")
        out.append(_fence(command_help(root, path)) + "\n")
    return "".join(out)
