"""HTTP/1.1 over kept-alive sockets, as lean as an S3 request allows: the request line,
headers and a body in memory go out in one ``sendall``; the answer's status, headers and
body (Content-Length, chunked, or up to the close) are read from a buffered reader; idle
connections wait per host in a pool. About a third of urllib3's CPU per request, which
matters at thousands of requests on two cores.

A connection the server closed while it was idle fails before any byte of an answer: the
request is sent again at once on a new connection (S3's requests here are idempotent).
Failures are ConnectFailed (no connection), ReadFailed (a timeout or a broken answer).
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass

#: Bodies up to this size go out in the same ``sendall`` as the headers.
JOIN_BODY = 1024 * 1024

#: The longest status or header line read.
MAX_LINE = 65536


class ConnectFailed(Exception):
    """No connection: ``error`` says why (refused, unreachable, timed out, TLS)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class ReadFailed(Exception):
    """The connection broke or timed out before the whole answer came."""

    def __init__(self, error: BaseException, timed_out: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.timed_out = timed_out


class _Stale(Exception):
    """The server had closed the idle connection: nothing of an answer came."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class Connection:
    """One socket to one host (TLS when ``context`` is given)."""

    def __init__(
        self, host: str, port: int, context: ssl.SSLContext | None, timeouts: tuple[float, float]
    ) -> None:
        connect, read = timeouts
        try:
            sock = socket.create_connection((host, port), timeout=connect)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=host)
        except OSError as exc:  # ssl.SSLError and socket.timeout are OSErrors
            raise ConnectFailed(exc) from exc
        sock.settimeout(read)
        self.sock = sock
        self.reader = sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def exchange(self, head: bytes, body: bytes, method: str) -> tuple[Reply, bool]:
        """Send one request; its reply and whether the connection can be used again."""
        try:
            if len(body) <= JOIN_BODY:
                self.sock.sendall(head + body)
            else:
                self.sock.sendall(head)
                self.sock.sendall(body)
            line = self.reader.readline(MAX_LINE)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _Stale() from exc
        except OSError as exc:
            raise ReadFailed(exc, isinstance(exc, socket.timeout)) from exc
        if not line:
            raise _Stale()
        try:
            return self._reply(line, method)
        except OSError as exc:
            raise ReadFailed(exc, isinstance(exc, socket.timeout)) from exc
        except (ValueError, IndexError) as exc:
            raise ReadFailed(exc) from exc

    def _reply(self, line: bytes, method: str) -> tuple[Reply, bool]:
        version, status_text = line.split(None, 2)[:2]
        status = int(status_text)
        headers = self._headers()
        while 100 <= status < 200:  # an interim answer: the real one follows
            line = self.reader.readline(MAX_LINE)
            version, status_text = line.split(None, 2)[:2]
            status = int(status_text)
            headers = self._headers()
        keep = version == b"HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if method == "HEAD" or status in (204, 304):
            return Reply(status, headers, b""), keep
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return Reply(status, headers, self._chunked()), keep
        length = headers.get("content-length")
        if length is not None:
            size = int(length)
            body = self.reader.read(size) if size else b""
            if len(body) != size:
                raise ReadFailed(ConnectionError("the answer ended early"))
            return Reply(status, headers, body), keep
        return Reply(status, headers, self.reader.read()), False

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        while True:
            line = self.reader.readline(MAX_LINE)
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.reader.readline(MAX_LINE).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.reader.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.reader.read(size))
            self.reader.readline(MAX_LINE)


def split_netloc(netloc: str, default_port: int) -> tuple[str, int]:
    """(host, port) of ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``."""
    if netloc.startswith("["):
        end = netloc.index("]")
        rest = netloc[end + 1 :]
        return netloc[1:end], int(rest[1:]) if rest.startswith(":") else default_port
    host, colon, port = netloc.partition(":")
    return host, int(port) if colon else default_port


class Pool:
    """Idle connections per (host, port); thread-safe. ``tls`` with ``ca_certs`` verifies."""

    def __init__(
        self,
        *,
        tls: bool,
        ca_certs: str | None,
        max_idle: int,
        timeouts: tuple[float, float],
    ) -> None:
        self.context = ssl.create_default_context(cafile=ca_certs) if tls else None
        self.max_idle = max_idle
        self.timeouts = timeouts
        self.port = 443 if tls else 80
        self.idle: dict[str, list[Connection]] = {}
        self.lock = threading.Lock()

    def request(
        self, method: str, netloc: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        lines = [f"{method} {target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        while True:
            conn, reused = self._take(netloc)
            try:
                reply, keep = conn.exchange(head, body, method)
            except _Stale:
                conn.close()
                if reused:
                    continue  # closed while idle: once more on another connection
                raise ReadFailed(ConnectionError("the server closed the connection")) from None
            except BaseException:
                conn.close()
                raise
            if keep:
                self._give(netloc, conn)
            else:
                conn.close()
            return reply

    def _take(self, netloc: str) -> tuple[Connection, bool]:
        with self.lock:
            idle = self.idle.get(netloc)
            if idle:
                return idle.pop(), True
        host, port = split_netloc(netloc, self.port)
        return Connection(host, port, self.context, self.timeouts), False

    def _give(self, netloc: str, conn: Connection) -> None:
        with self.lock:
            idle = self.idle.setdefault(netloc, [])
            if len(idle) < self.max_idle:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self.lock:
            conns = [c for idle in self.idle.values() for c in idle]
            self.idle.clear()
        for conn in conns:
            conn.close()
