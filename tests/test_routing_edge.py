"""The rules evaluator (cfn/partials/rules.js.j2) inside real CloudFront Functions on the
emulator's distribution preview, over HTTP: a release's compiled rules read from the key
value store in chunks, redirects keeping the query string, rewrites not hiding a file,
headers of several blocks combined by a viewer-response function, and the rules following
the release a pointer names (a rollback brings the previous rules back)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from edge_stacks import deploy, edge_template, get, kvs_client, put
from routing_cases import FILES, HEADERS, REDIRECTS

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.routing import compile_rules, parse_headers, parse_redirects, store_entries
from amplify_tasks.templates.rendering import rules_code

REQUEST = """import cf from 'cloudfront';
const kvs = cf.kvs();
%(rules)s
var FILES = %(files)s;
var env = {
  isFile: async function (p) { return FILES.indexOf(p) >= 0; },
  isFolder: async function (p) { return false; },
};
function rawQuery(qs) {
  return Object.keys(qs).map(function (k) {
    return qs[k].value === '' ? k : k + '=' + qs[k].value;
  }).join('&');
}
async function handler(event) {
  var r = event.request;
  var release = await kvs.get('live');
  var doc = await rulesLoad(kvs, release, 'R');
  var d = await rulesDecide(doc, decodeURIComponent(r.uri), rawQuery(r.querystring), env);
  if (!d) return r;
  if (d.location) {
    return {statusCode: d.status, statusDescription: 'Redirect',
            headers: {location: {value: d.location}}};
  }
  r.uri = d.uri;
  return r;
}
"""

RESPONSE = """import cf from 'cloudfront';
const kvs = cf.kvs();
%(rules)s
async function handler(event) {
  var doc = await rulesLoad(kvs, await kvs.get('live'), 'H');
  var found = rulesHeaders(doc, event.request.uri);
  Object.keys(found).forEach(function (n) { event.response.headers[n] = {value: found[n]}; });
  return event.response;
}
"""


@pytest.fixture
def names(unique_name: Callable[[], str]) -> tuple[str, str]:
    return unique_name(), unique_name()


def test_release_rules_at_the_edge(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    evaluator = rules_code(Project.at(Path.cwd()))
    request = REQUEST % {"rules": evaluator, "files": json.dumps(list(FILES))}
    response = RESPONSE % {"rules": evaluator}
    assert len(request.encode()) < 10 * 1024 and len(response.encode()) < 10 * 1024
    template = edge_template(
        bucket, functions={"viewer-request": request, "viewer-response": response}, kvs=True
    )
    out = deploy(emulator, stack, template)
    for path in (*FILES, "/app/index.html", "/404.html"):
        put(bucket, path[1:], f"<p>{path}</p>".encode())
    redirects, _ = parse_redirects(REDIRECTS)
    blocks, _ = parse_headers(HEADERS.replace("/blog/", "/shop/"))  # not redirected
    first = compile_rules(redirects, blocks, files=FILES)
    second = compile_rules(*[parse_redirects("/old /second 302\n")[0]], [])
    entries = {**store_entries("rel1", first), **store_entries("rel2", second)}
    store = kvs_client(emulator)
    etag = store.describe_key_value_store(KvsARN=out["StoreArn"])["ETag"]
    puts = [{"Key": k, "Value": v} for k, v in entries.items()] + [{"Key": "live", "Value": "rel1"}]
    etag = store.update_keys(KvsARN=out["StoreArn"], IfMatch=etag, Puts=puts)["ETag"]
    url = out["url"]

    status, headers, _ = get(url, "/old?utm=1&x")
    assert (status, headers["location"]) == (301, "/new?utm=1&x")
    for path, code, location in (
        ("/found", 302, "/elsewhere"),
        ("/see", 303, "/other"),
        ("/temp", 307, "/temporary"),
        ("/perm", 308, "/permanent"),
        ("/blog/2024/hi", 301, "/posts/2024/hi"),
        ("/news/2023/launch", 302, "/articles/2023-launch"),
        ("/ext/a", 301, "https://example.com/docs/a"),
        ("/first", 301, "/winner"),
    ):
        status, headers, _ = get(url, path)
        assert (status, headers.get("location")) == (code, location), path
    assert get(url, "/app/deep/link")[2] == b"<p>/app/index.html</p>"  # a rewrite
    assert get(url, "/shop/real.html")[2] == b"<p>/shop/real.html</p>"  # the file, not hidden
    assert get(url, "/shop/nothing")[2] == b"<p>/shop/index.html</p>"

    status, headers, _ = get(url, "/new.html")
    assert status == 200
    assert headers["content-security-policy"] == "default-src 'self'"
    assert headers["x-frame-options"] == "DENY"
    headers = get(url, "/shop/real.html")[1]  # three blocks: one removes, two add
    assert headers["cache-control"] == "max-age=60, no-transform"
    assert "x-frame-options" not in headers

    store.put_key(KvsARN=out["StoreArn"], Key="live", Value="rel2", IfMatch=etag)
    status, headers, _ = get(url, "/old")
    assert (status, headers["location"]) == (302, "/second")  # the other release's rules
    assert "content-security-policy" not in get(url, "/new.html")[1]
