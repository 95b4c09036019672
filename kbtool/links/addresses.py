"""Where a redirect may lead: never from the public internet into a private network.

A page on the internet that redirects to ``http://169.254.169.254/`` (a cloud's
metadata service), ``127.0.0.1`` or ``10.0.0.1`` is trying to make the link checker
reach a machine only it can reach (server-side request forgery). A link the
researcher wrote to such an address is theirs to check; a redirect into one from a
public address is refused. Host names are resolved to decide, so a name that
points inside (``metadata.google.internal``) is caught too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(address: IPAddress) -> bool:
    """Whether ``address`` is loopback, link-local, private, or otherwise not on the internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is written as one (``[::1]`` too), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def resolve(host: str) -> list[IPAddress]:
    """The addresses ``host`` stands for (itself, if it is one); none when it does not resolve."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in found:
            found.append(address)
    return found


def redirect_refusal(origin: list[IPAddress], target: list[IPAddress]) -> str | None:
    """Why a redirect from a host at ``origin`` to one at ``target`` must not be followed, or None.

    Refused: from an origin entirely on the internet to a target with any internal address.
    """
    if not origin or any(is_internal(a) for a in origin):
        return None
    inside = next((a for a in target if is_internal(a)), None)
    if inside is None:
        return None
    return f"into a private or local network address ({inside}), not followed"
