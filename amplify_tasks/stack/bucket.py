"""The stack's bucket: which bucket the stack itself created, and emptying it of every
version and delete marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from amplify_tasks.errors import StackError

from . import events
from .plan import BUCKET_ID

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

#: DeleteObjects takes at most this many keys per call.
DELETE_BATCH = 1000


def owned_bucket(cfn: CloudFormationClient, stack_id: str) -> str:
    """The physical name of the stack's HostingBucket, '' when the stack has none."""
    from botocore.exceptions import ClientError

    try:
        detail = cfn.describe_stack_resource(StackName=stack_id, LogicalResourceId=BUCKET_ID)
    except ClientError as exc:
        if events.error_code(exc) == "ValidationError":
            return ""
        raise
    resource = detail.get("StackResourceDetail", {})
    if str(resource.get("ResourceStatus", "")).startswith("DELETE_COMPLETE"):
        return ""
    return str(resource.get("PhysicalResourceId") or "")


def _versions(s3: S3Client, bucket: str) -> Iterator[list[ObjectIdentifierTypeDef]]:
    """Pages of {Key, VersionId} for every object version and delete marker."""
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        items = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        yield [{"Key": i["Key"], "VersionId": i.get("VersionId") or "null"} for i in items]


def empty_bucket(s3: S3Client, bucket: str) -> int:
    """Delete every object version and delete marker, DELETE_BATCH at a time; the count.
    A bucket that does not exist counts 0."""
    from botocore.exceptions import ClientError

    deleted = 0
    try:
        for page in _versions(s3, bucket):
            for start in range(0, len(page), DELETE_BATCH):
                batch = page[start : start + DELETE_BATCH]
                answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
                errors = answer.get("Errors", [])
                if errors:
                    first = errors[0]
                    raise StackError(
                        f"could not delete {len(errors)} objects from bucket {bucket} "
                        f"({first.get('Key')}: {first.get('Code')} {first.get('Message')}): "
                        "fix their permissions or retention and run remove again"
                    )
                deleted += len(batch)
    except ClientError as exc:
        if events.error_code(exc) == "NoSuchBucket":
            return deleted
        raise
    return deleted
