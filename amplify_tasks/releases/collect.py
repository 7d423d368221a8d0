"""After ``live`` moved: the root copies of the live release's error pages (CloudFront fetches
an error page without running the function, so it must be at its own key), then the garbage
collection a GcPlan names. Both are the tool's own writes and deletes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.sync import MANIFEST_KEY, RemoteObject

from .execute import copy_object
from .gc import GcPlan
from .layout import RELEASES_PREFIX, manifest_key, release_key
from .manifest import ReleaseManifest
from .state import StoreState, list_objects, root_objects, tree_ids
from .store import write_keys

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

#: Keys per DeleteObjects request (the S3 maximum).
DELETE_BATCH = 1000


def root_etag(s3: S3Client, bucket: str, key: str) -> str:
    """The ETag of an object ('' when there is none)."""
    from botocore.exceptions import ClientError

    try:
        return str(s3.head_object(Bucket=bucket, Key=key)["ETag"]).strip('"')
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return ""
        raise


def copy_error_pages(
    s3: S3Client,
    bucket: str,
    manifest: ReleaseManifest,
    pages: Iterable[str],
    roots: Mapping[str, Future[str]] | None = None,
) -> list[str]:
    """Copy each error page of the release to its root key when the root's copy differs
    (its ETag as ``roots`` read it ahead, else read now); the pages copied. A page in the
    pool is at the root already; a page the release lacks is left as it is."""
    copied = []
    for page in sorted(set(pages)):
        entry = manifest.files.get(page)
        if entry is None or entry.pool:
            continue
        ahead = (roots or {}).get(page)
        if (ahead.result() if ahead else root_etag(s3, bucket, page)) == entry.etag:
            continue
        copy_object(s3, bucket, release_key(manifest.id, page), page, entry)
        copied.append(page)
    return copied


@dataclass(frozen=True)
class GcReads:
    """What garbage collection reads of the bucket, all on the pool at once: the releases
    with a tree, the objects at the root when an in-place publish left them there (its
    facts are in the store, or its header record in the bucket), else None, and the ETags
    of the error pages' root copies (copy_error_pages). Read before a release's transfers,
    they miss only what the release writes: nothing of it is collected anyway. ``store``:
    the key value store as ListKeys shows it (listed_store), when started ahead: releases
    are collected only against a listed store."""

    trees: Future[set[str]]
    root: Future[dict[str, RemoteObject] | None]
    pages: Mapping[str, Future[str]] = field(default_factory=dict)
    store: Future[StoreState] | None = None


def start_gc_reads(
    s3: S3Client,
    bucket: str,
    in_place: bool,
    pool: Executor,
    pages: Iterable[str] = (),
    listing: Callable[[], StoreState] | None = None,
) -> GcReads:
    """Start the reads; ``in_place``: the store holds in-place facts; ``pages``: the error
    pages whose root copies to read; ``listing``: the store's listing, to start too."""

    def root() -> dict[str, RemoteObject] | None:
        if in_place or root_etag(s3, bucket, MANIFEST_KEY):
            return root_objects(s3, bucket)
        return None

    roots = {page: pool.submit(root_etag, s3, bucket, page) for page in sorted(set(pages))}
    store = pool.submit(listing) if listing is not None else None
    return GcReads(pool.submit(tree_ids, s3, bucket), pool.submit(root), roots, store)


@dataclass
class GcResult:
    """What the garbage collection deleted."""

    releases: list[str] = field(default_factory=list)
    objects: int = 0
    store_keys: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def delete_keys(
    s3: S3Client, bucket: str, keys: Sequence[str], pool: Executor
) -> list[tuple[str, str]]:
    """Delete objects in batches on the pool; the (key, reason) of each that failed."""
    batches = [list(keys[i : i + DELETE_BATCH]) for i in range(0, len(keys), DELETE_BATCH)]

    def delete(batch: list[str]) -> list[tuple[str, str]]:
        done = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        return [
            (str(e.get("Key")), f"{e.get('Code')}: {e.get('Message')}")
            for e in done.get("Errors", [])
        ]

    failures = []
    for future in [pool.submit(delete, b) for b in batches]:
        failures += future.result()
    return failures


def _tree(s3: S3Client, bucket: str, release_id: str) -> list[str]:
    return [o.key for o in list_objects(s3, bucket, f"{RELEASES_PREFIX}{release_id}/")]


def collect(
    gc: GcPlan,
    *,
    s3: S3Client,
    bucket: str,
    kvs: Callable[[], CloudFrontKeyValueStoreClient],
    arn: str,
    pool: Executor,
) -> GcResult:
    """Delete what ``gc`` names: the collected releases' trees and the pool and root objects
    first, then the store keys, the manifests and in-place records last (so a run stopped
    half-way is found and finished by the next one)."""
    result = GcResult()
    listed = {r: pool.submit(_tree, s3, bucket, r) for r in gc.releases}  # all at once
    held = {r: future.result() for r, future in listed.items()}
    trees = [key for keys in held.values() for key in keys]
    objects = trees + list(gc.objects)
    result.failures += delete_keys(s3, bucket, objects, pool)
    result.objects = len(objects) - len(result.failures)
    if result.failures:
        return result
    if gc.store_keys:
        write_keys(kvs(), arn, deletes=list(gc.store_keys))
        result.store_keys = len(gc.store_keys)
    result.failures += delete_keys(s3, bucket, list(gc.state), pool)
    result.releases = [r for r in gc.releases if held[r] or _left(r, gc)]
    return result


def _left(release_id: str, gc: GcPlan) -> bool:
    """Whether a release held a manifest or store keys of its own (a server whose folder
    listing still shows an emptied tree, as SeaweedFS does, names releases already gone)."""
    owned = (k.split(":", 1)[0] for k in gc.store_keys)
    return manifest_key(release_id) in gc.state or release_id in owned
