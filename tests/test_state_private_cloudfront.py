"""Behind CloudFront the tool's state is not served: the viewer-request function answers 404
for the reserved prefix, over HTTP through the emulator's distribution preview, while pages
are served as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from test_state_private import get, outputs_of

from amplify_tasks.sync import MANIFEST_KEY


def test_the_distribution_answers_404_for_the_state_and_200_for_pages(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    app = unique_name("cfstate")
    inv_project.env["HOSTING_APP_NAME"] = app
    inv_project.env["HOSTING_TERMINATION_PROTECTION"] = "false"
    inv_project.env["HOSTING_RELEASES"] = "false"  # in place: the header record is the state
    inv_project.write("dist/index.html", "<!doctype html><title>home</title>")
    inv_project.write("dist/docs/index.html", "<!doctype html><title>docs</title>")
    inv_project.run("hosting.add", "--stage", "prod", "--yes")
    inv_project.run("publish", "--stage", "prod", "--yes")
    outputs = outputs_of(f"{app}-hosting-prod")
    distribution = outputs["CloudFrontDistributionID"]
    (url,) = [p["url"] for p in emulator.previews() if p["distribution_id"] == distribution]

    assert get(url, "/")[0] == 200
    assert get(url, "/docs/")[0] == 200
    bucket = outputs["HostingBucketName"]
    assert boto3.client("s3").get_object(Bucket=bucket, Key=MANIFEST_KEY)  # it is there
    for path in (f"/{MANIFEST_KEY}", "/%2Eamplify-tasks/manifest.json"):
        status, body = get(url, path)
        assert status == 404 and b"rules" not in body, path
