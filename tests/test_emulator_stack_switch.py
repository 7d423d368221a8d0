"""A stage's CloudFront switched on -> off -> on through stack updates on the emulator: the
second update removes the distribution, the third adds a new one; the emulator must keep
answering every call (it once kept the deleted distribution and failed every DescribeStacks).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from test_local_cfn import create_stack, hosting_template, update_stack
from test_local_previews import fetch, upload_site

from amplify_tasks.local import control

CLOUDFRONT_ONLY = ("Distribution", "Oac", "IndexFunction", "CachePolicy", "HeadersPolicy")


def without_cloudfront(template: dict[str, Any]) -> dict[str, Any]:
    """The DEV shape of ``template``: the bucket with a public-read policy, no CloudFront."""
    dev = copy.deepcopy(template)
    for logical_id in CLOUDFRONT_ONLY:
        del dev["Resources"][logical_id]
    statement = dev["Resources"]["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]
    statement["Principal"] = "*"
    dev["Outputs"] = {"BucketName": {"Value": {"Ref": "Bucket"}}}
    return dev


def test_cloudfront_on_off_on_keeps_the_emulator_answering(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    stack, bucket = unique_name(), unique_name()
    prod = hosting_template(bucket)
    first = create_stack(stack, prod)
    upload_site(bucket)
    assert update_stack(stack, without_cloudfront(prod)) == {"BucketName": bucket}
    cloudfront = boto3.client("cloudfront")
    with pytest.raises(ClientError, match="NoSuchDistribution"):
        cloudfront.get_distribution(Id=first["DistributionId"])

    second = update_stack(stack, prod)

    assert second["DistributionId"] != first["DistributionId"]
    dist = cloudfront.get_distribution(Id=second["DistributionId"])["Distribution"]
    assert dist["DomainName"] == second["DomainName"]
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    listed = {p["distribution_id"] for p in emulator.previews() if p["kind"] == "distribution"}
    assert second["DistributionId"] in listed
    assert first["DistributionId"] not in listed
    status, _, body = fetch(emulator.preview_url(second["DistributionId"]), "/docs/")
    assert (status, body) == (200, b"<h1>docs</h1>")
    # and the stack can go on changing
    again = update_stack(stack, json.loads(json.dumps(without_cloudfront(prod))))
    assert again == {"BucketName": bucket}
