"""One HTTP exchange with the arXiv API under one deadline: connecting, redirects, headers, body.

A socket timeout bounds each read, not the exchange: a server that sends one byte
every half second never times out, and ``kbtool new`` would wait for ever. Here
the whole exchange runs under ``asyncio.timeout`` (httpx, the client kbtool's link
checker uses too), which cancels it at the deadline wherever it is. Besides:

* **Redirects** are followed here, within the same deadline and at most
  :data:`MAX_REDIRECTS` of them; one back to a URL already visited stops at once
  (:class:`RedirectLoop`), so an endpoint redirecting to itself costs two requests.
* **Bodies** larger than :data:`MAX_BODY_BYTES` are refused as they arrive.
* **Failures** come back as ``requests`` exceptions (the ``arxiv`` package that
  drives the exchange expects them), refined so the client can tell a name that
  does not resolve or an unreachable network (:class:`Unreachable`: retrying will
  not help soon) from a refused connection, a response cut short
  (:class:`TruncatedResponse`) from one that never started, and a deadline
  (:class:`DeadlineExceeded`) from a slow connect.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import functools
import os
import socket
import ssl
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urljoin

import httpx
import requests
from requests.structures import CaseInsensitiveDict

from kbtool.util.causes import causes

#: Redirects followed within one exchange (arXiv's API needs none; http→https needs one).
MAX_REDIRECTS = 5
#: The largest answer accepted: a full batch of 2,000 entries is about 10 MB.
MAX_BODY_BYTES = 64 * 1024 * 1024
_UNREACHABLE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})

T = TypeVar("T")


class DeadlineExceeded(requests.Timeout):
    """No complete answer (connection, headers, body) before the deadline."""


class Unreachable(requests.ConnectionError):
    """The host's name does not resolve, or the network cannot reach it: likely offline."""


class TruncatedResponse(requests.RequestException):
    """The server closed the connection before its answer was complete."""


class RedirectLoop(requests.TooManyRedirects):
    """Redirects that come back to a URL already visited, or too many of them."""


class ResponseTooLarge(requests.RequestException):
    """An answer larger than :data:`MAX_BODY_BYTES`."""


def exchange(
    request: requests.PreparedRequest, *, timeout: float, verify: bool | str = True
) -> requests.Response:
    """Send ``request`` and read the whole answer within ``timeout`` seconds, redirects included.

    Raises the ``requests`` exceptions of the module docstring.
    """
    try:
        return _run(_exchange(request, timeout, _tls(verify)))
    except TimeoutError:
        raise DeadlineExceeded(f"no complete answer within {timeout:g} s") from None
    except httpx.TimeoutException as err:
        raise DeadlineExceeded(f"no complete answer within {timeout:g} s") from err
    except httpx.ConnectError as err:
        raise _connect_failure(err, request.url or "") from err
    except (httpx.RemoteProtocolError, httpx.ReadError) as err:
        raise TruncatedResponse(_truncated(err)) from err
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
        raise requests.exceptions.InvalidURL(str(err)) from err
    except httpx.HTTPError as err:
        raise requests.RequestException(f"{type(err).__name__}: {err}") from err


def _tls(verify: bool | str) -> ssl.SSLContext | bool:
    """requests' ``verify`` (True, or a CA bundle's path) for httpx; never switched off."""
    return _tls_context(verify) if isinstance(verify, str) else True


@functools.lru_cache(maxsize=4)
def _tls_context(bundle: str) -> ssl.SSLContext:
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end from synchronous code, in this thread if it has no loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _exchange(
    request: requests.PreparedRequest, timeout: float, verify: ssl.SSLContext | bool
) -> requests.Response:
    url = request.url or ""
    method = request.method or "GET"
    body = request.body if isinstance(request.body, bytes | str) else None
    visited: list[str] = []
    async with (
        asyncio.timeout(timeout),
        httpx.AsyncClient(
            verify=verify,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            trust_env=True,  # a proxy set in the environment, as requests honoured it
        ) as client,
    ):
        while True:
            visited.append(url)
            async with client.stream(
                method, url, headers=dict(request.headers), content=body
            ) as answer:
                location = answer.headers.get("Location")
                if answer.is_redirect and location:
                    url = urljoin(url, location.strip())
                    if url in visited:
                        raise RedirectLoop(f"redirects in a loop back to {url}")
                    if len(visited) > MAX_REDIRECTS:
                        raise RedirectLoop(f"more than {MAX_REDIRECTS} redirects")
                    if answer.status_code == 303:
                        method, body = "GET", None
                    continue
                content = b"".join([chunk async for chunk in _capped(answer)])
                return _as_requests_response(request, answer, content, url)


async def _capped(answer: httpx.Response) -> Any:
    # Decoded bytes are counted: a small gzip bomb is refused as surely as a large body.
    size = 0
    async for chunk in answer.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ResponseTooLarge(f"an answer larger than {MAX_BODY_BYTES // 2**20} MiB")
        yield chunk


def _as_requests_response(
    request: requests.PreparedRequest, answer: httpx.Response, content: bytes, url: str
) -> requests.Response:
    """What the ``arxiv`` package reads: a finished ``requests.Response``."""
    response = requests.Response()
    response.status_code = answer.status_code
    response.headers = CaseInsensitiveDict(dict(answer.headers.items()))
    response.reason = answer.reason_phrase
    response.url = url
    response.request = request
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]
    return response


def _connect_failure(err: httpx.ConnectError, url: str) -> requests.ConnectionError:
    """A connection that could not be made, as precisely as its causes tell."""
    host = httpx.URL(url).host if url else "the host"
    for cause in causes(err):
        if isinstance(cause, socket.gaierror):
            return Unreachable(f"the name {host} does not resolve")
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return Unreachable(f"the network cannot reach {host} ({cause.strerror})")
        if isinstance(cause, ConnectionRefusedError):
            return requests.ConnectionError("Connection refused")
    return requests.ConnectionError(str(err) or type(err).__name__)


def _truncated(err: httpx.HTTPError) -> str:
    text = " ".join(str(err).split())
    if "without sending a response" in text or "Server disconnected" in text:
        return "the server closed the connection before answering"
    return f"the answer was cut short ({text or type(err).__name__})"
