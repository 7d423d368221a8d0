"""A loopback HTTP/1.1 proxy for the publish benchmark: it adds a fixed delay to every request
(per request, not per connection: keep-alive connections stay open) and counts the requests it
forwards by kind (listing GET, PUT, COPY, DeleteObjects POST, HEAD, CloudFormation action...),
so each tool's requests are counted on the server side, the same way for every tool.

It understands just enough HTTP to find where each request and response ends
(Content-Length, chunked bodies, bodiless responses) and answers `Expect: 100-continue`
itself, so a client never waits for the upstream's go-ahead. It runs on an asyncio loop in a
thread of its own; the upstream is a loopback server.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
_CHUNK = 256 * 1024
#: The service in a SigV4 credential scope (key/date/region/service) or a SigV4A one (no region).
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/(?:[^/]+/)?([^/]+)/aws4_request")
#: The key value store's REST paths: a store, its keys, one key.
_KVS_PATH = re.compile(r"/key-value-stores/(?:.+?)(/keys(/.*)?)?")
_KVS_OPS = {
    ("GET", 0): "DescribeKeyValueStore",
    ("GET", 1): "ListKeys",
    ("POST", 1): "UpdateKeys",
    ("GET", 2): "GetKey",
    ("PUT", 2): "PutKey",
    ("DELETE", 2): "DeleteKey",
}
_BODILESS = {204, 304}


@dataclass(frozen=True)
class Request:
    """What the proxy knows of one request when it classifies it."""

    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes


def kind_of(req: Request) -> str:
    """The kind of an S3 or CloudFormation request, e.g. `s3:list`, `s3:put`, `cfn:GetTemplate`.

    The service comes from the SigV4 credential scope; an unsigned request to the emulator's
    control API is `control`.
    """
    url = urlsplit(req.target)
    if url.path.startswith("/_amplify_tasks/"):
        return "control"
    scope = _SCOPE.search(req.headers.get("authorization", ""))
    service = scope.group(1) if scope else ""
    if service == "s3" or (not service and "x-amz-content-sha256" in req.headers):
        return "s3:" + _s3_kind(req, url.path, parse_qs(url.query, keep_blank_values=True))
    if service == "cloudfront-keyvaluestore":
        return f"{service}:{_kvs_op(req.method, url.path)}"
    if service:
        fields = parse_qs(req.body.decode("latin-1")) if req.method == "POST" else {}
        fields = fields or parse_qs(url.query)
        action = fields.get("Action", ["?"])[0]
        return f"{service}:{action}"
    return f"other:{req.method}"


def _kvs_op(method: str, path: str) -> str:
    """The key value store operation of a REST request (its store ARN is in the path)."""
    match = _KVS_PATH.fullmatch(path)
    if match is None:
        return f"{method} ?"
    depth = 2 if match.group(2) else 1 if match.group(1) else 0
    return _KVS_OPS.get((method, depth), f"{method} ?")


def _s3_kind(req: Request, path: str, query: dict[str, list[str]]) -> str:
    """S3 operation families; path-style addressing (the only one on loopback)."""
    has_key = "/" in path.strip("/")
    method = req.method
    if method == "GET":
        if not has_key:
            if "versions" in query:
                return "list-versions"
            if "uploads" in query or "location" in query:
                return "bucket-get"
            return "list" if path.strip("/") else "list-buckets"
        return "list-parts" if "uploadId" in query else "get"
    if method == "HEAD":
        return "head" if has_key else "head-bucket"
    if method == "PUT":
        if not has_key:
            return "create-bucket" if not query else "bucket-put"
        if "x-amz-copy-source" in req.headers:
            return "copy-part" if "partNumber" in query else "copy"
        return "upload-part" if "partNumber" in query else "put"
    if method == "POST":
        if "delete" in query:
            return "delete-objects"
        if "uploads" in query:
            return "create-multipart"
        if "uploadId" in query:
            return "complete-multipart"
        return "post"
    if method == "DELETE":
        if "uploadId" in query:
            return "abort-multipart"
        return "delete" if has_key else "delete-bucket"
    return method.lower()


class _Closed(Exception):
    """The peer closed the connection between messages."""


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            raise _Closed from None
        raise
    lines = raw.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return lines[0], headers


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], *, until_eof: bool = False
) -> bytes:
    """The body as sent (chunked bodies keep their framing)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            parts.append(size_line)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while True:  # trailers, then the closing empty line
                    line = await reader.readuntil(b"\r\n")
                    parts.append(line)
                    if line == b"\r\n":
                        return b"".join(parts)
            parts.append(await reader.readexactly(size + 2))
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    return await reader.read() if until_eof else b""


def _head_bytes(start: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


class DelayProxy:
    """Forwards 127.0.0.1:<port> to an upstream loopback server, `delay_ms` later per request.

    Each client connection gets one upstream connection of its own (opened again if the
    upstream closes it), so the client's keep-alive and concurrency are what reach the server.
    """

    def __init__(self, upstream_port: int, delay_ms: float = 0.0, name: str = "") -> None:
        self.upstream_port = upstream_port
        self.delay = delay_ms / 1000
        self.name = name
        self.port = 0
        self._counts: Counter[str] = Counter()
        self._bytes_in = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    # -- counting ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def bytes_received(self) -> int:
        """Request body bytes forwarded since the last reset."""
        with self._lock:
            return self._bytes_in

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._bytes_in = 0

    def _count(self, kind: str, body: int) -> None:
        with self._lock:
            self._counts[kind] += 1
            self._bytes_in += body

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> DelayProxy:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, HOST, 0, backlog=512)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"proxy-{self.name}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or self._thread is None:
            return

        async def close() -> None:
            if server is not None:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(close(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5)
        self._loop = None

    def __enter__(self) -> DelayProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- forwarding ---------------------------------------------------------------------------
    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                try:
                    start, headers = await _read_head(client_r)
                except _Closed:
                    return
                lower = {k.lower(): v for k, v in headers}
                if lower.get("expect", "").lower() == "100-continue":
                    headers = [(k, v) for k, v in headers if k.lower() != "expect"]
                    client_w.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                body = await _read_body(client_r, lower)
                method, target = start.split(" ", 2)[:2]
                self._count(kind_of(Request(method, target, lower, body)), len(body))
                if self.delay:
                    await asyncio.sleep(self.delay)
                if upstream is None or upstream[0].at_eof():
                    if upstream is not None:
                        upstream[1].close()
                    upstream = await asyncio.open_connection(HOST, self.upstream_port)
                up_r, up_w = upstream
                up_w.write(_head_bytes(start, headers) + body)
                await up_w.drain()
                keep = await self._relay_response(up_r, client_w, method)
                if not keep or lower.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        except asyncio.CancelledError:
            return
        finally:
            if upstream is not None:
                upstream[1].close()
            client_w.close()

    async def _relay_response(
        self, up_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, method: str
    ) -> bool:
        """Copy one response (and any 1xx before it); False when the connection must close."""
        while True:
            start, headers = await _read_head(up_r)
            status = int(start.split(" ", 2)[1])
            client_w.write(_head_bytes(start, headers))
            if status >= 200:
                break
        lower = {k.lower(): v for k, v in headers}
        closes = lower.get("connection", "").lower() == "close"
        if method != "HEAD" and status not in _BODILESS:
            framed = "content-length" in lower or "transfer-encoding" in lower
            if "content-length" in lower and "chunked" not in lower.get("transfer-encoding", ""):
                await _copy_exactly(up_r, client_w, int(lower["content-length"]))
            else:
                client_w.write(await _read_body(up_r, lower, until_eof=not framed))
                closes = closes or not framed
        await client_w.drain()
        return not closes


async def _copy_exactly(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    while n > 0:
        chunk = await reader.read(min(n, _CHUNK))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", n)
        writer.write(chunk)
        n -= len(chunk)
        await writer.drain()
