"""Preview servers of the emulator over real HTTP: S3 website semantics for website buckets,
and CloudFront semantics (root object, error responses, index rewrite) for distributions.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import boto3
import pytest
from stacks import website_template
from test_local_cfn import create_stack, hosting_template, update_stack

from amplify_tasks.local import control


def fetch(url: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects: (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def upload_site(bucket: str) -> None:
    s3 = boto3.client("s3")
    html = {"ContentType": "text/html; charset=utf-8", "CacheControl": "no-cache"}
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>home</h1>", **html)
    s3.put_object(Bucket=bucket, Key="docs/index.html", Body=b"<h1>docs</h1>", **html)
    s3.put_object(Bucket=bucket, Key="404.html", Body=b"<h1>not here</h1>", **html)
    s3.put_object(
        Bucket=bucket,
        Key="app.3f2a.js",
        Body=b"console.log(1)",
        ContentType="text/javascript; charset=utf-8",
        CacheControl="public, max-age=31536000, immutable",
    )


@pytest.fixture
def website(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> tuple[str, str, str]:
    stack, bucket = unique_name(), unique_name()
    outputs = create_stack(stack, website_template(bucket))
    upload_site(bucket)
    return stack, bucket, outputs["WebsiteURL"]


def test_website_url_is_the_listed_loopback_preview(
    emulator: control.Emulator, website: tuple[str, str, str]
) -> None:
    _, bucket, url = website
    assert url.startswith("http://127.0.0.1:")
    listed = [p for p in emulator.previews() if p["kind"] == "website" and p["bucket"] == bucket]
    assert listed == [{"kind": "website", "bucket": bucket, "distribution_id": None, "url": url}]


def test_website_serves_index_documents_with_stored_headers(website: tuple[str, str, str]) -> None:
    _, _, url = website
    status, headers, body = fetch(url, "/")
    assert (status, body) == (200, b"<h1>home</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert fetch(url, "/docs/")[2] == b"<h1>docs</h1>"
    status, headers, body = fetch(url, "/app.3f2a.js")
    assert status == 200
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_website_redirects_a_directory_without_slash(website: tuple[str, str, str]) -> None:
    _, _, url = website
    status, headers, _ = fetch(url, "/docs")
    assert status == 302
    assert headers["Location"] == "/docs/"


def test_website_missing_key_gets_the_error_document_with_404(
    website: tuple[str, str, str],
) -> None:
    _, _, url = website
    status, headers, body = fetch(url, "/nope.html")
    assert (status, body) == (404, b"<h1>not here</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_website_head_has_headers_and_no_body(website: tuple[str, str, str]) -> None:
    _, _, url = website
    status, headers, body = fetch(url, "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len(b"<h1>home</h1>"))
    assert fetch(url, "/", method="POST")[0] == 405


def test_website_preview_keeps_its_port_across_updates(website: tuple[str, str, str]) -> None:
    stack, bucket, url = website
    outputs = update_stack(stack, website_template(bucket, error_document="index.html"))
    assert outputs["WebsiteURL"] == url
    assert fetch(url, "/missing")[2] == b"<h1>home</h1>"


def test_distribution_preview_applies_root_object_rewrite_and_error_responses(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    stack, bucket = unique_name(), unique_name()
    outputs = create_stack(stack, hosting_template(bucket))
    upload_site(bucket)
    url = emulator.preview_url(outputs["DistributionId"])
    assert url.startswith("http://127.0.0.1:")
    assert url != outputs["WebsiteURL"]
    assert outputs["DomainName"].endswith(".cloudfront.net")
    status, headers, body = fetch(url, "/")
    assert (status, body) == (200, b"<h1>home</h1>")
    assert headers["Cache-Control"] == "no-cache"
    assert fetch(url, "/docs/")[:3:2] == (200, b"<h1>docs</h1>")
    assert fetch(url, "/docs")[:3:2] == (200, b"<h1>docs</h1>")
    # the REST origin answers 403 for a missing key; the template maps 403 -> 404 /404.html
    status, _, body = fetch(url, "/missing.png")
    assert (status, body) == (404, b"<h1>not here</h1>")


def test_distribution_without_error_responses_answers_403_for_missing_keys(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    stack, bucket = unique_name(), unique_name()
    template = hosting_template(bucket)
    config = template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    del config["CustomErrorResponses"]
    del config["DefaultCacheBehavior"]["FunctionAssociations"]
    outputs = create_stack(stack, json.loads(json.dumps(template)))
    upload_site(bucket)
    url = emulator.preview_url(outputs["DistributionId"])
    status, _, body = fetch(url, "/missing.png")
    assert status == 403
    assert b"AccessDenied" in body
    assert fetch(url, "/docs/")[0] == 403  # no function: no directory index
