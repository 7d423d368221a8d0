"""The stack's bucket: which bucket the stack itself created, what a change that replaces
it leaves behind, and emptying it of every version and delete marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import StackError

from . import events

#: The logical id of the hosting bucket in every template shape.
BUCKET_ID = "HostingBucket"

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

#: DeleteObjects takes at most this many keys per call.
DELETE_BATCH = 1000

#: The most objects a replacement counts (one ListObjectsV2 request); more show as "1000+".
COUNT_LIMIT = 1000


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


@dataclass(frozen=True)
class BucketReplacement:
    """A deploy that replaces the stack's bucket: CloudFormation creates a new one and cannot
    delete the old one while it holds objects, so the old bucket and its objects stay
    behind, out of the stack."""

    old_bucket: str
    objects: str  # "0" to "1000", or "1000+"
    certain: bool = True  # CloudFormation says Replacement True (else Conditional)

    @property
    def counted(self) -> str:
        """ "its 3 objects stay", "its 1 object stays"."""
        one = self.objects == "1"
        return f"its {self.objects} object{'' if one else 's'} stay{'s' if one else ''}"

    def line(self) -> str:
        verb = "replaces" if self.certain else "may replace"
        return f"  {verb} {BUCKET_ID} ({self.counted} in the old bucket {self.old_bucket})"

    def refusal(self, stack_name: str) -> str:
        verb = "replace" if self.certain else "may replace"
        return (
            f"stack {stack_name} would {verb} {BUCKET_ID} ({self.counted} in the old bucket "
            f"{self.old_bucket} while the site moves to a new, empty bucket): undo the change "
            "of HOSTING_BUCKET_NAME, or publish with --allow-replace and then empty and delete "
            f"the old bucket (aws s3 rb s3://{self.old_bucket} --force)"
        )

    def note(self) -> str:
        return (
            f"{BUCKET_ID} was replaced ({self.counted} in the old bucket {self.old_bucket}): "
            "empty and delete it when it is no longer needed "
            f"(aws s3 rb s3://{self.old_bucket} --force)"
        )


def count_objects(s3: S3Client, bucket: str, limit: int = COUNT_LIMIT) -> str:
    """The bucket's objects, from one request: "0" to "1000", or "1000+" (with the default
    ``limit``); "0" for a bucket that no longer exists."""
    from botocore.exceptions import ClientError

    try:
        page = s3.list_objects_v2(Bucket=bucket, MaxKeys=limit)
    except ClientError as exc:
        if events.error_code(exc) == "NoSuchBucket":
            return "0"
        raise
    from amplify_tasks.sync import LOCK_KEY

    count = int(page.get("KeyCount", len(page.get("Contents", []))))
    # the stage lock of the publish asking is given back: it does not stay behind
    count -= sum(1 for item in page.get("Contents", []) if item.get("Key") == LOCK_KEY)
    return f"{count}+" if page.get("IsTruncated") else str(count)


def bucket_replacement(
    cfn: CloudFormationClient, stack_id: str, replacement: str, s3: S3Client | None = None
) -> BucketReplacement | None:
    """What replacing the stack's bucket leaves behind, for a change set row whose
    Replacement is ``replacement`` ("True", "Conditional", "False" or "")."""
    if replacement not in {"True", "Conditional"}:
        return None
    old = owned_bucket(cfn, stack_id)
    if not old:
        return None
    if s3 is None:
        region = str(getattr(getattr(cfn, "meta", None), "region_name", "") or "") or None
        s3 = aws.client("s3", region=region)
    return BucketReplacement(old, count_objects(s3, old), certain=replacement == "True")
