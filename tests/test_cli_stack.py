"""`inv hosting.status` and `inv hosting.remove` run as a user would, against the emulator:
the whole add / publish / publish again / status / remove sequence, and the one-line errors
for missing credentials, a missing region and an unknown profile.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings
from amplify_tasks.stack.deploy import deploy_stage
from amplify_tasks.stack.events import describe
from amplify_tasks.sync import RESERVED_PREFIX


def start_stage(inv_project: Any, stage: str) -> dict[str, Any]:
    """add + publish (no build) + publish again; the status JSON afterwards."""
    inv_project.write("dist/index.html", "<h1>hello</h1>\n")
    inv_project.run("hosting.add", "--stage", stage, "--yes")
    first = inv_project.run("publish", "--stage", stage, "--skip-build", "--yes")
    assert f"hosting-{stage}: create" in first.stdout
    assert "HostingBucket" in first.stdout and "CREATE_COMPLETE" in first.stdout
    status = inv_project.run("hosting.status", "--stage", stage, "--json")
    return dict(json.loads(status.stdout))


def test_cli_dev_publish_twice_status_and_remove(
    inv_project: Any, emulator: control.Emulator
) -> None:
    report = start_stage(inv_project, "dev")
    before = len(emulator.requests(operation="CreateChangeSet"))
    again = inv_project.run("publish", "--stage", "dev", "--skip-build", "--yes")
    assert "no changes" in again.stdout
    assert len(emulator.requests(operation="CreateChangeSet")) == before

    assert report["exists"] and report["status"] == "CREATE_COMPLETE"
    bucket = report["outputs"]["bucket"]
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert "index.html" in [o["Key"] for o in listed]
    site = [o for o in listed if not o["Key"].startswith(RESERVED_PREFIX)]
    assert (report["objects"], report["bytes"]) == (len(site), sum(o["Size"] for o in site))
    assert report["template_differs"] is False
    assert report["site_url"] == report["outputs"]["website_url"] != ""
    human = inv_project.run("hosting.status", "--stage", "dev").stdout
    assert "CREATE_COMPLETE [complete]" in human and "matches the deployed one" in human

    declined = inv_project.run("hosting.remove", "--stage", "dev", input="n\n")
    assert "Continue? [y/N]" in declined.stdout and "nothing was removed" in declined.stdout
    cfn = boto3.client("cloudformation")
    assert describe(cfn, report["stack_name"]) is not None

    removed = inv_project.run("hosting.remove", "--stage", "dev", input="y\n")
    assert f"emptied bucket {bucket}: {len(listed)} object versions" in removed.stdout
    assert describe(cfn, report["stack_name"]) is None
    assert bucket not in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    assert (inv_project.root / ".env.dev").is_file()
    gone = inv_project.run("hosting.status", "--stage", "dev", "--json")
    assert json.loads(gone.stdout)["exists"] is False


def test_cli_prod_remove_wants_the_stage_name(inv_project: Any) -> None:
    inv_project.run("hosting.add", "--stage", "prod", "--yes")
    inv_project.write("dist/index.html", "<!doctype html><title>prod</title>")
    published = inv_project.run("publish", "--stage", "prod", "--skip-build")
    assert re.search(r"uploaded +1\n", published.stdout)  # into the stage's first release
    assert re.search(r"release \S+ is live", published.stdout)
    report = json.loads(inv_project.run("hosting.status", "--stage", "prod", "--json").stdout)
    assert report["termination_protection"] is True and report["objects"] >= 1
    assert report["outputs"]["distribution_id"]
    assert report["outputs"]["secure_url"].startswith("https://")
    assert report["site_url"].startswith("http://127.0.0.1:")  # the distribution's preview

    wrong = inv_project.run("hosting.remove", "--stage", "prod", input="yes\n")
    assert "type the stage name (prod)" in wrong.stdout and "nothing was removed" in wrong.stdout
    closed = inv_project.run("hosting.remove", "--stage", "prod", check=False)
    assert closed.returncode != 0 and "--yes" in closed.stderr

    inv_project.run("hosting.remove", "--stage", "prod", "--yes", "--purge")
    cfn = boto3.client("cloudformation")
    assert describe(cfn, report["stack_name"]) is None
    buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    assert report["outputs"]["bucket"] not in buckets
    assert not (inv_project.root / ".env.prod").exists()


def test_cli_prod_status_agrees_with_itself_after_an_update(inv_project: Any) -> None:
    inv_project.env["HOSTING_REQUIRE_CLEAN_GIT"] = "false"
    inv_project.env["HOSTING_RELEASES"] = "false"  # in place: the bucket holds the one file
    inv_project.run("hosting.add", "--stage", "prod", "--yes")
    inv_project.write("dist/index.html", "<!doctype html><title>prod</title>" + "x" * 2000)
    inv_project.run("publish", "--stage", "prod", "--skip-build")
    first = json.loads(inv_project.run("hosting.status", "--stage", "prod", "--json").stdout)
    inv_project.run("hosting.configure", "--stage", "prod", "--min-ttl", "5")
    inv_project.run("publish", "--stage", "prod", "--skip-build")
    report = json.loads(inv_project.run("hosting.status", "--stage", "prod", "--json").stdout)

    assert report["status"] == "UPDATE_COMPLETE"
    assert report["last_updated"] > first["last_updated"]
    assert report["site_url"] == report["outputs"]["site_url"]
    assert report["site_url"].startswith("http://127.0.0.1:")  # the preview that works
    assert report["outputs"]["stack_site_url"] == report["outputs"]["secure_url"]
    assert report["outputs"]["stack_site_url"].startswith("https://")
    assert (report["objects"], report["bytes"]) == (1, 2034)  # the manifest is ours, not theirs
    text = inv_project.run("hosting.status", "--stage", "prod").stdout
    assert "bucket contents   1 object, 2.0 KB" in text
    assert f"site URL          {report['site_url']}" in text
    assert f"stack site URL    {report['outputs']['secure_url']}" in text
    assert f"last updated      {report['last_updated']}" in text
    inv_project.run("hosting.remove", "--stage", "prod", "--yes")


@pytest.mark.parametrize(
    ("drop", "extra", "fix"),
    [
        (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), {}, "AWS_PROFILE"),
        ((), {"AWS_PROFILE": "no-such-profile"}, "AWS_PROFILE"),
        (("AWS_REGION", "AWS_DEFAULT_REGION"), {}, "AWS_REGION"),
    ],
    ids=["no-credentials", "unknown-profile", "no-region"],
)
def test_cli_status_names_the_fix_for_credentials_and_region(
    inv_project: Any, drop: tuple[str, ...], extra: dict[str, str], fix: str
) -> None:
    inv_project.write(".env.dev", "HOSTING_CLOUDFRONT=false\n")
    for name in drop:
        inv_project.env.pop(name, None)
    inv_project.env.update(extra)
    result = inv_project.run("hosting.status", "--stage", "dev", check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fix in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_configure_toggles_cloudfront_and_the_files_stay(inv_project: Any) -> None:
    report = start_stage(inv_project, "dev")
    bucket = report["outputs"]["bucket"]
    project = Project.at(inv_project.root)

    def deploy_now() -> Any:
        return deploy_stage(project, load_settings(project, "dev"), on_event=lambda _l: None)

    inv_project.run("hosting.configure", "--stage", "dev", "--cloudfront")
    on = deploy_now()
    assert on.plan.action == "update" and on.outputs.distribution_id
    cloudfront = boto3.client("cloudfront")
    assert cloudfront.get_distribution(Id=on.outputs.distribution_id)["Distribution"]["Id"]

    inv_project.run("hosting.configure", "--stage", "dev", "--no-cloudfront")
    off = deploy_now()
    assert off.plan.action == "update" and not off.outputs.distribution_id
    assert off.outputs.bucket == bucket
    with pytest.raises(cloudfront.exceptions.NoSuchDistribution):
        cloudfront.get_distribution(Id=on.outputs.distribution_id)
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert "index.html" in keys
