"""What a release stage holds, read from AWS: the key value store's entries (the pointers,
the releases' key sets, the in-place facts), the manifests and release trees in the bucket,
and the objects at the bucket's root. Reads only.

The store is listed (ListKeys, 50 keys a page) only when it may hold keys the manifests do
not account for: DescribeKeyValueStore tells how many keys it holds (and its ETag), GetKey
the ``live`` pointer, and when the count is ``live`` plus the keys of the key sets every
(sound) manifest names, those are its entries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amplify_tasks.sync import RESERVED_PREFIX, RemoteObject

from .keysets import release_entries
from .layout import (
    LIVE_KEY,
    MANIFESTS_PREFIX,
    PREVIEW_PREFIX,
    RELEASES_PREFIX,
    Pointer,
    is_key_set,
    is_release_id,
    is_release_key,
    manifest_key,
    parse_pointer,
)
from .manifest import FileEntry, ReleaseManifest, listed_manifest, parse_release_manifest

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ListObjectsV2OutputTypeDef, ListObjectsV2RequestTypeDef

#: The in-place facts routing writes (``site`` and ``d:<folder>``).
IN_PLACE_SITE_KEY = "site"
IN_PLACE_FOLDER_PREFIX = "d:"
#: Sorts after every key under ``_r/`` (the highest code point, as UTF-8 sorts).
AFTER_RELEASES = RELEASES_PREFIX + "\U0010ffff"


@dataclass(frozen=True)
class StoreState:
    """The key value store's entries, as ListKeys read them (``listed``) or as the manifests
    account for them; ``total_bytes``: its keys' and values' size (TotalSizeInBytes);
    ``etag``: its ETag, read before ``live`` ('' when not read)."""

    entries: Mapping[str, str]
    total_bytes: int = 0
    listed: bool = True
    etag: str = ""

    @property
    def live(self) -> Pointer | None:
        return parse_pointer(self.entries.get(LIVE_KEY))

    @property
    def live_value(self) -> str | None:
        return self.entries.get(LIVE_KEY)

    def pointers(self) -> list[Pointer]:
        """What the pointer keys (``live``, a preview's ``p:<name>``) hold."""
        found = []
        for key, value in self.entries.items():
            if key == LIVE_KEY or key.startswith(PREVIEW_PREFIX):
                pointer = parse_pointer(value)
                if pointer is not None:
                    found.append(pointer)
        return found

    def pointed(self) -> set[str]:
        """The releases a pointer key refers to."""
        return {pointer.release for pointer in self.pointers()}

    def release_keys(self, prefix: str) -> list[str]:
        """Every key of key set ``prefix`` (a release id: the keys of a release made before
        key sets): its folders, rules and extension-less files, its seal."""
        return sorted(k for k in self.entries if is_release_key(prefix, k))

    def key_sets(self) -> set[str]:
        """The prefixes of the key sets some key of the store belongs to."""
        return {k.split(":", 1)[0] for k in self.entries if is_key_set(k.split(":", 1)[0])}

    def release_ids(self) -> set[str]:
        """The releases some key of their own (a folder's, the rules') belongs to."""
        return {
            key.split(":", 1)[0]
            for key in self.entries
            if ":" in key and is_release_id(key.split(":", 1)[0])
        }

    def in_place_keys(self) -> list[str]:
        """The in-place facts (``site``, ``d:<folder>``) an in-place publish wrote."""
        return sorted(
            k
            for k in self.entries
            if k == IN_PLACE_SITE_KEY or k.startswith(IN_PLACE_FOLDER_PREFIX)
        )


def read_store(client: CloudFrontKeyValueStoreClient, arn: str, total_bytes: int = 0) -> StoreState:
    """Every entry of the store (ListKeys, paged); ``total_bytes`` its size when known."""
    from amplify_tasks.routing.store import read_entries

    return StoreState(read_entries(client, arn), total_bytes)


@dataclass(frozen=True)
class StorePeek:
    """What two requests tell of a store: its key count, size and ETag, and the ``live``
    value (read after the ETag: a write after the ETag was read makes it stale)."""

    items: int
    total_bytes: int
    live: str | None
    etag: str = ""


def peek_store(client: CloudFrontKeyValueStoreClient, arn: str) -> StorePeek:
    """DescribeKeyValueStore, then GetKey ``live``."""
    described = client.describe_key_value_store(KvsARN=arn)
    items, total = int(described.get("ItemCount", -1)), int(described.get("TotalSizeInBytes", 0))
    etag = str(described.get("ETag", ""))
    return StorePeek(items, total, read_key(client, arn), etag)


def accounted_entries(
    live: str | None, manifests: Mapping[str, ReleaseManifest | None]
) -> dict[str, str] | None:
    """The entries of a store holding only what releases wrote: ``live`` and the key sets
    of every release with a manifest (each set once, however many releases share it); None
    when a manifest is not sound (its keys unknown)."""
    found = {} if live is None else {LIVE_KEY: live}
    for manifest in manifests.values():
        if manifest is None:
            return None
        found.update(release_entries(manifest))
    return found


def store_state(
    client: CloudFrontKeyValueStoreClient,
    arn: str,
    peek: StorePeek,
    manifests: Mapping[str, ReleaseManifest | None],
) -> StoreState:
    """The store's entries: those the manifests account for when the store holds as many
    keys as that (no other pointer, no in-place facts, no key of a release without a
    manifest), else listed."""
    known = accounted_entries(peek.live, manifests)
    if known is not None and peek.items == len(known):
        return StoreState(known, peek.total_bytes, listed=False, etag=peek.etag)
    # the peek's ETag still vouches for the listing: a write since makes it stale
    return dataclasses.replace(read_store(client, arn, peek.total_bytes), etag=peek.etag)


def listed_store(client: CloudFrontKeyValueStoreClient, arn: str, store: StoreState) -> StoreState:
    """``store`` as ListKeys shows it when it was not listed, ``live`` as ``store`` holds it
    (the release live when a publish was planned stays a pointer's). Read before releases
    are collected: a key count that matched by chance (a release's missing folder keys
    making up for a preview's pointer) must not hide a pointer to one of them."""
    if store.listed:
        return store
    listed = read_store(client, arn, store.total_bytes)
    entries = dict(listed.entries)
    if store.live_value is not None:
        entries[LIVE_KEY] = store.live_value
    return StoreState(entries, listed.total_bytes)


def read_key(client: CloudFrontKeyValueStoreClient, arn: str, key: str = LIVE_KEY) -> str | None:
    """A key's value (one GetKey; the ``live`` pointer by default), None when there is none."""
    from botocore.exceptions import ClientError

    try:
        return str(client.get_key(KvsARN=arn, Key=key)["Value"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise


def list_objects(
    s3: S3Client, bucket: str, prefix: str = "", start_after: str = ""
) -> Iterator[RemoteObject]:
    """The objects under ``prefix`` (after ``start_after``), in key order."""
    for page in listing_pages(s3, bucket, prefix, start_after=start_after):
        for item in page.get("Contents", ()):
            yield RemoteObject(item["Key"], int(item["Size"]), item["ETag"].strip('"'))


def listing_pages(
    s3: S3Client, bucket: str, prefix: str, *, start_after: str = "", delimiter: str = ""
) -> Iterator[ListObjectsV2OutputTypeDef]:
    """ListObjectsV2's pages, each after the continuation token of the one before
    (botocore's paginator's loop, in calls the wire client sends itself)."""
    request: ListObjectsV2RequestTypeDef = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        request["StartAfter"] = start_after
    if delimiter:
        request["Delimiter"] = delimiter
    while True:
        page = s3.list_objects_v2(**request)
        yield page
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        if not token or token == request.get("ContinuationToken"):
            return
        request["ContinuationToken"] = token


def manifest_ids(s3: S3Client, bucket: str) -> list[str]:
    """The ids of the releases with a manifest, oldest first."""
    ids = []
    for obj in list_objects(s3, bucket, MANIFESTS_PREFIX):
        name = obj.key[len(MANIFESTS_PREFIX) :]
        if name.endswith(".json") and is_release_id(name[: -len(".json")]):
            ids.append(name[: -len(".json")])
    return sorted(ids)


def tree_ids(s3: S3Client, bucket: str) -> set[str]:
    """The releases with objects under ``_r/`` (a folder listing: one request per 1,000)."""
    found = set()
    for page in listing_pages(s3, bucket, RELEASES_PREFIX, delimiter="/"):
        for common in page.get("CommonPrefixes", ()):
            name = str(common.get("Prefix", ""))[len(RELEASES_PREFIX) :].rstrip("/")
            if is_release_id(name):
                found.add(name)
    return found


def read_manifest(s3: S3Client, bucket: str, release_id: str) -> ReleaseManifest | None:
    """The manifest of a release; None when there is none or it is not sound."""
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=manifest_key(release_id))["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    return parse_release_manifest(body, release_id)


def release_manifest(s3: S3Client, bucket: str, release_id: str) -> tuple[ReleaseManifest, bool]:
    """A release's manifest and whether it is sound; an unsound one is replaced by what a
    listing of the release's own objects shows (their headers and its pool unknown)."""
    manifest = read_manifest(s3, bucket, release_id)
    if manifest is not None:
        return manifest, True
    prefix = RELEASES_PREFIX + release_id + "/"
    listed = ((o.key[len(prefix) :], o.etag, o.size) for o in list_objects(s3, bucket, prefix))
    return listed_manifest(release_id, listed), False


def root_objects(s3: S3Client, bucket: str) -> dict[str, RemoteObject]:
    """The objects at the bucket's root: neither under ``_r/`` nor the tool's own state."""
    found: dict[str, RemoteObject] = {}
    for obj in list_objects(s3, bucket):
        if obj.key.startswith(RELEASES_PREFIX):
            break
        found[obj.key] = obj
    for obj in list_objects(s3, bucket, start_after=AFTER_RELEASES):
        found[obj.key] = obj
    return {k: o for k, o in found.items() if not k.startswith(RESERVED_PREFIX)}


def head_entry(s3: S3Client, bucket: str, key: str) -> FileEntry | None:
    """An object as a HEAD shows it (ETag, size, headers), None when there is none."""
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return FileEntry(
        str(head["ETag"]).strip('"'),
        int(head.get("ContentLength", 0)),
        str(head.get("ContentType", "")),
        str(head.get("CacheControl", "")),
        pool=not key.startswith(RELEASES_PREFIX),
    )
