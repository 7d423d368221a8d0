"""Publish's part of directory URLs: after a sync, write the site's path facts into the
distribution's key value store as a diff. The digest of what was last written is kept in a
small state object in the bucket, whose ETag the sync's listing already has: an unchanged
site makes no key value store call at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import AwsError, HostingError, SyncError
from amplify_tasks.sync import LISTED_STATE_PREFIX, RESERVED_PREFIX

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.sync import RemoteObject, SyncPlan

    from .paths import PathFacts, StoreUpdate

#: The state object recording the store and the digest of the facts last written to it;
#: the sync's listing shows it with its ETag.
STATE_KEY = LISTED_STATE_PREFIX + "routing.json"
STATE_FORMAT = 1


def keys_after(plan: SyncPlan, listing: Mapping[str, RemoteObject]) -> set[str]:
    """The bucket's keys once ``plan`` is carried out (blocked deletes are not)."""
    keys = set(listing) | {c.key for c in plan.changes}
    if not plan.deletes_blocked:
        keys -= set(plan.deletes)
    return keys


def plan_facts(
    plan: SyncPlan, listing: Mapping[str, RemoteObject], index_document: str
) -> PathFacts:
    """The facts of the bucket once ``plan`` is carried out; SyncError when they would not
    fit in a key value store (the path facts are imported for a CloudFront stage only)."""
    from .paths import STORE_MAX_BYTES, path_facts

    facts = path_facts(keys_after(plan, listing), index_document, RESERVED_PREFIX)
    size = facts.size()
    if size > STORE_MAX_BYTES:
        raise SyncError(
            f"the site has {len(facts.folders)} folders with an index document: their keys "
            f"take {size} bytes, more than a CloudFront key value store holds "
            f"({STORE_MAX_BYTES}); nothing was published: publish fewer folders"
        )
    return facts


def own_entries(entries: Mapping[str, str]) -> dict[str, str]:
    """The in-place facts among a store's entries (``site``, ``d:<folder>``): a release
    stage's keys (``live``, ``<id>:d:<folder>``) are not the in-place publish's to change."""
    from .paths import FOLDER_PREFIX, SITE_KEY

    return {k: v for k, v in entries.items() if k == SITE_KEY or k.startswith(FOLDER_PREFIX)}


def state_body(arn: str, facts: PathFacts) -> bytes:
    state = {"format": STATE_FORMAT, "store": arn, "digest": facts.digest()}
    return json.dumps(state, sort_keys=True).encode()


def up_to_date(listing: Mapping[str, RemoteObject], arn: str, facts: PathFacts) -> bool:
    """Whether the store last written holds these facts: the state object's ETag in the
    listing is the MD5 of the state these facts make (no request)."""
    obj = listing.get(STATE_KEY)
    return obj is not None and obj.etag == hashlib.md5(state_body(arn, facts)).hexdigest()


@dataclass
class RoutingResult:
    """What publish did to the store (or, on a dry run, would do)."""

    update: StoreUpdate | None = None
    calls: int = 0
    lines: list[str] = field(default_factory=list)


def store_refused(arn: str) -> Callable[[ClientError], HostingError]:
    """How a refusal of the store (or of the state object's write) reads: one line."""

    def refused(exc: ClientError) -> HostingError:
        return AwsError(
            f"writing the site's folders to key value store {arn} failed: "
            f"{aws.refusal(exc)} -- the files are published; publish again to retry"
        )

    return refused


def describe(update: StoreUpdate, *, dry_run: bool) -> str:
    verb = "would put" if dry_run else "put"
    return (
        f"key value store: {verb} {len(update.puts)} key(s), "
        f"{'would delete' if dry_run else 'deleted'} {len(update.deletes)}"
    )


def write_facts(
    facts: PathFacts,
    *,
    arn: str,
    listing: Mapping[str, RemoteObject],
    kvs: Callable[[], CloudFrontKeyValueStoreClient],
    s3: S3Client,
    bucket: str,
    dry_run: bool = False,
) -> RoutingResult:
    """Bring the store to ``facts`` (ListKeys, then UpdateKeys in batches, the ``site`` key
    last), then record them in the state object; nothing at all when they are recorded."""
    from .paths import store_update
    from .store import apply_update, read_entries

    result = RoutingResult()
    if facts.too_long:
        result.lines.append(
            f"key value store: {len(facts.too_long)} folder(s) with paths over 510 bytes get "
            f"no redirect to their index document (first: {facts.too_long[0][:60]}...)"
        )
    if arn and up_to_date(listing, arn, facts):
        return result
    if not arn:
        result.lines.append(
            f"key value store: would write {len(facts.entries())} key(s)"
            if dry_run
            else "key value store: the stack has none, so /dir is served without a redirect "
            "to /dir/: publish without --skip-backend to deploy it"
        )
        return result
    with aws.translate_errors(store_refused(arn)):
        client = kvs()
        result.update = store_update(own_entries(read_entries(client, arn)), facts.entries())
        result.calls = 1
        if dry_run:
            result.lines.append(describe(result.update, dry_run=True))
            return result
        result.calls += apply_update(client, arn, result.update)
        s3.put_object(
            Bucket=bucket,
            Key=STATE_KEY,
            Body=state_body(arn, facts),
            ContentType="application/json",
            CacheControl="no-store",
        )
    if not result.update.empty:
        result.lines.append(describe(result.update, dry_run=False))
    return result
