"""The bucket side of a sync: the paginated listing (the header manifest's ETag comes with
it as the first key) and the tool's state objects under the reserved prefix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2RequestTypeDef

#: Keys under this prefix belong to amplify-tasks: never stale, never deleted by a sync.
RESERVED_PREFIX = ".amplify-tasks/"

#: One small object recording the header rules every published object was given.
MANIFEST_KEY = RESERVED_PREFIX + "manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class RemoteObject:
    """An object as the bucket listing shows it (ETag without quotes)."""

    key: str
    size: int
    etag: str


def _list_page(
    s3: S3Client, bucket: str, max_keys: int, start_after: str | None, token: str | None
) -> tuple[list[RemoteObject], str | None]:
    """One ListObjectsV2 request: its objects and the continuation token when truncated."""
    kwargs: ListObjectsV2RequestTypeDef = {"Bucket": bucket, "MaxKeys": max_keys}
    if token:
        kwargs["ContinuationToken"] = token
    elif start_after:
        kwargs["StartAfter"] = start_after
    page = s3.list_objects_v2(**kwargs)
    objects = [
        RemoteObject(item["Key"], int(item["Size"]), item["ETag"].strip('"'))
        for item in page.get("Contents", ())
    ]
    return objects, page.get("NextContinuationToken") if page.get("IsTruncated") else None


def _list_pages(
    s3: S3Client, bucket: str, page_keys: int, start_after: str | None, stop_at: str | None = None
) -> dict[str, RemoteObject]:
    """Page through the keys after ``start_after``, up to ``stop_at`` (inclusive) if given."""
    objects: dict[str, RemoteObject] = {}
    token: str | None = None
    while True:
        found, token = _list_page(s3, bucket, page_keys, start_after, token)
        for obj in found:
            if stop_at is not None and obj.key > stop_at:
                return objects
            objects[obj.key] = obj
        if token is None or (stop_at is not None and found and found[-1].key >= stop_at):
            return objects


def list_remote(s3: S3Client, bucket: str, page_keys: int = 1000) -> dict[str, RemoteObject]:
    """Every object of the bucket by key.

    Our manifest sorts before the site's keys, so a one-key request first shows the first
    key: the manifest, with its ETag, when nothing sorts before it. The pages are then read
    from after it, and the manifest never takes a page of its own. Keys that do sort before
    it are listed too, from the start up to the manifest.
    """
    head, _ = _list_page(s3, bucket, 1, None, None)
    if not head:
        return {}
    if head[0].key > MANIFEST_KEY:
        return _list_pages(s3, bucket, page_keys, None)
    objects = _list_pages(s3, bucket, page_keys, MANIFEST_KEY)
    if head[0].key < MANIFEST_KEY:
        objects.update(_list_pages(s3, bucket, page_keys, None, stop_at=MANIFEST_KEY))
    else:
        objects[MANIFEST_KEY] = head[0]
    return objects


def manifest_state_from(
    s3: S3Client, bucket: str, remote: Mapping[str, RemoteObject], current: Mapping[str, object]
) -> Mapping[str, object] | None:
    """The header rules the last complete sync recorded. The listing gives the manifest's
    ETag: when it is the MD5 of the manifest the current rules make, they are the same rules
    and nothing is read; otherwise one GET reads the old rules."""
    obj = remote.get(MANIFEST_KEY)
    if obj is None:
        return None
    if obj.etag == hashlib.md5(manifest_body(current)).hexdigest():
        return current
    return read_manifest(s3, bucket)


def read_manifest(s3: S3Client, bucket: str) -> dict[str, object] | None:
    """The header-rules state recorded by the last complete sync (one GET), or None."""
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    rules = data.get("rules")
    return rules if isinstance(rules, dict) else None


def manifest_body(rules_state: Mapping[str, object]) -> bytes:
    return json.dumps({"format": MANIFEST_FORMAT, "rules": rules_state}, sort_keys=True).encode()
