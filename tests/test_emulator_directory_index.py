"""The hosting template's own viewer-request function (cfn/partials/directory-index.js.j2,
rendered as the template renders it) run as JavaScript by a distribution preview, for the
directory cases of a static site, with its key value store holding the path facts publish
computes for the site's keys. The expected answers are S3 website semantics (what DEV stages
serve). Without the store's facts (a stage deployed, never published) the function keeps its
old rule: an extension-less URI is served from its folder's index document.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from edge_stacks import deploy, edge_template, emulator_environment, get, kvs_client, put

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.routing import path_facts
from amplify_tasks.settings import build_settings
from amplify_tasks.templates.rendering import function_code

ROOT = Path(__file__).resolve().parent.parent


def directory_index_function(index_document: str = "index.html") -> str:
    """The function's code as the product renders it into a PROD stage's template."""
    settings = build_settings(
        "prod",
        {
            "HOSTING_APP_NAME": "site",
            "HOSTING_CLOUDFRONT": "true",
            "HOSTING_INDEX_DOCUMENT": index_document,
        },
    )
    return function_code(Project.at(ROOT), settings)


SITE = {
    "index.html": b"<h1>home</h1>",
    "docs/index.html": b"<h1>docs</h1>",
    "v1.2/index.html": b"<h1>v1.2</h1>",
    "app.3f2a.js": b"console.log(1)",
    "LICENSE": b"MIT",
    ".well-known/x": b"well known",
    "a/b/index.html": b"<h1>a/b</h1>",
    "404.html": b"<h1>not found</h1>",
}


def make_site(emulator: control.Emulator, *, facts: bool) -> str:
    """The preview URL of a distribution running the template's function over ``SITE``, its
    store filled with the facts of ``SITE`` (or left empty); the AWS variables are set only
    while it is made."""
    bucket = f"dir-index-{uuid.uuid4().hex[:10]}"
    with emulator_environment(emulator):
        template = edge_template(
            bucket,
            functions={"viewer-request": directory_index_function()},
            kvs=True,
            list_bucket=True,
            error_responses=[
                {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": 404}
            ],
        )
        out = deploy(emulator, bucket, template)
        for key, body in SITE.items():
            put(bucket, key, body)
        if facts:
            entries = path_facts(SITE, "index.html").entries()
            client = kvs_client(emulator)
            etag = client.describe_key_value_store(KvsARN=out["StoreArn"])["ETag"]
            puts = [{"Key": k, "Value": v} for k, v in entries.items()]
            client.update_keys(KvsARN=out["StoreArn"], IfMatch=etag, Puts=puts)
    return out["url"]


@pytest.fixture(scope="module")
def site(emulator: control.Emulator) -> str:
    """A distribution whose store holds the facts of ``SITE`` (one stack for the module)."""
    return make_site(emulator, facts=True)


@pytest.fixture(scope="module")
def unpublished(emulator: control.Emulator) -> str:
    """A distribution whose store is empty: the stage was never published."""
    return make_site(emulator, facts=False)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/", b"<h1>home</h1>"),
        ("/docs/", b"<h1>docs</h1>"),
        ("/v1.2/", b"<h1>v1.2</h1>"),
        ("/app.3f2a.js", b"console.log(1)"),
    ],
)
def test_the_function_serves(site: str, path: str, body: bytes) -> None:
    assert get(site, path)[::2] == (200, body)


def test_the_rendered_function_is_the_template_s() -> None:
    code = directory_index_function("home.htm")
    assert "function handler(event)" in code
    assert '"home.htm"' in code


@pytest.mark.parametrize("path", ["/docs", "/a/b"])
def test_a_folder_without_slash_redirects(site: str, path: str) -> None:
    status, headers, _ = get(site, path)
    assert (status, headers.get("location")) == (302, path + "/")


def test_the_redirect_keeps_the_query_string(site: str) -> None:
    status, headers, _ = get(site, "/docs?lang=en&x=%2F&flag")
    assert (status, headers.get("location")) == (302, "/docs/?lang=en&x=%2F&flag")


@pytest.mark.parametrize(
    ("path", "body"), [("/LICENSE", b"MIT"), ("/.well-known/x", b"well known")]
)
def test_an_extensionless_file_is_served(site: str, path: str, body: bytes) -> None:
    assert get(site, path)[::2] == (200, body)


def test_a_folder_with_a_dot_without_slash_redirects(site: str) -> None:
    status, headers, _ = get(site, "/v1.2")
    assert (status, headers.get("location")) == (302, "/v1.2/")


@pytest.mark.parametrize("path", ["/nope", "/docs.", "/nope.html", "/docs/nope"])
def test_nothing_there_is_a_404_with_the_error_document(site: str, path: str) -> None:
    assert get(site, path)[::2] == (404, b"<h1>not found</h1>")


def test_the_tool_s_state_stays_404(site: str) -> None:
    assert get(site, "/.amplify-tasks/~routing.json")[0] == 404


def test_without_the_store_s_facts_the_old_rule_applies(unpublished: str) -> None:
    # no `site` key: the function must not fail (503); extension-less URIs get the folder's
    # index document, as before the store existed
    assert get(unpublished, "/docs")[::2] == (200, b"<h1>docs</h1>")
    assert get(unpublished, "/docs/")[::2] == (200, b"<h1>docs</h1>")
    assert get(unpublished, "/app.3f2a.js")[::2] == (200, b"console.log(1)")
