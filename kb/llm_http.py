"""The generator's one HTTP exchange: a POST with an overall deadline, a cap on the reply's size, and neither a
proxy nor a redirect unless configured.

`http.client` is used because it does neither by itself (urllib's opener takes `http_proxy` from the environment
even for a loopback server, and follows redirects); its timeout is per socket operation, so a server trickling a
byte at a time never trips it: a watchdog shuts the socket down at the deadline instead.

Haystack's `OpenAIChatGenerator` (the openai client over httpx) was measured against the same trickling server on
2026-12-04: with `timeout=2.0` and no retries it returned after 125.8 s, and it caps neither the reply's size nor
(by default) the environment's proxy for a loopback server. That is why kb keeps this small client.
"""

import http.client
import ipaddress
import socket
import threading
import time
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

MAX_REPLY_BYTES = 1_000_000  # a chat completion of a few cited sentences is a few kilobytes
_READ = 65_536
_REDIRECTS = (301, 302, 303, 307, 308)


class HttpFailure(Exception):
    """The exchange failed; the message says why in a few words (shown in the answer's note)."""


@dataclass(frozen=True)
class Reply:
    """The final status and body of an exchange."""

    status: int
    body: bytes


def post(url: str, body: bytes, *, timeout: float, proxy: str = "auto", redirects: int = 0) -> Reply:
    """POST `body` as JSON to `url`; the whole exchange, redirects included, ends within `timeout` seconds.

    `proxy`: "auto" (the environment's proxy settings for a remote server, none for a loopback one), "none", or
    a proxy URL used for every request. `redirects`: how many redirects to follow (re-sending the POST).
    """
    deadline = time.monotonic() + timeout
    for _hop in range(redirects + 1):
        reply, location = _exchange(url, body, deadline, proxy, timeout)
        if location is None:
            return reply
        target = urljoin(url, location)
        if _hop == redirects:
            raise HttpFailure(f"{url} redirected to {target}; kb follows no redirect unless KB_LLM_REDIRECTS is set")
        url = target
    raise AssertionError("unreachable")


def _exchange(url: str, body: bytes, deadline: float, proxy: str, timeout: float) -> tuple[Reply, str | None]:
    """One request: the reply, and the Location of a redirect (None when it is not one)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpFailure(f"{url} is not an http:// or https:// URL")
    connection, target = _connection(parts, _proxy_for(parts, proxy), deadline)
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _abort, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target, body=body, headers={"Content-Type": "application/json",
                                                               "Accept": "application/json"})
        response = connection.getresponse()
        if response.status in _REDIRECTS:
            return Reply(response.status, b""), response.getheader("Location") or ""
        return Reply(response.status, _read_capped(response, deadline)), None
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline - 0.01:
            raise HttpFailure(f"no complete answer from {url} within {timeout:g} s") from None
        raise HttpFailure(f"cannot reach {url}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        watchdog.cancel()
        connection.close()


def _connection(parts: SplitResult, proxy: str | None, deadline: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the server or the proxy, and the request target to send on it."""
    remaining = max(0.001, deadline - time.monotonic())  # connecting and each read: never past the deadline
    https = parts.scheme == "https"
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    if proxy is None:
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        return kind(parts.hostname, parts.port, timeout=remaining), path
    via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if https:  # a CONNECT tunnel through the proxy: the proxy sees the host, never the request
        tunnel = http.client.HTTPSConnection(via.hostname, via.port or 8080, timeout=remaining)
        tunnel.set_tunnel(parts.hostname, parts.port or 443)
        return tunnel, path
    return http.client.HTTPConnection(via.hostname, via.port or 8080, timeout=remaining), parts.geturl()


def _proxy_for(parts: SplitResult, setting: str) -> str | None:
    """The proxy to go through for this URL, or None."""
    if setting == "none":
        return None
    if setting != "auto":
        return setting
    host = parts.hostname or ""
    if is_loopback(host) or urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _read_capped(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, refused past `MAX_REPLY_BYTES` (announced or received) or the deadline."""
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_REPLY_BYTES:
        raise HttpFailure(f"the reply is {int(declared):,} bytes; kb reads at most {MAX_REPLY_BYTES:,}")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(_READ):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise HttpFailure(f"the reply is over {MAX_REPLY_BYTES:,} bytes; kb reads at most that")
        if time.monotonic() >= deadline:
            raise TimeoutError("deadline")  # reported as the deadline by `_exchange`
        chunks.append(chunk)
    return b"".join(chunks)


def _abort(connection: http.client.HTTPConnection) -> None:
    """At the deadline: unblock whatever the exchange is waiting for (the read then fails, and is reported)."""
    sock = connection.sock
    if sock is not None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
