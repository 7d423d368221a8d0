"""The one table of the AWS calls the tool makes for a stage: each API operation (as botocore
and the emulator's request log name it), the IAM action it needs and the stage resource that
action is granted on; and what CloudFormation needs, with the caller's permissions, to update
each kind of resource the hosting stack holds.

The README's Permissions section and the policy of `inv hosting.ci-role` are generated from
these tables; tests/test_permissions_coverage.py checks them against a full flow's requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Scope(Enum):
    """The stage resource an action is granted on (its ARN comes from the stage's stack)."""

    STACK = "the stage's stacks"
    BUCKET = "the stage's bucket"
    OBJECTS = "the objects of the stage's bucket"
    STORE = "the stage's key value store"
    DISTRIBUTION = "the stage's distribution"
    FUNCTION = "the stage's function"
    CACHE_POLICY = "the stage's cache policy"
    ORIGIN_ACCESS = "the stage's origin access control"
    CERTIFICATE = "the custom domain's certificate"
    HOSTED_ZONE = "the custom domain's hosted zone"
    CHANGES = "Route 53 changes (`change/*`: AWS names no narrower resource)"
    ANY = "`*` (AWS allows no narrower resource)"


@dataclass(frozen=True)
class Call:
    """One API operation the tool calls: its service (botocore's name), the IAM action it
    needs, the resource the action is granted on and the tasks that make it."""

    service: str
    operation: str
    action: str
    scope: Scope
    tasks: str
    #: the stage resource whose presence makes the call happen (default: ``scope``'s own)
    when: Scope | None = None


@dataclass(frozen=True)
class Provisioning:
    """What CloudFormation needs (the caller's permissions: no service role) to read and
    update one kind of resource of the hosting stack."""

    resource_type: str
    actions: tuple[str, ...]
    scope: Scope
    when: Scope | None = None


_DEPLOY = "publish"
_PRUNE = "previews --delete/--prune"
_READ = "publish, status, releases, rollback, verify, unlock, previews, promote"
_RELEASES = "publish, releases, rollback, verify, status, previews, promote"
_WRITE = f"publish, rollback, unlock, promote, {_PRUNE}"
_MOVE = f"publish, rollback, promote, {_PRUNE}"

CALLS: tuple[Call, ...] = (
    Call("cloudformation", "DescribeStacks", "cloudformation:DescribeStacks", Scope.STACK, _READ),
    Call(
        "cloudformation",
        "GetTemplate",
        "cloudformation:GetTemplate",
        Scope.STACK,
        "publish, status",
    ),
    Call(
        "cloudformation",
        "DescribeStackEvents",
        "cloudformation:DescribeStackEvents",
        Scope.STACK,
        _DEPLOY,
    ),
    Call("cloudformation", "CreateStack", "cloudformation:CreateStack", Scope.STACK, _DEPLOY),
    Call(
        "cloudformation", "CreateChangeSet", "cloudformation:CreateChangeSet", Scope.STACK, _DEPLOY
    ),
    Call(
        "cloudformation",
        "DescribeChangeSet",
        "cloudformation:DescribeChangeSet",
        Scope.STACK,
        _DEPLOY,
    ),
    Call(
        "cloudformation",
        "ExecuteChangeSet",
        "cloudformation:ExecuteChangeSet",
        Scope.STACK,
        _DEPLOY,
    ),
    Call(
        "cloudformation", "DeleteChangeSet", "cloudformation:DeleteChangeSet", Scope.STACK, _DEPLOY
    ),
    Call(
        "cloudformation",
        "DeleteStack",
        "cloudformation:DeleteStack",
        Scope.STACK,
        "publish (a stack that never got created)",
    ),
    Call(
        "cloudformation",
        "UpdateTerminationProtection",
        "cloudformation:UpdateTerminationProtection",
        Scope.STACK,
        _DEPLOY,
    ),
    Call("s3", "ListObjectsV2", "s3:ListBucket", Scope.BUCKET, _READ),
    Call("s3", "GetBucketWebsite", "s3:GetBucketWebsite", Scope.BUCKET, "publish (no CloudFront)"),
    Call("s3", "PutBucketWebsite", "s3:PutBucketWebsite", Scope.BUCKET, "publish (no CloudFront)"),
    Call("s3", "GetObject", "s3:GetObject", Scope.OBJECTS, _READ),
    Call(
        "s3",
        "HeadObject",
        "s3:GetObject",
        Scope.OBJECTS,
        "publish, releases, rollback, verify, status, promote",
    ),
    Call("s3", "PutObject", "s3:PutObject", Scope.OBJECTS, _WRITE),
    Call("s3", "CopyObject", "s3:PutObject", Scope.OBJECTS, "publish, rollback, promote"),
    Call("s3", "CreateMultipartUpload", "s3:PutObject", Scope.OBJECTS, "publish (large files)"),
    Call("s3", "UploadPart", "s3:PutObject", Scope.OBJECTS, "publish (large files)"),
    Call("s3", "CompleteMultipartUpload", "s3:PutObject", Scope.OBJECTS, "publish (large files)"),
    Call(
        "s3",
        "AbortMultipartUpload",
        "s3:AbortMultipartUpload",
        Scope.OBJECTS,
        "publish (large files)",
    ),
    Call("s3", "DeleteObject", "s3:DeleteObject", Scope.OBJECTS, _WRITE),
    Call("s3", "DeleteObjects", "s3:DeleteObject", Scope.OBJECTS, f"publish, {_PRUNE}"),
    Call(
        "cloudfront-keyvaluestore",
        "DescribeKeyValueStore",
        "cloudfront-keyvaluestore:DescribeKeyValueStore",
        Scope.STORE,
        _WRITE,
    ),
    Call(
        "cloudfront-keyvaluestore",
        "ListKeys",
        "cloudfront-keyvaluestore:ListKeys",
        Scope.STORE,
        _RELEASES,
    ),
    Call(
        "cloudfront-keyvaluestore",
        "GetKey",
        "cloudfront-keyvaluestore:GetKey",
        Scope.STORE,
        _RELEASES,
    ),
    Call(
        "cloudfront-keyvaluestore",
        "UpdateKeys",
        "cloudfront-keyvaluestore:UpdateKeys",
        Scope.STORE,
        _MOVE,
    ),
    Call(
        "cloudfront",
        "CreateInvalidation",
        "cloudfront:CreateInvalidation",
        Scope.DISTRIBUTION,
        "publish -c (in place)",
    ),
    Call(
        "cloudfront",
        "GetInvalidation",
        "cloudfront:GetInvalidation",
        Scope.DISTRIBUTION,
        "publish -c --wait",
    ),
    Call(
        "acm",
        "DescribeCertificate",
        "acm:DescribeCertificate",
        Scope.CERTIFICATE,
        "publish, status (custom domain)",
    ),
    Call(
        "route53",
        "GetHostedZone",
        "route53:GetHostedZone",
        Scope.HOSTED_ZONE,
        "publish (custom domain)",
    ),
    Call(
        "route53",
        "ListHostedZonesByName",
        "route53:ListHostedZonesByName",
        Scope.ANY,
        "publish (custom domain)",
        Scope.HOSTED_ZONE,
    ),
)

PROVISIONING: tuple[Provisioning, ...] = (
    Provisioning(
        "AWS::S3::Bucket",
        (
            "s3:PutBucketWebsite",
            "s3:PutBucketVersioning",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketTagging",
        ),
        Scope.BUCKET,
    ),
    Provisioning(
        "AWS::S3::BucketPolicy", ("s3:GetBucketPolicy", "s3:PutBucketPolicy"), Scope.BUCKET
    ),
    Provisioning(
        "AWS::CloudFront::Distribution",
        (
            "cloudfront:GetDistribution",
            "cloudfront:GetDistributionConfig",
            "cloudfront:UpdateDistribution",
            "cloudfront:TagResource",
        ),
        Scope.DISTRIBUTION,
    ),
    Provisioning(
        "AWS::CloudFront::OriginAccessControl",
        ("cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl"),
        Scope.ORIGIN_ACCESS,
    ),
    Provisioning(
        "AWS::CloudFront::CachePolicy",
        ("cloudfront:GetCachePolicy", "cloudfront:UpdateCachePolicy"),
        Scope.CACHE_POLICY,
    ),
    Provisioning(
        "AWS::CloudFront::Function",
        ("cloudfront:DescribeFunction", "cloudfront:UpdateFunction", "cloudfront:PublishFunction"),
        Scope.FUNCTION,
    ),
    Provisioning(
        "AWS::CloudFront::KeyValueStore",
        ("cloudfront:DescribeKeyValueStore", "cloudfront:UpdateKeyValueStore"),
        Scope.STORE,
    ),
    Provisioning(
        "AWS::CertificateManager::Certificate", ("acm:DescribeCertificate",), Scope.CERTIFICATE
    ),
    Provisioning(
        "AWS::Route53::RecordSet",
        ("route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"),
        Scope.HOSTED_ZONE,
    ),
    Provisioning(
        "AWS::Route53::RecordSet", ("route53:GetChange",), Scope.CHANGES, Scope.HOSTED_ZONE
    ),
)

#: Table entries the coverage flow (tests/test_permissions_coverage.py) does not make, each
#: with the reason it is kept: operation (or resource type) -> why.
ALLOWANCES: dict[str, str] = {
    "GetBucketWebsite": "a DEV stage's `_redirects` as the S3 website's routing rules",
    "PutBucketWebsite": "a DEV stage's `_redirects` as the S3 website's routing rules",
    "AbortMultipartUpload": "a large file's upload that failed",
    "DeleteStack": "a stack whose creation failed (ROLLBACK_COMPLETE) is deleted before the deploy",
    "UpdateTerminationProtection": "HOSTING_TERMINATION_PROTECTION changed",
    "GetHostedZone": "HOSTING_HOSTED_ZONE_ID (the flow names its zone by HOSTING_HOSTED_ZONE)",
}
