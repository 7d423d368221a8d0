"""Our CloudFormation models in the emulator, over real HTTP: a stack with every hosting
resource type read back through the S3 and CloudFront APIs, updates, deletes and protection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amplify_tasks.local import control

INDEX_FUNCTION = """function handler(event) {
  var request = event.request;
  if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
  else if (!request.uri.includes('.')) { request.uri += '/index.html'; }
  return request;
}"""


def hosting_template(bucket: str, *, error_page: str = "404.html", extra_tag: str = "a") -> dict:
    """A PROD-like stack: website bucket, policy, OAC, function, policies, distribution."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "hosting test stack",
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": bucket,
                    "WebsiteConfiguration": {
                        "IndexDocument": "index.html",
                        "ErrorDocument": error_page,
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "IgnorePublicAcls": True,
                        "BlockPublicPolicy": True,
                        "RestrictPublicBuckets": True,
                    },
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {
                                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                "BucketKeyEnabled": True,
                            }
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "Id": "expire-replaced-versions",
                                "Status": "Enabled",
                                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                            }
                        ]
                    },
                    "Tags": [{"Key": "stage", "Value": extra_tag}],
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
            "IndexFunction": {
                "Type": "AWS::CloudFront::Function",
                "Properties": {
                    "Name": f"{bucket}-index",
                    "AutoPublish": True,
                    "FunctionCode": INDEX_FUNCTION,
                    "FunctionConfig": {"Comment": "dir index", "Runtime": "cloudfront-js-2.0"},
                },
            },
            "CachePolicy": {
                "Type": "AWS::CloudFront::CachePolicy",
                "Properties": {
                    "CachePolicyConfig": {
                        "Name": f"{bucket}-cache",
                        "MinTTL": 60,
                        "DefaultTTL": 86400,
                        "MaxTTL": 31536000,
                        "ParametersInCacheKeyAndForwardedToOrigin": {
                            "EnableAcceptEncodingGzip": True,
                            "EnableAcceptEncodingBrotli": True,
                            "CookiesConfig": {"CookieBehavior": "none"},
                            "HeadersConfig": {"HeaderBehavior": "none"},
                            "QueryStringsConfig": {"QueryStringBehavior": "none"},
                        },
                    }
                },
            },
            "HeadersPolicy": {
                "Type": "AWS::CloudFront::ResponseHeadersPolicy",
                "Properties": {
                    "ResponseHeadersPolicyConfig": {
                        "Name": f"{bucket}-headers",
                        "SecurityHeadersConfig": {
                            "ContentTypeOptions": {"Override": True},
                        },
                    }
                },
            },
            "Distribution": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {
                    "DistributionConfig": {
                        "Enabled": True,
                        "Comment": "test",
                        "DefaultRootObject": "index.html",
                        "HttpVersion": "http2and3",
                        "IPV6Enabled": True,
                        "PriceClass": "PriceClass_100",
                        "Origins": [
                            {
                                "Id": "s3",
                                "DomainName": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
                                "S3OriginConfig": {"OriginAccessIdentity": ""},
                                "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]},
                            }
                        ],
                        "DefaultCacheBehavior": {
                            "TargetOriginId": "s3",
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "Compress": True,
                            "CachePolicyId": {"Ref": "CachePolicy"},
                            "ResponseHeadersPolicyId": {"Ref": "HeadersPolicy"},
                            "FunctionAssociations": [
                                {
                                    "EventType": "viewer-request",
                                    "FunctionARN": {"Fn::GetAtt": ["IndexFunction", "FunctionARN"]},
                                }
                            ],
                        },
                        "CustomErrorResponses": [
                            {
                                "ErrorCode": 403,
                                "ResponseCode": 404,
                                "ResponsePagePath": f"/{error_page}",
                                "ErrorCachingMinTTL": 10,
                            }
                        ],
                        "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
                    }
                },
            },
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Bucket"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "AllowCloudFront",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Action": "s3:GetObject",
                                "Resource": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"},
                            }
                        ],
                    },
                },
            },
        },
        "Outputs": {
            "BucketName": {"Value": {"Ref": "Bucket"}},
            "WebsiteURL": {"Value": {"Fn::GetAtt": ["Bucket", "WebsiteURL"]}},
            "DistributionId": {"Value": {"Ref": "Distribution"}},
            "DomainName": {"Value": {"Fn::GetAtt": ["Distribution", "DomainName"]}},
            "OacId": {"Value": {"Ref": "Oac"}},
        },
    }


def create_stack(name: str, template: dict, **kwargs: Any) -> dict[str, str]:
    """Create a stack and return its outputs."""
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), **kwargs)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def update_stack(name: str, template: dict) -> dict[str, str]:
    cfn = boto3.client("cloudformation")
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture
def names(unique_name: Callable[[], str]) -> tuple[str, str]:
    return unique_name(), unique_name()


def test_every_resource_type_is_readable_through_the_apis(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    outputs = create_stack(stack, hosting_template(bucket))
    s3 = boto3.client("s3")
    assert outputs["BucketName"] == bucket
    website = s3.get_bucket_website(Bucket=bucket)
    assert website["IndexDocument"] == {"Suffix": "index.html"}
    assert website["ErrorDocument"] == {"Key": "404.html"}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert rules[0]["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert lifecycle["ID"] == "expire-replaced-versions"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "stage", "Value": "a"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{bucket}/*"

    cf = boto3.client("cloudfront")
    dist = cf.get_distribution(Id=outputs["DistributionId"])["Distribution"]
    assert dist["DomainName"] == outputs["DomainName"]
    assert dist["DomainName"].endswith(".cloudfront.net")
    config = dist["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert (config["HttpVersion"], config["IsIPV6Enabled"], config["PriceClass"]) == (
        "http2and3",
        True,
        "PriceClass_100",
    )
    origin = config["Origins"]["Items"][0]
    assert origin["DomainName"] == f"{bucket}.s3.us-east-1.amazonaws.com"
    assert origin["OriginAccessControlId"] == outputs["OacId"]
    behavior = config["DefaultCacheBehavior"]
    function_arn = behavior["FunctionAssociations"]["Items"][0]["FunctionARN"]
    assert function_arn.endswith(f":function/{bucket}-index")
    cache_policies = emulator.resources("AWS::CloudFront::CachePolicy")
    assert behavior["CachePolicyId"] in [p["Id"] for p in cache_policies]
    header_policies = emulator.resources("AWS::CloudFront::ResponseHeadersPolicy")
    assert behavior["ResponseHeadersPolicyId"] in [p["Id"] for p in header_policies]
    errors = config["CustomErrorResponses"]["Items"]
    assert errors == [
        {
            "ErrorCode": 403,
            "ResponsePagePath": "/404.html",
            "ResponseCode": "404",
            "ErrorCachingMinTTL": 10,
        }
    ]
    oac = cf.get_origin_access_control(Id=outputs["OacId"])["OriginAccessControl"]
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    function = cf.describe_function(Name=f"{bucket}-index")["FunctionSummary"]
    assert function["FunctionMetadata"]["Stage"] == "LIVE"
    ids = [d["Id"] for d in cf.list_distributions()["DistributionList"]["Items"]]
    assert outputs["DistributionId"] in ids


def test_update_changes_properties_and_removes_dropped_resources(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    outputs = create_stack(stack, hosting_template(bucket))
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>kept</h1>")
    template = hosting_template(bucket, error_page="error.html", extra_tag="b")
    for logical_id in ("Distribution", "Policy", "CachePolicy"):
        del template["Resources"][logical_id]
    template["Outputs"] = {"BucketName": {"Value": {"Ref": "Bucket"}}}
    new_outputs = update_stack(stack, template)
    assert new_outputs == {"BucketName": bucket}
    assert s3.get_bucket_website(Bucket=bucket)["ErrorDocument"] == {"Key": "error.html"}
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "stage", "Value": "b"}]
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"<h1>kept</h1>"
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError, match="NoSuchDistribution"):
        boto3.client("cloudfront").get_distribution(Id=outputs["DistributionId"])
    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)
    logical = sorted(r["LogicalResourceId"] for r in resources["StackResources"])
    assert logical == ["Bucket", "HeadersPolicy", "IndexFunction", "Oac"]


def test_change_set_update_reaches_the_models(
    aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    cfn = boto3.client("cloudformation")
    template = hosting_template(bucket)
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
    )
    described = cfn.describe_change_set(StackName=stack, ChangeSetName="create")
    assert described["Status"] == "CREATE_COMPLETE"
    cfn.execute_change_set(StackName=stack, ChangeSetName="create")
    first = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert first["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"] for o in first["Outputs"]} >= {"BucketName", "DistributionId"}

    changed = hosting_template(bucket, extra_tag="via-change-set")
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="update",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(changed),
    )
    changes = cfn.describe_change_set(StackName=stack, ChangeSetName="update")["Changes"]
    assert [c["ResourceChange"]["LogicalResourceId"] for c in changes] == ["Bucket"]
    cfn.execute_change_set(StackName=stack, ChangeSetName="update")
    tags = boto3.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert tags == [{"Key": "stage", "Value": "via-change-set"}]
    assert json.loads(json.dumps(cfn.get_template(StackName=stack)["TemplateBody"])) == changed
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    assert any(
        e["LogicalResourceId"] == "Bucket" and e["ResourceStatus"] == "UPDATE_COMPLETE"
        for e in events
    )


def test_delete_removes_every_resource(aws_env: dict[str, str], names: tuple[str, str]) -> None:
    stack, bucket = names
    outputs = create_stack(stack, hosting_template(bucket))
    cfn = boto3.client("cloudformation")
    cfn.delete_stack(StackName=stack)
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=stack)
    with pytest.raises(ClientError, match="Not Found"):
        boto3.client("s3").head_bucket(Bucket=bucket)
    with pytest.raises(ClientError, match="NoSuchDistribution"):
        boto3.client("cloudfront").get_distribution(Id=outputs["DistributionId"])


def test_delete_of_a_non_empty_bucket_fails_and_keeps_it(
    aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    create_stack(stack, hosting_template(bucket))
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="index.html")  # versioned: a delete marker remains
    cfn = boto3.client("cloudformation")
    cfn.delete_stack(StackName=stack)
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "DELETE_FAILED"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    bucket_event = next(e for e in failed if e["LogicalResourceId"] == "Bucket")
    assert "The bucket you tried to delete is not empty" in bucket_event["ResourceStatusReason"]
    s3.head_bucket(Bucket=bucket)
    for version in s3.list_object_versions(Bucket=bucket).get(
        "Versions", []
    ) + s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    cfn.delete_stack(StackName=stack)
    with pytest.raises(ClientError, match="Not Found"):
        s3.head_bucket(Bucket=bucket)


def test_termination_protection_blocks_delete(
    aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    create_stack(stack, hosting_template(bucket), EnableTerminationProtection=True)
    cfn = boto3.client("cloudformation")
    with pytest.raises(ClientError) as err:
        cfn.delete_stack(StackName=stack)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert err.value.response["Error"]["Message"] == (
        f"Stack [{stack}] cannot be deleted while TerminationProtection is enabled"
    )
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["EnableTerminationProtection"] is True
    cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=False)
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["EnableTerminationProtection"] is False
    cfn.delete_stack(StackName=stack)
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=stack)


def test_bucket_policy_sees_loopback_requests_as_secure_transport(
    aws_env: dict[str, str], unique_name: Callable[..., str]
) -> None:
    # A policy denying insecure transport (as our PROD template has) must not lock us out of
    # the emulator, which stands for AWS's HTTPS endpoints; a plain Deny still bites.
    s3 = boto3.client("s3")
    bucket = unique_name("tls")
    s3.create_bucket(Bucket=bucket)
    arn = f"arn:aws:s3:::{bucket}"
    statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<p>ok</p>")
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"<p>ok</p>"

    deny_puts = {**statement, "Sid": "DenyPuts", "Action": "s3:PutObject"}
    deny_puts.pop("Condition")
    policy["Statement"] = [statement, deny_puts]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="blocked.txt", Body=b"x")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_statement_for_a_service_principal_does_not_apply_to_the_account_s_requests(
    aws_env: dict[str, str], unique_name: Callable[..., str]
) -> None:
    # S3 matches a statement's Principal: a Deny for cloudfront.amazonaws.com (as PROD's
    # policy has for the tool's state) binds the distribution, not the account's own calls
    s3 = boto3.client("s3")
    bucket = unique_name("svc")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="state/x.json", Body=b"{}")
    deny = {
        "Sid": "DenyService",
        "Effect": "Deny",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/state/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [deny]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert s3.get_object(Bucket=bucket, Key="state/x.json")["Body"].read() == b"{}"

    policy["Statement"] = [{**deny, "Principal": "*"}]  # the same Deny for everyone bites
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    with pytest.raises(ClientError) as denied:
        s3.get_object(Bucket=bucket, Key="state/x.json")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
