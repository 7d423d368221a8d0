"""The hosting template's own viewer-request function (cfn/partials/directory-index.js.j2,
rendered as the template renders it) run as JavaScript by a distribution preview, for the
directory cases of a static site. The expected answers are S3 website semantics (what DEV
stages serve): the cases the function gets wrong today are marked xfail(strict) with the
right answer, so a fix of the function shows up here.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from edge_stacks import deploy, edge_template, get, put

from amplify_tasks.local import control
from amplify_tasks.project import Project
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
}


@pytest.fixture(scope="module")
def site(emulator: control.Emulator) -> str:
    """The preview URL of a distribution running the template's function over ``SITE``
    (one stack for the module; the AWS variables are set only while it is made)."""
    bucket = f"dir-index-{uuid.uuid4().hex[:10]}"
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ENDPOINT_URL": emulator.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        template = edge_template(bucket, functions={"viewer-request": directory_index_function()})
        out = deploy(emulator, bucket, template)
        for key, body in SITE.items():
            put(bucket, key, body)
    return out["url"]


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


WRONG = pytest.mark.xfail(strict=True, reason="the template's function gets this case wrong")


@WRONG
def test_a_folder_without_slash_redirects(site: str) -> None:
    # today: /docs is served as docs/index.html with 200, and relative links break
    status, headers, _ = get(site, "/docs")
    assert (status, headers.get("location")) in {(301, "/docs/"), (302, "/docs/")}


@WRONG
@pytest.mark.parametrize(
    ("path", "body"), [("/LICENSE", b"MIT"), ("/.well-known/x", b"well known")]
)
def test_an_extensionless_file_is_served(site: str, path: str, body: bytes) -> None:
    # today: rewritten to <path>/index.html, which does not exist: 403
    assert get(site, path)[::2] == (200, body)


@WRONG
def test_a_folder_with_a_dot_without_slash_redirects(site: str) -> None:
    # today: /v1.2 looks like a file, is not rewritten, and the key does not exist: 403
    status, headers, _ = get(site, "/v1.2")
    assert (status, headers.get("location")) in {(301, "/v1.2/"), (302, "/v1.2/")}


def test_what_the_function_does_today(site: str) -> None:
    # the current behaviour of the cases above, asserted as it is
    assert get(site, "/docs")[::2] == (200, b"<h1>docs</h1>")
    assert get(site, "/LICENSE")[0] == 403
    assert get(site, "/.well-known/x")[0] == 403
    assert get(site, "/v1.2")[0] == 403
