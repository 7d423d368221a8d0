"""A bucket switched from PROD to DEV stops versioning, on the emulator: CloudFormation leaves
versioning as it was when ``VersioningConfiguration`` leaves the template (the emulator does
the same), so the DEV shape says Suspended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import boto3
from stacks import website_template
from test_local_cfn import create_stack, update_stack

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings
from amplify_tasks.stack.deploy import deploy_stage


def no_sleep(_seconds: float) -> None:
    """The emulator finishes every operation at once."""


def test_a_stage_switched_from_prod_to_dev_suspends_versioning(
    emulator: control.Emulator,
    aws_env: dict[str, str],
    tmp_path: Path,
    unique_name: Callable[[str], str],
) -> None:
    name = unique_name("ver")
    dev = Settings(stage="qa", app_name="site", stack_name=name, bucket_name=f"{name}-bucket")
    prod = dataclasses.replace(dev, cloudfront=True)
    project = Project.at(tmp_path)
    s3 = boto3.client("s3")

    deploy_stage(project, prod, on_event=lambda _line: None, sleep=no_sleep)
    assert s3.get_bucket_versioning(Bucket=dev.bucket_name)["Status"] == "Enabled"
    deploy_stage(project, dev, on_event=lambda _line: None, sleep=no_sleep)

    assert s3.get_bucket_versioning(Bucket=dev.bucket_name)["Status"] == "Suspended"
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=dev.bucket_name)["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_the_emulator_leaves_versioning_alone_when_the_property_goes(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    stack, bucket = unique_name(), unique_name()
    versioned = website_template(bucket)
    versioned["Resources"]["Site"]["Properties"]["VersioningConfiguration"] = {"Status": "Enabled"}
    create_stack(stack, versioned)
    update_stack(stack, website_template(bucket, error_document="e.html"))
    assert boto3.client("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
