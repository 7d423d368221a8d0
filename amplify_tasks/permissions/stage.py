"""A stage's resources as its policy names them, read from its deployed stack: the account
and region (the stack's id), the outputs, the HostedZoneId parameter and the physical ids of
the resources that have no output (the function, the cache policy, the origin access control).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amplify_tasks.errors import StackError
from amplify_tasks.stack import describe, outputs_of
from amplify_tasks.templates import companion_of

from .policy import StageResources

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

#: The resource types whose physical id the policy needs beyond the stack's outputs.
_PHYSICAL = {
    "AWS::CloudFront::Function": "function",
    "AWS::CloudFront::CachePolicy": "cache_policy",
    "AWS::CloudFront::OriginAccessControl": "origin_access",
}
#: The region of a custom domain's certificate stack.
CERTIFICATE_REGION = "us-east-1"


def stage_resources(cfn: CloudFormationClient, stack_name: str, stage: str = "") -> StageResources:
    """The resources of the deployed stack ``stack_name``; StackError when it does not exist."""
    stack = describe(cfn, stack_name)
    if stack is None:
        flag = f" --stage {stage}" if stage else ""
        raise StackError(
            f"stack {stack_name} does not exist: deploy it first with `inv publish{flag}`"
        )
    _arn, partition, _service, region, account, _rest = str(stack["StackId"]).split(":", 5)
    outputs = outputs_of(cfn, stack)
    physical: dict[str, str] = {}
    paginator = cfn.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack_name):
        for summary in page["StackResourceSummaries"]:
            kind = _PHYSICAL.get(summary["ResourceType"])
            if kind:
                physical[kind] = str(summary.get("PhysicalResourceId", ""))
    params = {
        str(p["ParameterKey"]): str(p.get("ParameterValue", ""))
        for p in stack.get("Parameters", [])
    }
    function = physical.get("function", "")
    if function and not function.startswith("arn:"):
        function = f"arn:{partition}:cloudfront::{account}:function/{function}"
    more: tuple[str, ...] = ()
    if params.get("CertificateArn"):
        companion = companion_of(stack_name)
        more = (
            f"arn:{partition}:cloudformation:{CERTIFICATE_REGION}:{account}:stack/{companion}/*",
        )
    return StageResources(
        account=account,
        region=region,
        stack_name=stack_name,
        bucket=outputs.bucket,
        partition=partition,
        kvs_arn=outputs.kvs_arn,
        distribution_id=outputs.distribution_id,
        function_arn=function,
        cache_policy_id=physical.get("cache_policy", ""),
        origin_access_id=physical.get("origin_access", ""),
        certificate_arn=outputs.certificate_arn,
        hosted_zone_id=params.get("HostedZoneId", ""),
        more_stacks=more,
    )
