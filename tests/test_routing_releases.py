"""A release's `_redirects`, `_headers` and clean URLs through `inv publish` on a PROD stage,
over HTTP on the emulator's distribution preview running the stack's real functions: every
redirect status with the query string kept, rewrites that never hide a file of the release,
404 rules, headers of several blocks combined, a CSP on `/*`; rules that belong to a
release (a change of them alone makes one, a rollback brings the previous rules back, the
collection of a release drops its keys); more rules than the function reads refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from edge_stacks import get
from releases_site import V1, ReleaseSite

from amplify_tasks import aws

REDIRECTS = """\
/old            /docs/                 301
/found          /docs/                 302
/see            /docs/                 303
/temp           /docs/                 307
/perm           /docs/                 308
/blog/*         /posts/:splat          301
/news/:year/:slug  /archive/:year/:slug  302
/ext/*          https://example.com/:splat
/app/*          /index.html            200
/robots.txt     /index.html            200
/gone/*         /404.html              404
"""

HEADERS = """\
/*
  Content-Security-Policy: default-src 'self'
  X-Frame-Options: DENY
/docs/*
  Cache-Control: max-age=60
/docs/:page
  ! X-Frame-Options
  X-Robots-Tag: noindex
"""


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("rr"))


def build(site: ReleaseSite, redirects: str, headers: str = "", **more: str) -> None:
    files = {**V1, "_redirects": redirects, **more}
    if headers:
        files["_headers"] = headers
    site.build(files)


def location(url: str, path: str) -> tuple[int, str]:
    status, headers, _ = get(url, path)
    return status, headers.get("location", "")


def test_a_release_s_rules_at_the_edge(site: ReleaseSite) -> None:
    build(site, REDIRECTS, HEADERS, **{"docs/guide.html": "<p>guide</p>", "LICENSE": "MIT"})
    site.publish(HOSTING_CLEAN_URLS="true")
    url = site.url()
    for path, expected in (
        ("/old?a=1&b", (301, "/docs/?a=1&b")),
        ("/found", (302, "/docs/")),
        ("/see", (303, "/docs/")),
        ("/temp", (307, "/docs/")),
        ("/perm", (308, "/docs/")),
        ("/blog/2024/hello?x=1", (301, "/posts/2024/hello?x=1")),
        ("/news/2023/launch", (302, "/archive/2023/launch")),
        ("/ext/a/b?v=2", (301, "https://example.com/a/b?v=2")),
        ("/docs/guide.html", (301, "/docs/guide")),  # clean URLs
        ("/docs/index.html", (301, "/docs/")),
    ):
        assert location(url, path) == expected, path
    status, _, body = get(url, "/app/settings/profile")  # a rewrite
    assert (status, body) == (200, V1["index.html"].encode())
    assert get(url, "/robots.txt")[2] == V1["robots.txt"].encode()  # a file is never hidden
    assert get(url, "/docs/guide")[2] == b"<p>guide</p>"  # clean URL
    assert get(url, "/LICENSE")[2] == b"MIT"  # an extension-less file stays itself
    status, headers, body = get(url, "/gone/page")
    assert (status, body) == (404, V1["404.html"].encode())

    headers = get(url, "/")[1]
    assert headers["content-security-policy"] == "default-src 'self'"
    assert headers["x-frame-options"] == "DENY"
    headers = get(url, "/docs/guide")[1]  # three blocks: one removes, two add
    assert headers["cache-control"] == "max-age=60"
    assert headers["x-robots-tag"] == "noindex"
    # the block's DENY is removed; the stage's security headers policy adds its own
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert not any(k.startswith("x-amplify") for k in headers)


def test_rules_belong_to_a_release(site: ReleaseSite) -> None:
    build(site, "/a /docs/ 302\n")
    site.publish()
    first = site.live()
    url = site.url()
    assert location(url, "/a") == (302, "/docs/")
    build(site, "/b /docs/ 307\n")  # only the rules change: a release all the same
    out = site.publish().stdout
    second = site.live()
    assert second != first, out
    assert location(url, "/b") == (307, "/docs/")
    assert get(url, "/a")[0] == 404
    sets = {r: site.keys(r) for r in (first, second)}  # each rules a set of its own
    assert len(set(sets.values())) == 2
    kept = [(k, v) for k, v in site.store().items() if k.startswith(sets[first] + ":R")]
    lost = [{"Key": k} for k, _ in kept]
    kvs = aws.client("cloudfront-keyvaluestore")  # a store that lost the first's rules
    etag = kvs.describe_key_value_store(KvsARN=site.outputs.kvs_arn)["ETag"]
    kvs.update_keys(KvsARN=site.outputs.kvs_arn, IfMatch=etag, Deletes=lost)
    site.run("hosting.rollback", "--stage", "prod", "--yes")  # writes them back from its manifest
    assert (
        "all 6 files present as published" in site.run("hosting.verify", "--stage", "prod").stdout
    )
    etag = kvs.describe_key_value_store(KvsARN=site.outputs.kvs_arn)["ETag"]
    kvs.update_keys(KvsARN=site.outputs.kvs_arn, IfMatch=etag, Deletes=lost[:1])
    failed = site.run("hosting.verify", "--stage", "prod", check=False)
    assert f"missing    store key {lost[0]['Key']} (routing rules)" in failed.stdout
    etag = kvs.describe_key_value_store(KvsARN=site.outputs.kvs_arn)["ETag"]
    kvs.update_keys(
        KvsARN=site.outputs.kvs_arn, IfMatch=etag, Puts=[{"Key": k, "Value": v} for k, v in kept]
    )
    assert site.live() == first
    assert location(url, "/a") == (302, "/docs/")
    assert get(url, "/b")[0] == 404
    store = site.store()
    assert f"{sets[first]}:R" in store and f"{sets[second]}:R" in store

    site.run("hosting.rollback", "--stage", "prod", "--yes", "--to", second)
    build(site, "/c /docs/ 301\n")
    out = site.publish(HOSTING_KEEP_RELEASES="1").stdout
    third = site.live()
    store = site.store()
    assert f"{site.keys(third)}:R" in store
    assert not [k for k in store if k.startswith(sets[first])], out  # collected
    assert f"{sets[second]}:R" in store  # live when the publish began: collected by the next one
    build(site, "")  # no rules: the pointer says so, the function reads none
    site.publish(HOSTING_KEEP_RELEASES="1")
    store = site.store()
    assert '"x"' not in store["live"]
    assert not [k for k in store if k.startswith(sets[second])]
    assert get(url, "/c")[0] == 404


def test_more_rules_than_the_function_reads_are_refused(site: ReleaseSite) -> None:
    build(site, "/a /docs/ 302\n")
    site.publish()
    live = site.live()
    many = "".join(f"/page-{i}/long-path-segment /docs/target-{i} 301\n" for i in range(600))
    build(site, many)
    result = site.publish(check=False)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: _redirects: 600 rules take ")
    assert "nothing was published" in lines[-1] and "Traceback" not in result.stderr
    assert site.live() == live
    assert location(site.url(), "/a") == (302, "/docs/")


def test_a_stage_publishing_in_place_says_it_applies_no_rules(site: ReleaseSite) -> None:
    build(site, "/a /docs/ 302\n")
    out = site.publish(HOSTING_RELEASES="false").stdout
    assert (
        "_redirects/_headers: not applied on stage prod: it publishes in place; a stage "
        "publishing releases (HOSTING_RELEASES=true) applies them"
    ) in out
    assert "_redirects" not in site.objects()


CHAIN_PAGE = (
    "<!doctype html><title>docs</title><body><p id='where'></p><script>"
    "document.getElementById('where').textContent = 'at ' + location.pathname + location.search;"
    "</script></body>"
)


def test_a_browser_follows_a_redirect_chain(site: ReleaseSite, tmp_path: Any) -> None:
    """Headless Chromium (the Debian package) on the PROD preview: /start 301 -> /step 302 ->
    /docs/ (a folder), the query string kept all the way; the page's script shows where the
    browser ended up."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does)")
    build(site, "/start /step 301\n/step /docs/ 302\n", **{"docs/index.html": CHAIN_PAGE})
    site.publish()
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            site.url() + "/start?ref=chain",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "at /docs/?ref=chain" in done.stdout, done.stdout[-2000:]
