"""Directory URLs of a PROD stage, as a user publishes it (`inv publish --stage prod` on the
emulator) and a viewer fetches it through the distribution's preview: the S3 website's
answers, from the folders publish writes into the stack's key value store, and written only
when the folder structure changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest
from edge_stacks import get

from amplify_tasks import aws
from amplify_tasks.errors import AwsError
from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings
from amplify_tasks.stack import StackOutputs, stack_outputs

KVS = "cloudfront-keyvaluestore"

FILES = {
    "dist/index.html": "<!doctype html><title>home</title>",
    "dist/404.html": "<!doctype html><title>not found</title>",
    "dist/docs/index.html": '<!doctype html><link rel="stylesheet" href="style.css">',
    "dist/docs/style.css": "body { margin: 0 }",
    "dist/v1.2/index.html": "<!doctype html><title>v1.2</title>",
    "dist/LICENSE": "MIT License",
    "dist/.well-known/x": "well known",
}


def prod_site(inv_project: Any, unique_name: Callable[[str], str]) -> None:
    """A PROD stage added with 404.html as its error document and ``FILES`` in dist/."""
    inv_project.env["HOSTING_APP_NAME"] = unique_name("dirs")
    inv_project.env["HOSTING_ERROR_DOCUMENT"] = "404.html"
    inv_project.env["HOSTING_RELEASES"] = "false"  # the in-place facts (releases: test_releases)
    for rel, text in FILES.items():
        inv_project.write(rel, text)
    inv_project.run("hosting.add", "--stage", "prod", "--yes")


def outputs_of(inv_project: Any) -> StackOutputs:
    settings = load_settings(Project.at(inv_project.root), "prod", inv_project.env)
    return stack_outputs(aws.client("cloudformation"), settings.stack_name)


def store_keys(outputs: StackOutputs) -> dict[str, str]:
    client = aws.client(KVS)
    items = client.list_keys(KvsARN=outputs.kvs_arn, MaxResults=50).get("Items", [])
    return {i["Key"]: i["Value"] for i in items}


def test_prod_directory_urls_answer_as_the_website_does(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    prod_site(inv_project, unique_name)
    first = inv_project.run("publish", "--stage", "prod").stdout
    assert "key value store: put 3 key(s), deleted 0" in first
    outputs = outputs_of(inv_project)
    assert outputs.kvs_arn.startswith("arn:aws:cloudfront::")
    assert set(store_keys(outputs)) == {"d:/docs", "d:/v1.2", "site"}
    url = emulator.preview_url(outputs.distribution_id)

    status, headers, _ = get(url, "/docs")
    assert (status, headers.get("location")) == (302, "/docs/")
    assert get(url, "/docs/")[0] == 200
    assert get(url, "/docs/style.css")[::2] == (200, b"body { margin: 0 }")
    assert get(url, "/LICENSE")[::2] == (200, b"MIT License")
    assert get(url, "/.well-known/x")[::2] == (200, b"well known")
    status, headers, _ = get(url, "/v1.2")
    assert (status, headers.get("location")) == (302, "/v1.2/")
    assert get(url, "/v1.2/")[::2] == (200, b"<!doctype html><title>v1.2</title>")
    assert get(url, "/nope")[::2] == (404, b"<!doctype html><title>not found</title>")
    assert get(url, "/docs?tab=api&q=a%20b")[1]["location"] == "/docs/?tab=api&q=a%20b"

    # an unchanged site: the listing says so, and the store is not asked at all
    emulator.reset_requests()
    again = inv_project.run("publish", "--stage", "prod").stdout
    assert emulator.requests(service=KVS) == []
    assert [r for r in emulator.requests(service="s3") if "routing" in str(r.get("key"))] == []
    assert "key value store" not in again

    # a folder gone: its key goes with it, and /docs is a 404 like any missing key
    shutil.rmtree(inv_project.root / "dist" / "docs")
    emulator.reset_requests()
    gone = inv_project.run("publish", "--stage", "prod", "--yes").stdout
    assert "key value store: put 0 key(s), deleted 1" in gone
    assert [r["operation"] for r in emulator.requests(service=KVS)] == [
        "ListKeys",
        "DescribeKeyValueStore",
        "UpdateKeys",
    ]
    assert set(store_keys(outputs)) == {"d:/v1.2", "site"}
    assert get(url, "/docs")[0] == 404


def test_a_dry_run_prints_the_store_s_changes_and_a_refusal_is_one_line(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    prod_site(inv_project, unique_name)
    planned = inv_project.run("publish", "--stage", "prod", "--dry-run").stdout
    assert "key value store: would write 3 key(s)" in planned  # no stack yet: no store
    inv_project.run("publish", "--stage", "prod")
    outputs = outputs_of(inv_project)
    before = store_keys(outputs)

    inv_project.write("dist/blog/index.html", "<!doctype html><title>blog</title>")
    dry = inv_project.run("publish", "--stage", "prod", "--dry-run").stdout
    assert "key value store: would put 1 key(s), would delete 0" in dry
    assert store_keys(outputs) == before

    emulator.inject_fault(
        400, service=KVS, operation="UpdateKeys", code="ValidationException", message="no"
    )
    failed = inv_project.run("publish", "--stage", "prod", check=False)
    assert failed.returncode != 0
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith("error: writing the site's folders to key value store arn:aws:")
    assert "UpdateKeys (ValidationException: no)" in line and "publish again" in line
    assert store_keys(outputs) == before  # nothing half-written; the files are published

    retried = inv_project.run("publish", "--stage", "prod").stdout
    assert "key value store: put 1 key(s), deleted 0" in retried
    assert "d:/blog" in store_keys(outputs)


def test_the_kvs_client_takes_a_loopback_endpoint_as_its_proxy(
    monkeypatch: Any, aws_env: dict[str, str]
) -> None:
    assert aws.loopback_proxies() == {"http": aws_env["AWS_ENDPOINT_URL"]}
    for endpoint in ("https://127.0.0.1:4566", "http://example.com:4566", ""):
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        assert aws.loopback_proxies() is None
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert aws.client(KVS).meta.config.proxies is None
    assert aws.client("s3").meta.config.proxies is None


def test_the_kvs_client_reaches_the_emulator(
    aws_env: dict[str, str], emulator: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("kvs")
    arn = aws.client("cloudfront").create_key_value_store(Name=name)["KeyValueStore"]["ARN"]
    client = aws.client(KVS)
    etag = client.describe_key_value_store(KvsARN=arn)["ETag"]
    client.update_keys(KvsARN=arn, IfMatch=etag, Puts=[{"Key": "site", "Value": "{}"}])
    assert client.get_key(KvsARN=arn, Key="site")["Value"] == "{}"


def test_without_awscrt_the_kvs_client_error_names_the_fix() -> None:
    from botocore.exceptions import MissingDependencyException

    with pytest.raises(AwsError, match=r"pip install awscrt"), aws.translate_errors():
        raise MissingDependencyException(msg="this operation requires awscrt")
