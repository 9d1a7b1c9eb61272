"""Record (and refuse) every attempt to reach the network from Python: connect, DNS lookups, UDP sends.

Unix-domain sockets are left alone (local inter-process communication is not the network).
"""

import errno
import socket
from collections.abc import Callable
from typing import Any

_INET = (socket.AF_INET, socket.AF_INET6)


def install(patch: Callable[[Any, str, Any], None] = setattr) -> list[str]:
    """Patch the socket module (through `patch`: pytest's `monkeypatch.setattr` undoes it after the test);
    returns the list that every attempt is appended to."""
    attempts: list[str] = []
    real_connect, real_connect_ex, real_sendto = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.socket.sendto,
    )

    def refuse(what: str) -> OSError:
        attempts.append(what)
        return OSError(errno.ENETUNREACH, f"network use refused by the test: {what}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in _INET:
            raise refuse(f"connect {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in _INET:
            refuse(f"connect_ex {address!r}")
            return errno.ENETUNREACH
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, *args: Any) -> int:
        if self.family in _INET:
            raise refuse(f"sendto {args[-1]!r}")
        return real_sendto(self, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise refuse(f"getaddrinfo {host!r}")

    def gethostbyname(host: Any) -> str:
        raise refuse(f"gethostbyname {host!r}")

    patch(socket.socket, "connect", connect)
    patch(socket.socket, "connect_ex", connect_ex)
    patch(socket.socket, "sendto", sendto)
    patch(socket, "getaddrinfo", getaddrinfo)
    patch(socket, "gethostbyname", gethostbyname)
    return attempts
