"""The tool's state under the reserved prefix is private on the DEV website: the bucket policy
denies it to anyone outside the stack's account, the website preview answers 403 for it and
200 for pages, and publish itself still reads and writes it.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_tasks.sync import MANIFEST_KEY


def get(url: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def outputs_of(stack_name: str) -> dict[str, str]:
    (stack,) = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_the_website_answers_403_for_the_state_and_200_for_pages(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    app = unique_name("state")
    inv_project.env["HOSTING_APP_NAME"] = app
    inv_project.write("dist/index.html", "<!doctype html><title>home</title>")
    inv_project.write("dist/about/index.html", "<!doctype html><title>about</title>")
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    inv_project.run("publish", "--stage", "dev", "--yes")
    outputs = outputs_of(f"{app}-hosting-dev")
    url, bucket = outputs["WebsiteURL"], outputs["HostingBucketName"]

    status, body = get(url, f"/{MANIFEST_KEY}")
    assert status == 403 and b"rules" not in body
    assert get(url, "/")[0] == 200
    assert get(url, "/about/")[0] == 200

    anonymous = boto3.client("s3", config=Config(signature_version=UNSIGNED))
    with pytest.raises(ClientError) as denied:
        anonymous.get_object(Bucket=bucket, Key=MANIFEST_KEY)
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert anonymous.get_object(Bucket=bucket, Key="index.html")["Body"].read()

    # the account's own credentials still read it, and publish still works over it
    assert b"rules" in boto3.client("s3").get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    inv_project.write("dist/new.html", "<!doctype html><title>new</title>")
    again = inv_project.run("publish", "--stage", "dev", "--yes")
    assert "uploaded       1" in again.stdout
    assert get(url, "/new.html")[0] == 200
