"""The bucket side of a sync: the paginated listing (the header manifest's ETag comes with
it as the first key) and the names of the tool's state objects under the reserved prefix.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2RequestTypeDef

#: Keys under this prefix belong to amplify-tasks: never stale, never deleted by a sync.
RESERVED_PREFIX = ".amplify-tasks/"


#: One small object recording what the tool knows of every object's headers (sync/manifest).
MANIFEST_KEY = RESERVED_PREFIX + "manifest.json"


#: The per-stage lock a publish holds while it changes the stage. It sorts after the manifest,
#: so the listing's one-key request still shows the manifest, locked or not.
LOCK_KEY = RESERVED_PREFIX + "stage-lock.json"


#: Sorts after every key of ours (all named in lowercase): the listing's pages start here.
OWN_KEYS_END = RESERVED_PREFIX + "~"


#: A state object of ours whose ETag a publish needs (routing's digest of the key value
#: store) is named after OWN_KEYS_END: the pages show it, and no request is spent on it.
LISTED_STATE_PREFIX = OWN_KEYS_END


@dataclass(frozen=True, slots=True)
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


def list_remote(
    s3: S3Client, bucket: str, page_keys: int = 1000, *, ours_present: bool = False
) -> dict[str, RemoteObject]:
    """Every object of the bucket by key, but the tool's own ones other than the manifest.

    Our keys sort before the site's, so a one-key request first shows the first key: the
    manifest, with its ETag, when nothing sorts before it. The pages are then read from after
    our keys: neither the manifest nor the stage lock takes a place in a page. Keys that do
    sort before ours are listed too, from the start up to the manifest.

    ``ours_present``: a key of ours is known to be there (the caller holds the stage lock),
    so the bucket is not empty and the pages after our keys are needed whatever the one-key
    request shows: they are read alongside it, one round trip sooner, no request more.
    """
    ahead: Future[dict[str, RemoteObject]] | None = None
    if ours_present:
        ahead = Future()
        threading.Thread(
            target=_fill, args=(ahead, s3, bucket, page_keys), name="listing", daemon=True
        ).start()
    head, _ = _list_page(s3, bucket, 1, None, None)
    if not head:
        return {}
    first = head[0]
    after_ours = ahead.result() if ahead else None
    if first.key > OWN_KEYS_END:  # none of ours: the pages after our keys are all of them
        return after_ours if after_ours is not None else _list_pages(s3, bucket, page_keys, None)
    objects = (
        after_ours if after_ours is not None else _list_pages(s3, bucket, page_keys, OWN_KEYS_END)
    )
    if first.key < MANIFEST_KEY:
        objects.update(_list_pages(s3, bucket, page_keys, None, stop_at=MANIFEST_KEY))
    elif first.key == MANIFEST_KEY:
        objects[MANIFEST_KEY] = first
    return objects


def _fill(
    future: Future[dict[str, RemoteObject]], s3: S3Client, bucket: str, page_keys: int
) -> None:
    """The pages after our keys, into ``future``."""
    try:
        future.set_result(_list_pages(s3, bucket, page_keys, OWN_KEYS_END))
    except BaseException as exc:
        future.set_exception(exc)
