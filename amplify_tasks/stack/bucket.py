"""The stack's bucket: which bucket the stack itself created, and emptying it of every
version and delete marker.
"""

from __future__ import annotations

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


def _first_versions(s3: S3Client, bucket: str) -> list[ObjectIdentifierTypeDef]:
    """{Key, VersionId} of the first DELETE_BATCH object versions and delete markers.

    Always the first page: a listing continued from a marker whose version was deleted in
    between may come back empty (the emulator's does) though versions remain.
    """
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=DELETE_BATCH)
    items = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
    return [{"Key": i["Key"], "VersionId": i.get("VersionId") or "null"} for i in items]


def _delete_versions(s3: S3Client, bucket: str, batch: list[ObjectIdentifierTypeDef]) -> None:
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    errors = answer.get("Errors", [])
    if errors:
        first = errors[0]
        raise StackError(
            f"could not delete {len(errors)} objects from bucket {bucket} "
            f"({first.get('Key')}: {first.get('Code')} {first.get('Message')}): "
            "fix their permissions or retention and run remove again"
        )


def empty_bucket(s3: S3Client, bucket: str) -> int:
    """Delete every object version and delete marker; the count. A bucket that does not
    exist counts 0.

    List the first page, delete it, list again from the start, until the listing is empty:
    correct whatever the listing does under deletion. A page that still shows a version
    deleted in the round before means the deletes do not take: StackError, not a loop.
    """
    from botocore.exceptions import ClientError

    deleted = 0
    previous: set[tuple[str, str]] = set()
    try:
        while page := _first_versions(s3, bucket):
            ids = {(i["Key"], i["VersionId"]) for i in page}
            if ids & previous:
                raise StackError(
                    f"bucket {bucket} still lists {len(ids & previous)} object versions after "
                    f"deleting them ({deleted} deleted so far): check the bucket's object lock "
                    "and your s3:DeleteObjectVersion permission, then run remove again"
                )
            for start in range(0, len(page), DELETE_BATCH):
                _delete_versions(s3, bucket, page[start : start + DELETE_BATCH])
            deleted += len(page)
            previous = ids
    except ClientError as exc:
        if events.error_code(exc) == "NoSuchBucket":
            return deleted
        raise
    return deleted
