"""ListObjects and ListObjectsV2 with a delimiter as S3 answers them in a versioned bucket: a
common prefix stands for current objects only. moto counts a key whose latest version is a
delete marker, so a folder whose objects were all deleted would stay listed as a prefix.
"""

from __future__ import annotations

import functools
from typing import Any


def live_folders(bucket: Any, prefix: str | None, delimiter: str | None) -> set[str]:
    """The common prefixes of ``bucket``'s current objects under ``prefix``."""
    from moto.s3.models import FakeDeleteMarker

    start = prefix or ""
    found = set()
    for name, key in bucket.keys.items():
        if isinstance(key, FakeDeleteMarker) or not name.startswith(start):
            continue
        rest = name[len(start) :]
        if delimiter and delimiter in rest:
            found.add(f"{start}{rest.split(delimiter)[0]}{delimiter}")
    return found


def install() -> None:
    """Patch moto's listing (the emulator process only)."""
    from moto.s3.models import S3Backend

    original = S3Backend.list_objects

    @functools.wraps(original)
    def list_objects(
        self: Any,
        bucket: Any,
        prefix: str | None,
        delimiter: str | None,
        marker: str | None,
        max_keys: int | None,
    ) -> Any:
        keys, folders, truncated, next_marker = original(
            self, bucket, prefix, delimiter, marker, max_keys
        )
        if not folders:
            return keys, folders, truncated, next_marker
        live = live_folders(bucket, prefix, delimiter)
        return keys, [f for f in folders if f in live], truncated, next_marker

    setattr(S3Backend, "list_objects", list_objects)  # noqa: B010
