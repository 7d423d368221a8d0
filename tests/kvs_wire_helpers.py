"""The key value store's wire client pointed at the emulator, and raw signed requests to its
data plane, for the tests of kvswire and of the emulator's SigV4A checks."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

import boto3

from amplify_tasks.kvswire import SERVICE, AsymmetricSigner, WireKeyValueStore, routes
from amplify_tasks.kvswire.endpoint import encode
from amplify_tasks.local import control
from amplify_tasks.s3wire import Credentials, Transport

TESTING = Credentials("testing", "testing")


def make_store(name: str) -> str:
    """A store made with the CloudFront API (botocore); its ARN."""
    created = boto3.client("cloudfront").create_key_value_store(Name=name, Comment="t")
    return str(created["KeyValueStore"]["ARN"])


def wire_store(
    emulator: control.Emulator,
    creds: Credentials = TESTING,
    botocore: Callable[[], Any] | None = None,
    pauses: list[float] | None = None,
) -> WireKeyValueStore:
    """The wire client at the emulator (its endpoint, as AWS_ENDPOINT_URL), ``pauses``
    collecting the retry pauses instead of sleeping."""
    found = routes({"": emulator.endpoint}, "us-east-1")
    assert found is not None and found.via == emulator.endpoint.removeprefix("http://")
    transport = Transport(
        found.endpoint,
        lambda: creds,
        max_pool=2,
        sleep=(pauses if pauses is not None else []).append,
        signer=AsymmetricSigner(SERVICE),
    )
    return WireKeyValueStore(transport, found, botocore or (lambda: None))


def signed_get(
    emulator: control.Emulator,
    arn: str,
    *,
    creds: Credentials = TESTING,
    service: str = SERVICE,
    change: Callable[[dict[str, str]], None] = lambda headers: None,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """DescribeKeyValueStore of ``arn`` signed for ``service``, ``change`` applied to the
    signed headers before sending: (status, headers, JSON body)."""
    import time

    path = f"/key-value-stores/{encode(arn)}"
    host = f"{arn.split(':')[4]}.127.0.0.1:{emulator.port}"
    headers = {"Host": host}
    date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    AsymmetricSigner(service).sign("GET", path, {}, headers, creds, date, empty)
    change(headers)
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, json.loads(body)
    finally:
        conn.close()


def crt_sign(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    creds: Credentials,
    amz_date: str,
    payload_hash: str,
) -> None:
    """The reference signer: awscrt (aws-c-auth, AWS's own C implementation, which botocore's
    CrtSigV4AsymAuth calls) signs ``headers`` as botocore signs a key value store request."""
    import datetime

    import awscrt.auth as crt
    import awscrt.http
    from botocore.auth import SIGNED_HEADERS_BLACKLIST

    request = awscrt.http.HttpRequest(
        method, f"{path}?{query}" if query else path, awscrt.http.HttpHeaders(headers.items())
    )
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    config = crt.AwsSigningConfig(
        algorithm=crt.AwsSigningAlgorithm.V4_ASYMMETRIC,
        signature_type=crt.AwsSignatureType.HTTP_REQUEST_HEADERS,
        credentials_provider=crt.AwsCredentialsProvider.new_static(
            creds.access_key, creds.secret_key, creds.token
        ),
        region="*",
        service=SERVICE,
        date=when.replace(tzinfo=datetime.timezone.utc),
        should_sign_header=lambda name, **_: name.lower() not in SIGNED_HEADERS_BLACKLIST,
        use_double_uri_encode=True,
        should_normalize_uri_path=True,
        signed_body_value=payload_hash,
        signed_body_header_type=crt.AwsSignedBodyHeaderType.NONE,
    )
    crt.aws_sign_request(request, config).result()
    headers.update(request.headers)
