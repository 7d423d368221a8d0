"""The header record: one object under the reserved prefix saying what the tool knows of the
Content-Type and Cache-Control of the objects in a bucket.

Every object carries the headers that ``rules`` give its key, except the keys in ``unknown``
(each with the ETag it had when it was listed there), whose headers the tool does not know. A
sync under other rules first records its own rules with every object that does not carry them
yet as unknown, and only then changes anything; when it stops it records them again without
the keys it wrote or deleted. So the record never claims more than is true, wherever a sync
stops, and a sync that finished leaves it as small as the rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .listing import MANIFEST_KEY, RemoteObject

#: Format 1 recorded the rules alone; format 2 adds the keys whose headers are unknown.
MANIFEST_FORMAT = 2


@dataclass(frozen=True)
class Manifest:
    """The header rules every object was given, but for the keys in ``unknown``."""

    rules: Mapping[str, Any]
    unknown: Mapping[str, str] = field(default_factory=dict)  # key -> ETag when listed

    def body(self) -> bytes:
        data = {"format": MANIFEST_FORMAT, "rules": self.rules, "unknown": dict(self.unknown)}
        return json.dumps(data, sort_keys=True).encode()

    @property
    def etag(self) -> str:
        """The ETag S3 gives the record (the MD5 of its body)."""
        return hashlib.md5(self.body()).hexdigest()

    def without(self, keys: set[str]) -> Manifest:
        """The record once ``keys`` were written with these rules (or deleted)."""
        if not keys & self.unknown.keys():
            return self
        return Manifest(self.rules, {k: e for k, e in self.unknown.items() if k not in keys})


def parse_manifest(body: bytes) -> Manifest | None:
    """A record's body as a Manifest; None when it is not one this version reads."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") not in (1, MANIFEST_FORMAT):
        return None
    rules, unknown = data.get("rules"), data.get("unknown", {})
    if not isinstance(rules, dict) or not isinstance(unknown, dict):
        return None
    return Manifest(rules, {str(k): str(v) for k, v in unknown.items()})


def read_manifest(s3: Any, bucket: str) -> Manifest | None:
    """The record in the bucket (one GET), or None when there is none or it is unreadable."""
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    return parse_manifest(body)


def manifest_from(
    s3: Any, bucket: str, remote: Mapping[str, RemoteObject], current: Mapping[str, Any]
) -> Manifest | None:
    """The record in the bucket. The listing gives its ETag: when that is the ETag of the
    record of the current rules with no unknown keys, that is what it holds and nothing is
    read; otherwise one GET reads it."""
    obj = remote.get(MANIFEST_KEY)
    if obj is None:
        return None
    settled = Manifest(current)
    if obj.etag == settled.etag:
        return settled
    return read_manifest(s3, bucket)


def write_manifest(s3: Any, bucket: str, manifest: Manifest) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=MANIFEST_KEY,
        Body=manifest.body(),
        ContentType="application/json",
        CacheControl="no-store",
    )
