"""Publish's part of the site's rules on a DEV stage: the redirect objects and the bucket
website's routing rules brought to what the dist folder's `_redirects` says, after the sync.
The keys of the redirect objects are recorded in a state object, so the next publish deletes
those no longer wanted, and the sync's listing can leave them out (they are not files).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from amplify_tasks.sync import LISTED_STATE_PREFIX

from .website import WebsiteRules

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import WebsiteConfigurationTypeDef

    from amplify_tasks.sync import RemoteObject

#: The state object naming the bucket's redirect objects and where each leads.
REDIRECTS_STATE_KEY = LISTED_STATE_PREFIX + "website-redirects.json"


@dataclass
class WebsiteResult:
    """What a publish did to the bucket website's rules (or, on a dry run, would do)."""

    put: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    routing_rules_changed: bool = False
    lines: list[str] = field(default_factory=list)


def recorded_redirects(s3: S3Client, bucket: str) -> dict[str, str]:
    """The redirect objects the last publish made (key -> location), none without a record."""
    try:
        body = s3.get_object(Bucket=bucket, Key=REDIRECTS_STATE_KEY)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return {}
    found = json.loads(body or b"{}").get("objects") or {}
    return {str(k): str(v) for k, v in found.items()}


def without_redirect_objects(
    listing: Mapping[str, RemoteObject], recorded: Mapping[str, str]
) -> dict[str, RemoteObject]:
    """The bucket's listing without the redirect objects: the sync neither diffs them
    against the dist folder nor deletes them as stale."""
    return {k: v for k, v in listing.items() if k not in recorded}


def _config(current: Mapping[str, object], rules: WebsiteRules) -> WebsiteConfigurationTypeDef:
    config: dict[str, object] = {
        k: current[k] for k in ("IndexDocument", "ErrorDocument") if k in current
    }
    if rules.routing_rules:
        config["RoutingRules"] = list(rules.routing_rules)
    return cast("WebsiteConfigurationTypeDef", config)


def apply_website(
    s3: S3Client,
    bucket: str,
    rules: WebsiteRules,
    *,
    dry_run: bool = False,
    recorded: Mapping[str, str] | None = None,
) -> WebsiteResult:
    """Put the routing rules when they differ from the bucket's, put the redirect objects
    that are missing or lead elsewhere, delete those no longer wanted, then record them
    (with the routing rules: a site that had some has a record). ``recorded``: the record
    as the caller read it, None to read it here."""
    result = WebsiteResult(lines=list(rules.warnings))
    current: dict[str, object] = dict(s3.get_bucket_website(Bucket=bucket))
    current.pop("ResponseMetadata", None)
    wanted = _config(current, rules)
    if (current.get("RoutingRules") or []) != (wanted.get("RoutingRules") or []):
        result.routing_rules_changed = True
        if not dry_run:
            s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=wanted)
    if recorded is None:
        recorded = recorded_redirects(s3, bucket)
    present = set(_existing(s3, bucket, recorded))
    result.put = sorted(
        k for k, v in rules.objects.items() if recorded.get(k) != v or k not in present
    )
    result.deleted = sorted(k for k in recorded if k not in rules.objects and k in present)
    verb = "would" if dry_run else "did"
    if result.put or result.deleted or result.routing_rules_changed:
        result.lines.append(
            f"website redirects: {verb} put {len(result.put)} redirect object(s), delete "
            f"{len(result.deleted)}; {len(rules.routing_rules)} routing rule(s)"
            + (" (changed)" if result.routing_rules_changed else "")
        )
    if dry_run:
        return result
    for key in result.put:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=b"",
            WebsiteRedirectLocation=rules.objects[key],
            CacheControl="no-cache",
        )
    for key in result.deleted:
        s3.delete_object(Bucket=bucket, Key=key)
    if recorded != rules.objects or result.routing_rules_changed:
        record = {"format": 1, "objects": rules.objects, "routing_rules": len(rules.routing_rules)}
        s3.put_object(
            Bucket=bucket,
            Key=REDIRECTS_STATE_KEY,
            Body=json.dumps(record, sort_keys=True).encode(),
            ContentType="application/json",
            CacheControl="no-store",
        )
    return result


def _existing(s3: S3Client, bucket: str, recorded: Mapping[str, str]) -> list[str]:
    """The recorded redirect keys still in the bucket (a sync may have deleted some)."""
    found = []
    for key in recorded:
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except s3.exceptions.ClientError:
            continue
        found.append(key)
    return found
