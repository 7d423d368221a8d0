"""Distribution stacks of the tests' own (plain CloudFormation templates, created with boto3)
and HTTP helpers for their loopback previews.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from amplify_tasks.local import control


@contextmanager
def emulator_environment(emulator: control.Emulator) -> Iterator[None]:
    """boto3 in this process pointed at the emulator with dummy keys, while the block runs
    (for module-wide stacks, which the function-scoped ``aws_env`` fixture cannot serve)."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ENDPOINT_URL": emulator.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        yield


SOURCE_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
}


def _policy(list_bucket: bool) -> dict[str, Any]:
    condition = {"StringEquals": {"AWS:SourceArn": SOURCE_ARN}}
    principal = {"Service": "cloudfront.amazonaws.com"}
    statements = [
        {
            "Sid": "AllowCloudFrontRead",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${Bucket.Arn}/*"},
            "Condition": condition,
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${Bucket.Arn}/*"}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]
    if list_bucket:
        statements.append(
            {
                "Sid": "AllowCloudFrontList",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:ListBucket",
                "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]},
                "Condition": condition,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def edge_template(
    bucket: str,
    *,
    functions: Mapping[str, str] | None = None,
    kvs: bool = False,
    list_bucket: bool = False,
    error_responses: list[dict[str, Any]] | None = None,
    headers_policy: str | dict[str, Any] | None = None,
    root_object: str = "index.html",
) -> dict[str, Any]:
    """A private bucket behind OAC with a distribution; ``functions`` maps an event type
    (viewer-request, viewer-response) to its code; ``kvs`` adds a store both functions
    read; ``headers_policy`` is a policy id or a ResponseHeadersPolicyConfig."""
    resources: dict[str, Any] = {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": bucket,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            },
        },
        "Oac": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": f"{bucket}-oac",
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": _policy(list_bucket)},
        },
    }
    outputs: dict[str, Any] = {"DistributionId": {"Value": {"Ref": "Distribution"}}}
    function_config: dict[str, Any] = {"Comment": "test", "Runtime": "cloudfront-js-2.0"}
    if kvs:
        resources["Store"] = {
            "Type": "AWS::CloudFront::KeyValueStore",
            "Properties": {"Name": f"{bucket}-kvs", "Comment": "test store"},
        }
        function_config["KeyValueStoreAssociations"] = [
            {"KeyValueStoreARN": {"Fn::GetAtt": ["Store", "Arn"]}}
        ]
        outputs["StoreArn"] = {"Value": {"Fn::GetAtt": ["Store", "Arn"]}}
    associations = []
    for number, (event_type, code) in enumerate((functions or {}).items()):
        logical_id = f"Function{number}"
        resources[logical_id] = {
            "Type": "AWS::CloudFront::Function",
            "Properties": {
                "Name": f"{bucket}-{event_type}",
                "AutoPublish": True,
                "FunctionConfig": function_config,
                "FunctionCode": code,
            },
        }
        associations.append(
            {"EventType": event_type, "FunctionARN": {"Fn::GetAtt": [logical_id, "FunctionARN"]}}
        )
    behavior: dict[str, Any] = {
        "TargetOriginId": "s3",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "FunctionAssociations": associations,
    }
    if isinstance(headers_policy, dict):
        resources["HeadersPolicy"] = {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {"ResponseHeadersPolicyConfig": headers_policy},
        }
        behavior["ResponseHeadersPolicyId"] = {"Ref": "HeadersPolicy"}
    elif headers_policy:
        behavior["ResponseHeadersPolicyId"] = headers_policy
    config: dict[str, Any] = {
        "Enabled": True,
        "DefaultRootObject": root_object,
        "Origins": [
            {
                "Id": "s3",
                "DomainName": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
            }
        ],
        "DefaultCacheBehavior": behavior,
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
    }
    if error_responses:
        config["CustomErrorResponses"] = error_responses
    resources["Distribution"] = {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {"DistributionConfig": config},
    }
    return {"Resources": resources, "Outputs": outputs}


def deploy(emulator: control.Emulator, name: str, template: dict[str, Any]) -> dict[str, str]:
    """Create the stack with a plain boto3 create_stack; its outputs plus the preview URL."""
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    outputs["url"] = emulator.preview_url(outputs["DistributionId"])
    return outputs


def put(bucket: str, key: str, body: bytes, content_type: str = "text/html") -> None:
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def kvs_client(emulator: control.Emulator) -> Any:
    """A cloudfront-keyvaluestore client that reaches the emulator: its endpoint resolves to
    ACCOUNT.127.0.0.1, so the emulator is its HTTP proxy as well."""
    proxies = control.loopback_proxies(emulator.endpoint)
    assert proxies == {"http": emulator.endpoint}
    return boto3.client("cloudfront-keyvaluestore", config=Config(proxies=proxies))


def get(
    url: str, path: str, method: str = "GET", headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects: (status, headers by lower-case name, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()
