"""A renamed bucket is not a silent orphan: the emulator's change sets say Replacement as
CloudFormation does, the deploy plan says what stays in the old bucket, and `inv publish`
refuses the replacement without --allow-replace.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from amplify_tasks import aws
from amplify_tasks.sync import LOCK_KEY

SITE = {
    "dist/index.html": "<!doctype html><title>home</title>",
    "dist/css/site.css": "body { margin: 0 }",
    "dist/js/app.js": "console.log(1)",
}


def _template(bucket: str, tag: str = "a") -> str:
    return json.dumps(
        {
            "Resources": {
                "HostingBucket": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {"BucketName": bucket, "Tags": [{"Key": "t", "Value": tag}]},
                },
                "Other": {"Type": "AWS::S3::Bucket", "Properties": {}},
                "Policy": {
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {
                        "Bucket": {"Ref": "HostingBucket"},
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": "*",
                                    "Action": "s3:GetObject",
                                    "Resource": f"arn:aws:s3:::{bucket}/{tag}/*",
                                }
                            ],
                        },
                    },
                },
            }
        }
    )


def _changes(cfn: Any, stack: str, template: str) -> dict[str, dict[str, Any]]:
    made = cfn.create_change_set(
        StackName=stack,
        ChangeSetName=f"c{time.time_ns()}",
        TemplateBody=template,
        ChangeSetType="UPDATE",
    )
    desc = cfn.describe_change_set(ChangeSetName=made["Id"])
    cfn.delete_change_set(ChangeSetName=made["Id"])
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in desc["Changes"]}


def test_emulator_change_sets_say_whether_a_bucket_is_replaced(
    aws_env: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    cfn = aws.client("cloudformation")
    stack, old, new = unique_name("cs"), unique_name("old"), unique_name("new")
    cfn.create_stack(StackName=stack, TemplateBody=_template(old))
    try:
        renamed = _changes(cfn, stack, _template(new))
        assert renamed["HostingBucket"]["Action"] == "Modify"
        assert renamed["HostingBucket"]["Replacement"] == "True"
        assert renamed["HostingBucket"]["Scope"] == ["Properties"]
        retagged = _changes(cfn, stack, _template(old, tag="b"))
        assert retagged["HostingBucket"]["Replacement"] == "False"
        assert "Replacement" not in retagged["Policy"]  # a type the emulator does not judge
        unnamed = json.loads(_template(old))
        del unnamed["Resources"]["HostingBucket"]["Properties"]["BucketName"]
        dropped = _changes(cfn, stack, json.dumps(unnamed))
        assert dropped["HostingBucket"]["Replacement"] == "True"
        ref = json.loads(_template(old))
        ref["Resources"]["HostingBucket"]["Properties"]["BucketName"] = {"Ref": "AWS::StackName"}
        assert _changes(cfn, stack, json.dumps(ref))["HostingBucket"]["Replacement"] == (
            "Conditional"
        )
    finally:
        cfn.delete_stack(StackName=stack)


def test_count_objects_stops_at_one_request(
    emulator: Any, aws_env: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    from amplify_tasks.stack.bucket import count_objects

    s3 = aws.client("s3")
    bucket = unique_name("count")
    s3.create_bucket(Bucket=bucket)
    assert count_objects(s3, bucket) == "0"
    for n in range(4):
        s3.put_object(Bucket=bucket, Key=f"k{n}", Body=b"")
    assert count_objects(s3, bucket) == "4"
    emulator.reset_requests()
    assert count_objects(s3, bucket, limit=3) == "3+"  # "1000+" with the default limit
    assert len(emulator.requests(service="s3", operation="ListObjectsV2")) == 1
    s3.delete_object(Bucket=bucket, Key="k0")
    assert count_objects(s3, bucket, limit=3) == "3"
    assert count_objects(s3, unique_name("missing")) == "0"


@pytest.fixture
def stage(inv_project: Any, unique_name: Callable[[str], str]) -> Any:
    return inv_project.add_stage("dev", unique_name("ren"), SITE)


def _keys(bucket: str) -> set[str]:
    resp = aws.client("s3").list_objects_v2(Bucket=bucket)
    return {o["Key"] for o in resp.get("Contents", [])}


def _stack_bucket(project: Any) -> str:
    from amplify_tasks.project import Project
    from amplify_tasks.settings.files import load_settings
    from amplify_tasks.stack.bucket import owned_bucket

    settings = load_settings(Project.at(project.root), "dev", project.env)
    return owned_bucket(aws.client("cloudformation"), settings.stack_name)


def test_renamed_bucket_is_refused_without_allow_replace(
    stage: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    old, new = unique_name("site-old"), unique_name("site-new")
    stage.env["HOSTING_BUCKET_NAME"] = old
    stage.run("publish", "--stage", "dev")
    objects = len(_keys(old))  # the three files and the tool's manifest
    assert objects == 4

    stage.env["HOSTING_BUCKET_NAME"] = new
    dry = stage.run("publish", "--stage", "dev", "--dry-run").stdout
    assert f"replaces HostingBucket (its {objects} objects stay in the old bucket {old})" in dry
    assert re.search(r"to upload\s+3\b", dry)  # planned against the new, empty bucket

    emulator.reset_requests()
    refused = stage.run("publish", "--stage", "dev", check=False)
    assert refused.returncode != 0
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), refused.stderr
    assert "Traceback" not in refused.stderr
    assert old in lines[0] and f"its {objects} objects" in lines[0]
    assert "--allow-replace" in lines[0]
    assert emulator.requests(operation="ExecuteChangeSet") == []
    writes = [r for r in emulator.requests(service="s3") if r["method"] in {"PUT", "POST"}]
    # nothing of the site is written; only the stage lock, given back with the refusal
    assert [r["key"] for r in writes] in ([], [LOCK_KEY])
    assert LOCK_KEY not in _keys(old)
    assert _stack_bucket(stage) == old and _keys(old) and not _bucket_exists(new)

    out = stage.run("publish", "--stage", "dev", "--allow-replace").stdout
    assert f"replaces HostingBucket (its {objects} objects stay" in out
    assert _stack_bucket(stage) == new
    assert {"index.html", "css/site.css", "js/app.js"} <= _keys(new)
    assert len(_keys(old)) == objects  # left behind, as on AWS, and the summary says so
    assert f"aws s3 rb s3://{old} --force" in out


def _bucket_exists(name: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        aws.client("s3").head_bucket(Bucket=name)
    except ClientError:
        return False
    return True


def test_unchanged_bucket_name_publishes_without_the_flag(stage: Any) -> None:
    stage.run("publish", "--stage", "dev")
    stage.write("dist/css/site.css", "body { margin: 2px }")
    stage.env["HOSTING_CLOUDFRONT"] = "true"  # the stack changes, the bucket stays
    out = stage.run("publish", "--stage", "dev").stdout
    assert "replaces HostingBucket" not in out
