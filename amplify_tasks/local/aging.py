"""Making a stored object look older than it is, for tests of what the tool does with an old
object (a lock nobody renewed): ``POST /_amplify_tasks/age`` with ``{"bucket": ..., "key":
..., "seconds": N}`` moves the Last-Modified of the object's current version N seconds back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .backends import s3_backend


def age_object(data: Mapping[str, Any]) -> dict[str, str]:
    """Move an object's Last-Modified back; ValueError when there is no such object."""
    bucket, key = str(data.get("bucket", "")), str(data.get("key", ""))
    seconds = float(data.get("seconds", 0))
    obj = s3_backend().get_object(bucket, key)
    if obj is None:
        raise ValueError(f"no object {key!r} in bucket {bucket!r}")
    obj.last_modified = obj.last_modified - timedelta(seconds=seconds)
    return {"bucket": bucket, "key": key, "last_modified": obj.last_modified_RFC1123}
