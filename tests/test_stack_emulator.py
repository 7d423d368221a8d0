"""The stack core over real HTTP against the loopback emulator: create, a no-op update that
makes no change set, CloudFront toggled on and off, dry runs, status and remove.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings
from amplify_tasks.stack.deploy import deploy_stage
from amplify_tasks.stack.events import describe
from amplify_tasks.stack.remove import remove_stage
from amplify_tasks.stack.status import stage_status


def no_sleep(_seconds: float) -> None:
    """The emulator finishes every operation at once; a poll never needs to wait."""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


@pytest.fixture
def settings(unique_name: Callable[[str], str]) -> Settings:
    name = unique_name("site")
    return Settings(stage="dev", app_name="site", stack_name=name, bucket_name=f"{name}-bucket")


def pending_change_sets(stack_name: str) -> list[dict[str, Any]]:
    """Change sets of one stack not executed (the emulator keeps executed ones listed)."""
    cfn = boto3.client("cloudformation")
    return [
        c
        for c in cfn.list_change_sets(StackName=stack_name)["Summaries"]
        if c["StackName"] == stack_name and c.get("ExecutionStatus") != "EXECUTE_COMPLETE"
    ]


def run(project: Project, settings: Settings, **kwargs: Any) -> Any:
    lines: list[str] = []
    result = deploy_stage(project, settings, on_event=lines.append, sleep=no_sleep, **kwargs)
    return result, lines


def test_create_then_noop_update_makes_no_change_set(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    created, lines = run(project, settings)
    assert created.plan.action == "create" and created.changed
    assert created.outputs.bucket == settings.bucket_name
    assert created.outputs.website_url and created.outputs.site_url == created.outputs.website_url
    assert any("HostingBucket" in line and "CREATE_COMPLETE" in line for line in lines)
    assert project.template_path("dev").is_file()

    before = len(emulator.requests(operation="CreateChangeSet"))
    again, lines = run(project, settings)
    assert again.plan.action == "unchanged" and not again.changed
    assert again.outputs == created.outputs
    assert len(emulator.requests(operation="CreateChangeSet")) == before
    assert lines == [
        f"stack {settings.stack_name}: no changes",
        "  deployed template and parameters match",
    ]
    assert pending_change_sets(settings.stack_name) == []


def test_cloudfront_on_then_off_keeps_the_files(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    run(project, settings)
    s3 = boto3.client("s3")
    s3.put_object(Bucket=settings.bucket_name, Key="index.html", Body=b"<h1>hi</h1>")

    prod = dataclasses.replace(settings, cloudfront=True, termination_protection=False)
    on, lines = run(project, prod)
    assert on.plan.action == "update"
    assert any(c.resource_type == "AWS::CloudFront::Distribution" for c in on.plan.changes)
    assert any("Add" in line and "AWS::CloudFront::Distribution" in line for line in lines)
    dist_id = on.outputs.distribution_id
    cloudfront = boto3.client("cloudfront")
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id
    assert on.outputs.site_url.startswith("https://")

    off, _ = run(project, settings)
    assert off.plan.action == "update" and not off.outputs.distribution_id
    with pytest.raises(ClientError) as gone:
        cloudfront.get_distribution(Id=dist_id)
    assert gone.value.response["Error"]["Code"] == "NoSuchDistribution"
    body = s3.get_object(Bucket=settings.bucket_name, Key="index.html")["Body"].read()
    assert body == b"<h1>hi</h1>"


def test_dry_runs_change_nothing(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    cfn = boto3.client("cloudformation")
    first, lines = run(project, settings, dry_run=True)
    assert first.plan.action == "create" and first.outputs is None
    assert any("HostingBucket" in line and "AWS::S3::Bucket" in line for line in lines)
    assert describe(cfn, settings.stack_name) is None
    assert not project.template_path("dev").exists()

    run(project, settings)
    changed = dataclasses.replace(settings, index_document="home.html")
    planned, lines = run(project, changed, dry_run=True)
    assert planned.plan.action == "update" and not planned.changed
    assert any("Modify" in line and "HostingBucket" in line for line in lines)
    assert pending_change_sets(settings.stack_name) == []
    deployed = cfn.get_template(StackName=settings.stack_name)["TemplateBody"]
    assert (
        deployed["Resources"]["HostingBucket"]["Properties"]["WebsiteConfiguration"][
            "IndexDocument"
        ]
        == "index.html"
    )


def test_status_reports_outputs_drift_and_bucket_usage(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    assert not stage_status(project, settings).exists
    run(project, settings)
    s3 = boto3.client("s3")
    s3.put_object(Bucket=settings.bucket_name, Key="a.txt", Body=b"12345")
    s3.put_object(Bucket=settings.bucket_name, Key="b/c.txt", Body=b"123")

    report = stage_status(project, settings)
    assert (report.status, report.state) == ("CREATE_COMPLETE", "complete")
    assert (report.objects, report.bytes) == (2, 8)
    assert report.template_differs is False
    assert report.outputs["bucket"] == settings.bucket_name
    assert report.document()["site_url"] == report.site_url != ""

    drifted = stage_status(project, dataclasses.replace(settings, error_document="404.html"))
    assert drifted.template_differs is True
    assert any("differs from" in line for line in drifted.lines())


def test_remove_empties_a_versioned_bucket_and_deletes_the_stack(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    run(project, settings)
    project.env_file("dev").write_text("HOSTING_CLOUDFRONT=false\n")
    s3 = boto3.client("s3")
    bucket = settings.bucket_name
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two", b"three"):
        s3.put_object(Bucket=bucket, Key="index.html", Body=body)
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone.txt")  # leaves a delete marker

    asked: list[str] = []
    result = remove_stage(
        project,
        settings,
        confirm=lambda q: asked.append(q) or True,
        purge=False,
        on_event=lambda _l: None,
        sleep=no_sleep,
    )

    assert "[y/N]" in asked[0] and bucket in asked[0]
    assert result.removed and result.bucket == bucket and result.deleted_objects == 5
    assert describe(boto3.client("cloudformation"), settings.stack_name) is None
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert project.env_file("dev").is_file()


def test_remove_empties_a_prod_bucket_of_more_than_a_thousand_versions(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    """2,500 objects, 300 older versions and 200 delete markers in the versioned bucket of a
    PROD stack: every one goes, then the stack and the bucket."""
    prod = dataclasses.replace(settings, stage="prod", cloudfront=True, termination_protection=True)
    run(project, prod)
    project.env_file("prod").write_text("HOSTING_CLOUDFRONT=true\n")
    s3 = boto3.client("s3")
    bucket = prod.bucket_name
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    keys = [f"site/{n // 100:02d}/page-{n:04d}.html" for n in range(2500)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), keys))
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"v2"), keys[::8]))
        list(pool.map(lambda k: s3.delete_object(Bucket=bucket, Key=k), keys[1::12]))
    listed = s3.list_object_versions(Bucket=bucket)
    assert listed["IsTruncated"] and len(listed.get("DeleteMarkers", [])) > 0

    result = remove_stage(
        project, prod, confirm=lambda _q: True, purge=False, on_event=lambda _l: None
    )

    assert result.removed and result.deleted_objects == 2500 + 313 + 209
    assert describe(boto3.client("cloudformation"), prod.stack_name) is None
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_remove_of_a_cloudfront_stage_lifts_protection_and_purges(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    prod = dataclasses.replace(settings, stage="prod", cloudfront=True, termination_protection=True)
    result, _ = run(project, prod)
    cfn = boto3.client("cloudformation")
    assert describe(cfn, prod.stack_name)["EnableTerminationProtection"] is True
    project.env_file("prod").write_text("HOSTING_CLOUDFRONT=true\n")
    asked: list[str] = []

    removed = remove_stage(
        project,
        prod,
        confirm=lambda q: asked.append(q) or True,
        purge=True,
        on_event=lambda _l: None,
        sleep=no_sleep,
    )

    assert "type the stage name (prod)" in asked[0]
    assert removed.removed and describe(cfn, prod.stack_name) is None
    with pytest.raises(ClientError):
        boto3.client("cloudfront").get_distribution(Id=result.outputs.distribution_id)
    assert not project.env_file("prod").exists()
    assert not project.template_path("prod").exists()


def test_remove_asks_and_a_no_keeps_everything(
    emulator: control.Emulator, aws_env: dict[str, str], project: Project, settings: Settings
) -> None:
    run(project, settings)
    result = remove_stage(
        project, settings, confirm=lambda _q: False, purge=True, on_event=lambda _l: None
    )
    assert result.cancelled and not result.removed
    assert describe(boto3.client("cloudformation"), settings.stack_name) is not None
    assert project.template_path("dev").is_file()
