"""The publish's S3 client over the wire (amplify_tasks.s3wire): its signatures are
botocore's byte for byte, its URLs are the ones botocore's client would use, and over real
HTTP against the emulator it stores, lists, copies and deletes what botocore's client would,
raises botocore's errors, retries what botocore retries and hands botocore the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from amplify_tasks import aws
from amplify_tasks.local import control
from amplify_tasks.s3wire import Credentials, Signer, WireS3
from amplify_tasks.s3wire.endpoint import resolve
from amplify_tasks.s3wire.signing import quote_path
from amplify_tasks.sync.etag import md5_b64
from tests.loopback_server import serving_on_loopback

AMZ_DATE = "20261202T101500Z"


def botocore_signature(
    method: str, url: str, headers: dict[str, str], body: bytes, creds: Credentials
) -> str:
    """The Authorization header botocore's S3 signer gives the same request."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    request.context["timestamp"] = AMZ_DATE
    signer = S3SigV4Auth(
        BotoCredentials(creds.access_key, creds.secret_key, creds.token), "s3", "eu-west-1"
    )
    request.headers["X-Amz-Date"] = AMZ_DATE
    if creds.token:
        request.headers["X-Amz-Security-Token"] = creds.token
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    names = signer.signed_headers(signer.headers_to_sign(request))
    scope = f"{AMZ_DATE[:8]}/eu-west-1/s3/aws4_request"
    return (
        f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )


@pytest.mark.parametrize("token", [None, "session/token+="])
@pytest.mark.parametrize(
    ("method", "key", "params"),
    [
        ("PUT", "assets/app 1+2 é~(x).js", {}),
        ("GET", None, {"list-type": "2", "start-after": "a b/ü", "max-keys": "1000"}),
        ("POST", None, {"delete": ""}),
    ],
)
def test_signature_is_botocores(
    method: str, key: str | None, params: dict[str, str], token: str | None
) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    body = b"<b>hello</b>" if method != "GET" else b""
    path = "/bucket" + (f"/{quote_path(key)}" if key else "")
    payload = hashlib.sha256(body).hexdigest()
    headers = {"Host": "127.0.0.1:9000", "Content-Type": "text/html", "Cache-Control": "no-store"}
    if body:
        headers["Content-MD5"] = md5_b64(body)
    mine = dict(headers)
    Signer("eu-west-1").sign(method, path, params, mine, creds, AMZ_DATE, payload)
    from urllib.parse import quote, urlencode

    query = urlencode(params, quote_via=quote)
    url = f"http://127.0.0.1:9000{path}" + (f"?{query}" if query else "")
    theirs = dict(headers, **{"X-Amz-Content-SHA256": payload})
    assert mine["Authorization"] == botocore_signature(method, url, theirs, body, creds)


def botocore_url(bucket: str, key: str = "k/a b.txt") -> str:
    """The URL botocore's S3 client would send a PutObject to (caught before it is sent)."""
    seen: list[str] = []

    class Sent(Exception):
        pass

    def catch(request: Any, **_: Any) -> None:
        seen.append(request.url)
        raise Sent

    s3 = aws.client("s3")
    s3.meta.events.register_first("before-send.s3.PutObject", catch)
    with pytest.raises(Sent):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    return seen[0]


def wire_url(bucket: str, key: str = "k/a b.txt") -> str:
    sess = aws.session()
    endpoint = resolve(sess, aws.session_region(sess))
    assert endpoint is not None
    host, path = endpoint.locate(bucket, key)
    return endpoint.origin(host) + path


@pytest.fixture
def plain_env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test environment without AWS_ENDPOINT_URL; its AWS config file's path."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return Path(aws_env["AWS_CONFIG_FILE"])


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
@pytest.mark.parametrize("bucket", ["my-site-bucket", "my.dotted.bucket"])
@pytest.mark.parametrize(
    ("endpoint", "config"),
    [
        (None, ""),
        (None, "s3 =\n  addressing_style = path\n"),
        ("http://127.0.0.1:8333", ""),
        ("http://localhost:8333/base/", ""),
        ("https://objects.example.com", "s3 =\n  addressing_style = virtual\n"),
    ],
)
def test_urls_are_botocores(
    plain_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    region: str,
    bucket: str,
    endpoint: str | None,
    config: str,
) -> None:
    monkeypatch.setenv("AWS_REGION", region)
    if endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    plain_env.write_text(f"[default]\n{config}")
    assert wire_url(bucket) == botocore_url(bucket)


def test_settings_it_does_not_follow_leave_s3_to_botocore(
    plain_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env, value in (("AWS_USE_FIPS_ENDPOINT", "true"), ("HTTPS_PROXY", "http://proxy:3128")):
        with monkeypatch.context() as patch:
            patch.setenv(env, value)
            sess = aws.session()
            assert resolve(sess, "eu-west-1") is None
            assert not isinstance(aws.publish_s3(sess, max_pool=4), WireS3)
    assert resolve(aws.session(), "cn-north-1") is None
    assert resolve(aws.session(), "eu-west-1") is not None


@pytest.fixture
def wire(aws_env: dict[str, str], unique_name: Callable[[str], str]) -> tuple[WireS3, Any, str]:
    """The wire client, botocore's client, and a fresh bucket on the emulator."""
    name = unique_name("wire")
    plain = aws.client("s3")
    plain.create_bucket(Bucket=name)
    client = aws.publish_s3(aws.session(), max_pool=8)
    assert isinstance(client, WireS3)
    return client, plain, name


def test_objects_round_trip_over_http(wire: tuple[WireS3, Any, str]) -> None:
    client, plain, bucket = wire
    keys = ["index.html", "a b/c+d.txt", "q/&amp;<x>.txt", "ü/é~.css", "z/" + "x" * 300]
    for key in keys:
        put = client.put_object(
            Bucket=bucket,
            Key=key,
            Body=key.encode(),
            ContentType="text/css",
            CacheControl="max-age=60",
        )
        assert put["ETag"] == f'"{hashlib.md5(key.encode()).hexdigest()}"'
    head = plain.head_object(Bucket=bucket, Key="ü/é~.css")
    assert (head["ContentType"], head["CacheControl"]) == ("text/css", "max-age=60")
    assert plain.get_object(Bucket=bucket, Key="a b/c+d.txt")["Body"].read() == b"a b/c+d.txt"
    mine, theirs = (c.get_object(Bucket=bucket, Key="ü/é~.css") for c in (client, plain))
    assert mine["Body"].read() == theirs["Body"].read() == "ü/é~.css".encode()
    for field in ("ETag", "ContentLength", "ContentType", "CacheControl"):
        assert mine[field] == theirs[field], field
    # as the publish's botocore client gives it: the header as sent (raw timestamps)
    assert parsedate_to_datetime(mine["LastModified"]) == theirs["LastModified"]
    with pytest.raises(ClientError) as missing:
        client.get_object(Bucket=bucket, Key="no/such/key")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"

    listed: list[tuple[str, int, str]] = []
    token: str | None = None
    while True:
        page = client.list_objects_v2(
            Bucket=bucket, MaxKeys=1, **({"ContinuationToken": token} if token else {})
        )
        listed += [(o["Key"], o["Size"], o["ETag"]) for o in page["Contents"]]
        if not page["IsTruncated"]:
            break
        token = str(page["NextContinuationToken"])
    theirs = plain.list_objects_v2(Bucket=bucket)["Contents"]
    assert listed == [(o["Key"], o["Size"], o["ETag"]) for o in theirs]
    after = client.list_objects_v2(Bucket=bucket, StartAfter="index.html")
    assert [o["Key"] for o in after["Contents"]] == sorted(keys)[2:]

    client.copy_object(
        Bucket=bucket,
        Key="index.html",
        CopySource={"Bucket": bucket, "Key": "index.html"},
        MetadataDirective="REPLACE",
        ContentType="text/html",
        CacheControl="no-cache",
    )
    head = plain.head_object(Bucket=bucket, Key="index.html")
    assert (head["ContentType"], head["CacheControl"]) == ("text/html", "no-cache")

    answer = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[1:]], "Quiet": True}
    )
    assert not answer.get("Errors")
    assert [o["Key"] for o in plain.list_objects_v2(Bucket=bucket)["Contents"]] == ["index.html"]
    assert client._botocore is None  # nothing needed botocore's client


def test_refusals_are_botocore_client_errors(wire: tuple[WireS3, Any, str]) -> None:
    client, plain, bucket = wire
    first = client.put_object(Bucket=bucket, Key="lock", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as taken:
        client.put_object(Bucket=bucket, Key="lock", Body=b"2", IfNoneMatch="*")
    assert taken.value.response["Error"]["Code"] == "PreconditionFailed"
    assert taken.value.operation_name == "PutObject"
    with pytest.raises(ClientError) as stale:
        client.delete_object(Bucket=bucket, Key="lock", IfMatch='"0123"')
    assert stale.value.response["Error"]["Code"] in {"PreconditionFailed", "412"}
    client.delete_object(Bucket=bucket, Key="lock", IfMatch=str(first["ETag"]))
    assert "Contents" not in plain.list_objects_v2(Bucket=bucket)
    with pytest.raises(ClientError) as bad:
        client.put_object(Bucket=bucket, Key="x", Body=b"abc", ContentMD5=md5_b64(b"abd"))
    assert bad.value.response["Error"]["Code"] in {"BadDigest", "InvalidDigest"}
    with pytest.raises(ClientError) as missing:
        client.list_objects_v2(Bucket=bucket + "-gone")
    assert missing.value.response["Error"]["Code"] == "NoSuchBucket"
    error = aws.aws_error(missing.value)
    assert error is not None and "NoSuchBucket" in str(error) and "\n" not in str(error)


def test_what_it_does_not_send_goes_to_botocore(
    wire: tuple[WireS3, Any, str], tmp_path: Path
) -> None:
    client, _plain, bucket = wire
    big = tmp_path / "big.bin"
    big.write_bytes(b"y" * 3000)
    with big.open("rb") as fh:  # a streamed body
        client.put_object(Bucket=bucket, Key="big.bin", Body=fh, ContentLength=3000)
    assert client._botocore is not None
    assert client.head_object(Bucket=bucket, Key="big.bin")["ContentLength"] == 3000


class Flaky(http.server.BaseHTTPRequestHandler):
    """Answers the first ``failures`` requests with 503 SlowDown, then 200."""

    failures = 2
    seen: list[str] = []

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(self.headers.get("Authorization", ""))
        if len(type(self).seen) <= type(self).failures:
            body = b"<Error><Code>SlowDown</Code><Message>Please reduce</Message></Error>"
            self.send_response(503)
        else:
            body = b""
            self.send_response(200)
            self.send_header("ETag", '"abc"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@contextlib.contextmanager
def serving(
    handler: type[http.server.BaseHTTPRequestHandler], patch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``handler`` on a free loopback port as AWS_ENDPOINT_URL_S3; stopped at the end."""
    with serving_on_loopback(handler) as endpoint:
        patch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
        yield endpoint


@pytest.fixture
def flaky(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Flaky.seen = []
    with serving(Flaky, monkeypatch) as endpoint:
        yield endpoint


def test_throttling_is_retried_and_each_attempt_signed(
    flaky: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = aws.publish_s3(aws.session(), max_pool=2)
    assert isinstance(client, WireS3)
    monkeypatch.setattr(client.transport, "sleep", lambda _s: None)
    assert client.put_object(Bucket="b", Key="k", Body=b"x")["ETag"] == '"abc"'
    assert len(Flaky.seen) == 3 and all(a.startswith("AWS4-HMAC-SHA256 ") for a in Flaky.seen)


def test_a_refused_loopback_connection_is_not_retried(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{control.free_port()}")
    client = aws.publish_s3(aws.session(), max_pool=2)
    assert isinstance(client, WireS3)
    naps: list[float] = []
    monkeypatch.setattr(client.transport, "sleep", naps.append)
    with pytest.raises(EndpointConnectionError) as refused:
        client.put_object(Bucket="b", Key="k", Body=b"x")
    assert naps == []
    error = aws.aws_error(refused.value)
    assert error is not None and "cannot reach AWS" in str(error)


def test_the_emulator_checks_content_md5_as_s3_does(wire: tuple[WireS3, Any, str]) -> None:
    _client, plain, bucket = wire
    with pytest.raises(ClientError) as bad:
        plain.put_object(Bucket=bucket, Key="x", Body=b"abc", ContentMD5=md5_b64(b"abd"))
    assert bad.value.response["Error"]["Code"] == "BadDigest"
    plain.put_object(Bucket=bucket, Key="x", Body=b"abc", ContentMD5=md5_b64(b"abc"))
    assert plain.get_object(Bucket=bucket, Key="x")["Body"].read() == b"abc"


class Quirky(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 answers in the shapes servers use: a chunked listing, then a connection
    closed after each answer without saying so (the client finds it closed when idle)."""

    protocol_version = "HTTP/1.1"
    opened = 0
    requests = 0

    def setup(self) -> None:  # once per connection
        type(self).opened += 1
        super().setup()

    def do_GET(self) -> None:  # a ListObjectsV2 page, chunked
        type(self).requests += 1
        page = (
            b'<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/'
            b'2006-03-01/"><IsTruncated>false</IsTruncated><Contents><Key>a%20b/%2B.txt</Key>'
            b"<Size>3</Size><ETag>&quot;e1&quot;</ETag></Contents></ListBucketResult>"
        )
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (page[:50], page[50:]):
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def do_DELETE(self) -> None:  # 204, then the server drops the connection
        type(self).requests += 1
        self.send_response(204)
        self.end_headers()
        self.close_connection = True

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def quirky(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Quirky.opened, Quirky.requests = 0, 0
    with serving(Quirky, monkeypatch) as endpoint:
        yield endpoint


def test_chunked_answers_and_connections_closed_while_idle(quirky: str) -> None:
    client = aws.publish_s3(aws.session(), max_pool=2)
    page = client.list_objects_v2(Bucket="b")
    assert page["Contents"] == [{"Key": "a b/+.txt", "Size": 3, "ETag": '"e1"'}]
    for _ in range(3):
        client.delete_object(Bucket="b", Key="k")
    assert Quirky.requests == 4  # each sent once: a closed idle connection is not an attempt
    assert Quirky.opened == 3  # the listing's connection was kept for the first delete


def test_the_object_primitives_upload_and_copy(
    wire: tuple[WireS3, Any, str], tmp_path: Path
) -> None:
    from amplify_tasks.sync import copy_key, upload_file
    from amplify_tasks.sync.etag import file_etags

    client, plain, bucket = wire
    small, medium = tmp_path / "app.js", tmp_path / "photo.jpg"
    small.write_bytes(b"console.log(1)\n" * 10)
    medium.write_bytes(bytes(range(256)) * 6000)  # over SMALL_FILE: streamed
    for path, key in ((small, "releases/r1/app.js"), (medium, "releases/r1/photo.jpg")):
        sent = upload_file(
            client, bucket, key, path, content_type="text/javascript", cache_control="max-age=5"
        )
        assert sent == path.stat().st_size
        head = plain.head_object(Bucket=bucket, Key=key)
        assert head["ETag"].strip('"') in file_etags(str(path), sent)
        assert (head["ContentType"], head["CacheControl"]) == ("text/javascript", "max-age=5")
    copy_key(
        client,
        bucket,
        "releases/r1/app.js",
        "app.js",
        content_type="application/javascript",
        cache_control="no-cache",
    )
    head = plain.head_object(Bucket=bucket, Key="app.js")
    assert (head["ContentType"], head["CacheControl"]) == ("application/javascript", "no-cache")
    assert plain.get_object(Bucket=bucket, Key="app.js")["Body"].read() == small.read_bytes()


def test_head_object_and_a_delimited_listing_answer_what_botocore_answers(
    wire: tuple[WireS3, Any, str],
) -> None:
    client, plain, bucket = wire
    for key in ("_r/20261203-1/a b.html", "_r/20261203-2/x.css", "_r/ü+/y", "top.txt"):
        client.put_object(Bucket=bucket, Key=key, Body=b"x", ContentType="text/css")
    mine, theirs = (c.head_object(Bucket=bucket, Key="_r/ü+/y") for c in (client, plain))
    for field in ("ETag", "ContentLength", "ContentType"):
        assert mine[field] == theirs[field], field
    assert "Body" not in mine
    refused = []
    for c in (client, plain):
        with pytest.raises(ClientError) as missing:
            c.head_object(Bucket=bucket, Key="no/such/key")
        refused.append(missing.value.response["Error"])
    assert refused[0] == refused[1] == {"Code": "404", "Message": "Not Found"}
    mine, theirs = (
        c.list_objects_v2(Bucket=bucket, Prefix="_r/", Delimiter="/") for c in (client, plain)
    )
    assert mine["CommonPrefixes"] == theirs["CommonPrefixes"]
    assert [p["Prefix"] for p in mine["CommonPrefixes"]] == [
        "_r/20261203-1/",
        "_r/20261203-2/",
        "_r/ü+/",
    ]
    assert client._botocore is None  # nothing needed botocore's client
