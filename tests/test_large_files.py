"""Files too big for 10,000 parts of 8 MiB: the part size doubles as the AWS CLI's does, the
local multipart ETag follows the same rule, and the upload sends parts of that size.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amplify_tasks import aws
from amplify_tasks.sync import etag
from amplify_tasks.sync.run import sync_dist

MiB = 1024**2
GiB = 1024**3
TiB = 1024**4


@pytest.mark.parametrize(
    ("size", "part"),
    [
        (1, 8 * MiB),
        (8 * MiB * 10_000, 8 * MiB),  # 78.125 GiB: exactly 10,000 parts
        (8 * MiB * 10_000 + 1, 16 * MiB),
        (80 * GiB, 16 * MiB),
        (200 * GiB, 32 * MiB),
        (5 * TiB, 1 * GiB),
    ],
)
def test_part_size_doubles_past_10000_parts(size: int, part: int) -> None:
    assert etag.part_size(size) == part
    assert etag.part_count(size) <= etag.MAX_PARTS


def test_part_size_is_the_aws_cli_rule() -> None:
    """s3transfer (the AWS CLI's transfer layer) picks the same part size for every size."""
    from s3transfer.utils import ChunksizeAdjuster

    adjuster = ChunksizeAdjuster()
    for size in (9 * MiB, 78 * GiB, 79 * GiB, 100 * GiB, 1 * TiB, 3 * TiB + 7, 5 * TiB):
        assert etag.part_size(size) == adjuster.adjust_chunksize(etag.PART_SIZE, size), size


def _expected_multipart_etag(data: bytes, part: int) -> str:
    parts = [data[i : i + part] for i in range(0, len(data), part)]
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f"{hashlib.md5(digests).hexdigest()}-{len(parts)}"


def test_multipart_etag_uses_the_doubled_part_size_with_a_patched_part_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MAX_PARTS patched to 2 stands in for 10,000: 24 MiB + 5 needs 16 MiB parts."""
    monkeypatch.setattr(etag, "MAX_PARTS", 2)
    size = 3 * etag.PART_SIZE + 5
    data = os.urandom(size)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert etag.part_size(size) == 2 * etag.PART_SIZE and etag.part_count(size) == 2
    assert etag.file_etags(str(path), size) == {
        _expected_multipart_etag(data, 2 * etag.PART_SIZE),
        hashlib.md5(data).hexdigest(),
    }


def test_upload_with_a_patched_part_limit_sends_the_doubled_parts(
    emulator: Any,
    aws_env: dict[str, str],
    unique_name: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The upload path of a file too big for MAX_PARTS parts (patched to 2, not 10,000, so
    the test sends 24 MiB and not 80 GB): two 16 MiB parts, an ETag the next sync matches."""
    monkeypatch.setattr(etag, "MAX_PARTS", 2)
    s3 = aws.client("s3")
    bucket = unique_name("parts")
    s3.create_bucket(Bucket=bucket)
    dist = tmp_path / "dist"
    dist.mkdir()
    size = 3 * etag.PART_SIZE + 5
    (dist / "video.mp4").write_bytes(os.urandom(size))
    emulator.reset_requests()
    _, result = sync_dist(s3, bucket, dist)
    assert result is not None and result.ok
    parts = [
        r for r in emulator.requests(service="s3", operation="UploadPart") if r["bucket"] == bucket
    ]
    assert len(parts) == 2
    remote = s3.head_object(Bucket=bucket, Key="video.mp4")["ETag"].strip('"')
    assert remote.endswith("-2") and remote in etag.file_etags(str(dist / "video.mp4"), size)
    plan, _ = sync_dist(s3, bucket, dist)
    assert plan.empty
