"""`inv hosting.routing` on a DEV and a PROD stage (no AWS call: it reads the settings and
the dist folder), and `inv publish` leaving the routing files out of the upload."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from routing_cases import HEADERS, REDIRECTS
from test_local_previews import fetch

SITE = {
    "dist/index.html": "<h1>home</h1>",
    "dist/new.html": "<p>new</p>",
    "dist/shop/real.html": "<p>real</p>",
    "dist/_redirects": REDIRECTS,
    "dist/_headers": HEADERS,
}


def test_routing_on_a_prod_stage_shows_the_compiled_rules_and_limits(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.add_stage("prod", unique_name("rt"), SITE)
    out = inv_project.run("hosting.routing", "--stage", "prod").stdout
    assert "stage prod: 15 redirect rule(s) (_redirects), 3 header block(s) (_headers)" in out
    assert "applied by: CloudFront: compiled and checked against the limits; each release" in out
    assert "     7  /blog/*  /posts/:splat  301" in out
    assert "redirect chunks (1 KB store values): 1 of 16" in out
    doc = json.loads(inv_project.run("hosting.routing", "--stage", "prod", "--json").stdout)
    assert doc["ok"] is True and doc["shape"] == "cloudfront"
    assert doc["redirects"]["r"][5] == ["/blog/*", "/posts/:splat", 301]
    assert doc["redirects"]["r"][13] == ["/shop/*", "/shop/index.html", 200, 2]  # hides a file
    limits = {u["what"]: u for u in doc["limits"]}
    code = limits["evaluator code bytes (of a function's 10 KB)"]
    assert 0 < code["used"] < 3500 and code["limit"] == 10240


def test_routing_on_a_dev_stage_lists_the_website_rules_and_warnings(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.add_stage("dev", unique_name("rt"), SITE)
    doc = json.loads(inv_project.run("hosting.routing", "--stage", "dev", "--json").stdout)
    assert doc["shape"] == "s3-website"
    assert doc["website"]["objects"]["old"] == "/new"
    assert {"what": "S3 website routing rules", "used": 2, "limit": 50} in doc["limits"]
    warnings = doc["website"]["warnings"]
    assert any(w.startswith("3 rewrite (200) rule(s) (line 13, 15, 16)") for w in warnings)
    assert any("_headers block(s)" in w for w in warnings)


def test_bad_lines_are_one_line_each_and_exit_2(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.add_stage("dev", unique_name("rt"), {"dist/index.html": "x"})
    inv_project.write("dist/_redirects", "/a /b 299\n/c/:id /d/:slug\n")
    result = inv_project.run("hosting.routing", "--stage", "dev", check=False)
    assert result.returncode == 2
    assert "  _redirects:2: TO uses ':slug' but FROM '/c/:id' has no ':slug' in FROM" in (
        result.stderr
    )
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "error: _redirects:1: unknown status '299': use one of 301, 302, 303, 307, 308, 200, "
            "404 (optionally with '!') (and 1 more problem(s)); nothing was published"
        )
    )
    assert "Traceback" not in result.stderr


def test_publish_on_a_dev_stage_applies_the_redirects_and_warns(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    """`inv publish` on a DEV stage: the website follows the redirects, what it cannot do is
    one warning per kind, the routing files (named in invoke config) are never uploaded, and
    a publish after removing a redirect drops its object."""
    site = dict(SITE)
    site["dist/_routes"] = site.pop("dist/_redirects")
    site["invoke.yaml"] = "hosting:\n  redirects_file: _routes\n"
    inv_project.add_stage("dev", unique_name("rt"), site)
    out = inv_project.run("publish", "--stage", "dev", "--yes").stdout
    assert "3 rewrite (200) rule(s) (line 13, 15, 16): needs a CloudFront stage" in out
    assert "_headers block(s)" in out
    assert "website redirects: did put " in out
    status = json.loads(inv_project.run("hosting.status", "--stage", "dev", "--json").stdout)
    url, bucket = status["site_url"], status["outputs"]["bucket"]
    assert fetch(url, "/old?x=1")[0] == 301
    assert fetch(url, "/old")[1]["Location"] == "/new"
    assert fetch(url, "/blog/2024/hello")[1]["Location"] == "/posts/2024/hello"
    assert fetch(url, "/shop/real.html")[0] == 200
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]}
    assert "index.html" in keys and "old" in keys
    assert not keys & {"_routes", "_headers", "_redirects"}
    again = inv_project.run("publish", "--stage", "dev", "--yes").stdout
    assert "website redirects: did" not in again and "stale" not in again  # kept, not re-put
    assert fetch(url, "/old")[0] == 301
    inv_project.write("dist/_routes", "/blog/* /posts/:splat 301\n")
    third = inv_project.run("publish", "--stage", "dev", "--yes").stdout
    assert "website redirects: did put 0 redirect object(s), delete 7; 1 routing rule(s)" in third
    assert fetch(url, "/old")[0] == 404
    assert fetch(url, "/blog/x")[1]["Location"] == "/posts/x"
