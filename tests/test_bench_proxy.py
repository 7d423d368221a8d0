"""The benchmark's delaying, counting proxy over loopback: a delay per request on a kept-alive
connection, the requests counted by kind, bodies (plain, chunked, after 100-continue) intact.
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from proxy import DelayProxy, Request, kind_of

S3_AUTH = "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/s3/aws4_request, Signature=x"
CFN_AUTH = S3_AUTH.replace("/s3/", "/cloudformation/")
DELAY_MS = 60


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Echo)
        self.connections = 0
        self.bodies: list[bytes] = []


class Echo(BaseHTTPRequestHandler):
    """Answers every request with its method and body length; keeps connections open."""

    protocol_version = "HTTP/1.1"
    server: Upstream

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def _answer(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        reply = f"{self.command} {len(body)}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _timed(conn: http.client.HTTPConnection, method: str, path: str, **kw: object) -> bytes:
    start = time.perf_counter()
    conn.request(method, path, **kw)  # type: ignore[arg-type]
    answer = conn.getresponse().read()
    assert time.perf_counter() - start >= DELAY_MS / 1000
    return answer


def test_delay_per_request_on_one_connection_and_counts(upstream: Upstream) -> None:
    with DelayProxy(upstream.server_address[1], DELAY_MS, "test") as proxy:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        s3 = {"Authorization": S3_AUTH}
        assert _timed(conn, "GET", "/bucket?list-type=2", headers=s3) == b"GET 0"
        assert _timed(conn, "PUT", "/bucket/a.html", body=b"x" * 5000, headers=s3) == b"PUT 5000"
        expect = {**s3, "Expect": "100-continue"}
        assert _timed(conn, "PUT", "/bucket/b.css", body=b"y" * 70, headers=expect) == b"PUT 70"
        chunks = iter([b"abc", b"defg"])
        assert _timed(conn, "PUT", "/bucket/c", body=chunks, headers=s3, encode_chunked=True) == (
            b"PUT 7"
        )
        assert _timed(conn, "HEAD", "/bucket/a.html", headers=s3) == b""
        copy = {**s3, "x-amz-copy-source": "/bucket/a.html"}
        _timed(conn, "PUT", "/bucket/a.html", headers=copy)
        _timed(conn, "POST", "/bucket?delete", body=b"<Delete/>", headers=s3)
        form = {"Authorization": CFN_AUTH, "Content-Type": "application/x-www-form-urlencoded"}
        _timed(conn, "POST", "/", body=b"Action=DescribeStacks&Version=2010-05-15", headers=form)
        conn.close()
        counts = proxy.counts()
        chunked = len(b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")  # the framing is forwarded as is
        assert proxy.bytes_received() == 5000 + 70 + chunked + 9 + 40
    assert counts == {
        "s3:list": 1,
        "s3:put": 3,
        "s3:head": 1,
        "s3:copy": 1,
        "s3:delete-objects": 1,
        "cloudformation:DescribeStacks": 1,
    }
    assert upstream.bodies[:4] == [b"", b"x" * 5000, b"y" * 70, b"abcdefg"]
    assert upstream.connections == 1  # keep-alive kept: the delay is per request


def test_reset_and_no_delay(upstream: Upstream) -> None:
    with DelayProxy(upstream.server_address[1], 0, "test") as proxy:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        conn.request("GET", "/_amplify_tasks/health")
        assert conn.getresponse().read() == b"GET 0"
        assert proxy.counts() == {"control": 1}
        proxy.reset()
        assert proxy.counts() == {}
        conn.close()


@pytest.mark.parametrize(
    ("method", "target", "headers", "kind"),
    [
        ("GET", "/b?list-type=2&start-after=k", {}, "s3:list"),
        ("GET", "/b/", {}, "s3:list"),
        ("GET", "/b?versions", {}, "s3:list-versions"),
        ("GET", "/b/key", {}, "s3:get"),
        ("PUT", "/b", {}, "s3:create-bucket"),
        ("PUT", "/b/key?partNumber=1&uploadId=u", {}, "s3:upload-part"),
        ("POST", "/b/key?uploads", {}, "s3:create-multipart"),
        ("POST", "/b/key?uploadId=u", {}, "s3:complete-multipart"),
        ("DELETE", "/b/key", {}, "s3:delete"),
        ("GET", "/", {}, "s3:list-buckets"),
    ],
)
def test_kinds(method: str, target: str, headers: dict[str, str], kind: str) -> None:
    signed = {"authorization": S3_AUTH, **headers}
    assert kind_of(Request(method, target, signed, b"")) == kind


#: The key value store signs with SigV4A: its credential scope has no region.
KVS_AUTH = (
    "AWS4-ECDSA-P256-SHA256 Credential=bench/20260101/cloudfront-keyvaluestore/aws4_request, "
    "SignedHeaders=host, Signature=x"
)
KVS_STORE = "http://123456789012.cloudfront-kvs.global.api.aws/key-value-stores/"
KVS_STORE += "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2Fabc"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "", "DescribeKeyValueStore"),
        ("GET", "/keys?MaxResults=50", "ListKeys"),
        ("POST", "/keys", "UpdateKeys"),
        ("GET", "/keys/live", "GetKey"),
        ("PUT", "/keys/live", "PutKey"),
        ("DELETE", "/keys/20261202-141544-e863%3Ad%3A%2Fdocs", "DeleteKey"),
        ("PATCH", "/keys", "PATCH ?"),
    ],
)
def test_key_value_store_kinds(method: str, path: str, kind: str) -> None:
    """Through the proxy as an HTTP proxy: an absolute target, the store's ARN in its path."""
    request = Request(method, KVS_STORE + path, {"authorization": KVS_AUTH}, b"")
    assert kind_of(request) == f"cloudfront-keyvaluestore:{kind}"


def test_kvs_scope_does_not_change_sigv4_services() -> None:
    body = b"Action=DescribeStacks&Version=2010-05-15"
    assert kind_of(Request("POST", "/", {"authorization": CFN_AUTH}, body)) == (
        "cloudformation:DescribeStacks"
    )
