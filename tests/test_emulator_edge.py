"""The distribution preview's CloudFront behaviour over real HTTP: S3 behind OAC decided by
the bucket policy (403 or 404 for a missing key by the s3:ListBucket grant, aws:SourceArn
checked), custom error pages fetched without the viewer-request function, the HTTP->HTTPS
redirect before any function, the default root object, methods, and response headers
policies.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import boto3
import pytest
from edge_stacks import deploy, edge_template, get, put

from amplify_tasks.local import control

#: Serves every path from the /site/ folder: a page fetched through it is never at the root.
UNDER_SITE = """function handler(event) {
  var request = event.request;
  request.uri = '/site' + request.uri;
  return request;
}"""

TEAPOT = "function handler(event) { return {statusCode: 418, body: 'function ran'}; }"

STAMP = """function handler(event) {
  event.response.headers['x-edge'] = {value: 'viewer-response'};
  return event.response;
}"""

SECURITY_HEADERS_POLICY = "67f7725c-6f97-4210-82d7-5512b31e9d03"


@pytest.fixture
def names(unique_name: Callable[[], str]) -> tuple[str, str]:
    return unique_name(), unique_name()


@pytest.mark.parametrize(
    ("list_bucket", "status", "code"), [(False, 403, b"AccessDenied"), (True, 404, b"NoSuchKey")]
)
def test_a_missing_key_is_403_unless_the_policy_grants_list_bucket(
    emulator: control.Emulator,
    aws_env: dict[str, str],
    names: tuple[str, str],
    list_bucket: bool,
    status: int,
    code: bytes,
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket, list_bucket=list_bucket))
    put(bucket, "index.html", b"<h1>home</h1>")
    assert get(out["url"], "/")[::2] == (200, b"<h1>home</h1>")
    got, headers, body = get(out["url"], "/missing.html")
    assert got == status
    assert f"<Code>{code.decode()}</Code>".encode() in body
    assert headers["x-cache"] == "Error from cloudfront"


def test_the_policy_condition_names_this_distribution(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket, list_bucket=True))
    put(bucket, "index.html", b"<h1>home</h1>")
    assert get(out["url"], "/index.html")[0] == 200
    other = "arn:aws:cloudfront::123456789012:distribution/EOTHERDISTRIBUTION"
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringEquals": {"AWS:SourceArn": other}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    boto3.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    status, _, body = get(out["url"], "/index.html")
    assert (status, b"<Code>AccessDenied</Code>" in body) == (403, True)


def test_custom_error_page_is_fetched_without_the_viewer_request_function(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    errors = [{"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": 404}]
    template = edge_template(
        bucket,
        functions={"viewer-request": UNDER_SITE, "viewer-response": STAMP},
        list_bucket=True,
        error_responses=errors,
    )
    out = deploy(emulator, stack, template)
    put(bucket, "site/page.html", b"<h1>page</h1>")
    put(bucket, "404.html", b"<h1>not found</h1>")
    put(bucket, "site/404.html", b"<h1>rewritten: wrong</h1>")
    status, headers, body = get(out["url"], "/page.html")
    assert (status, body, headers["x-edge"]) == (200, b"<h1>page</h1>", "viewer-response")
    status, headers, body = get(out["url"], "/nope.html")
    assert (status, body) == (404, b"<h1>not found</h1>")
    assert "x-edge" not in headers  # no viewer-response function after an origin error


def test_custom_error_response_code_and_page(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    errors = [{"ErrorCode": 403, "ResponsePagePath": "/index.html", "ResponseCode": 200}]
    out = deploy(emulator, stack, edge_template(bucket, error_responses=errors))
    put(bucket, "index.html", b"<h1>spa</h1>")
    assert get(out["url"], "/deep/route")[::2] == (200, b"<h1>spa</h1>")


def test_http_to_https_redirect_runs_no_function(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": TEAPOT}))
    host = out["url"].removeprefix("http://")
    status, headers, _ = get(out["url"], "/a/b?x=1", headers={"X-Forwarded-Proto": "http"})
    assert (status, headers["location"]) == (301, f"https://{host}/a/b?x=1")
    assert headers["x-cache"] == "Redirect from cloudfront"
    assert get(out["url"], "/a/b?x=1")[::2] == (418, b"function ran")


def test_default_root_object_applies_after_the_function(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    home = """function handler(event) {
  if (event.request.uri === '/home') event.request.uri = '/';
  return event.request;
}"""
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": home}))
    put(bucket, "index.html", b"<h1>root object</h1>")
    assert get(out["url"], "/home")[::2] == (200, b"<h1>root object</h1>")
    assert get(out["url"], "/")[::2] == (200, b"<h1>root object</h1>")


def test_methods_the_behaviour_does_not_allow_are_refused(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket))
    put(bucket, "index.html", b"<h1>home</h1>")
    assert get(out["url"], "/", method="POST")[0] == 403
    status, headers, body = get(out["url"], "/", method="HEAD")
    assert (status, body, headers["content-length"]) == (200, b"", "13")


def test_managed_security_headers_policy(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket, headers_policy=SECURITY_HEADERS_POLICY))
    put(bucket, "index.html", b"<h1>home</h1>")
    _, headers, _ = get(out["url"], "/")
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-xss-protection"] == "1; mode=block"
    assert get(out["url"], "/missing")[1]["x-frame-options"] == "SAMEORIGIN"  # errors too


def test_a_template_headers_policy(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    config = {
        "Name": f"{bucket}-headers",
        "SecurityHeadersConfig": {
            "StrictTransportSecurity": {
                "AccessControlMaxAgeSec": 63072000,
                "IncludeSubdomains": True,
                "Preload": True,
                "Override": True,
            },
            "ContentTypeOptions": {"Override": True},
            "FrameOptions": {"FrameOption": "DENY", "Override": True},
            "ReferrerPolicy": {"ReferrerPolicy": "no-referrer", "Override": True},
            "XSSProtection": {"Protection": True, "ModeBlock": False, "Override": True},
        },
        "CustomHeadersConfig": {
            "Items": [
                {"Header": "X-Team", "Value": "web", "Override": True},
                {"Header": "Cache-Control", "Value": "no-store", "Override": False},
            ]
        },
    }
    out = deploy(emulator, stack, edge_template(bucket, headers_policy=config))
    boto3.client("s3").put_object(
        Bucket=bucket,
        Key="index.html",
        Body=b"x",
        ContentType="text/html",
        CacheControl="max-age=60",
    )
    _, headers, _ = get(out["url"], "/")
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-xss-protection"] == "1"
    assert headers["x-team"] == "web"
    assert headers["cache-control"] == "max-age=60"  # Override false: the origin's stays
