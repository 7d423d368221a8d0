"""S3 ETags computed locally: plain MD5 below the multipart threshold, ``md5(part md5s)-N``
above it, with the part size the uploader uses (the numbers and the rule live here only).
"""

from __future__ import annotations

import base64
import hashlib

#: Files of this size or larger are uploaded in parts (and get a multipart ETag).
MULTIPART_THRESHOLD = 8 * 1024 * 1024

#: The size of every part but the last, for files of up to MAX_PARTS such parts.
PART_SIZE = 8 * 1024 * 1024

#: S3's limits: parts per multipart upload, and bytes per object.
MAX_PARTS = 10_000
MAX_OBJECT_SIZE = 5 * 1024**4

#: Read buffer for hashing; hashlib releases the GIL on buffers this size.
READ_BUFFER = 1024 * 1024


def is_multipart(size: int) -> bool:
    return size >= MULTIPART_THRESHOLD


def part_size(size: int) -> int:
    """The part size for a file of ``size`` bytes: PART_SIZE, doubled until the file fits in
    MAX_PARTS parts, as the AWS CLI does (s3transfer's ChunksizeAdjuster). Up to
    MAX_OBJECT_SIZE that is at most 1 GiB, well under S3's 5 GiB part limit."""
    chunk = PART_SIZE
    while -(-size // chunk) > MAX_PARTS:
        chunk *= 2
    return chunk


def part_count(size: int) -> int:
    return max(1, -(-size // part_size(size)))


def multipart_etag(part_digests: list[bytes]) -> str:
    """The ETag S3 gives an object assembled from parts with these MD5 digests."""
    return f"{hashlib.md5(b''.join(part_digests)).hexdigest()}-{len(part_digests)}"


def md5_b64(data: bytes) -> str:
    """The Content-MD5 header value of a body."""
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def file_etags(path: str, size: int) -> frozenset[str]:
    """Every ETag an upload of this file by us can carry in a bucket listing.

    Small files: their MD5. Multipart-sized files: the multipart ETag, and also the plain MD5,
    which the object carries after a server-side copy (one read computes both).
    """
    whole = hashlib.md5()
    if not is_multipart(size):
        with open(path, "rb") as fh:
            while chunk := fh.read(READ_BUFFER):
                whole.update(chunk)
        return frozenset({whole.hexdigest()})
    digests: list[bytes] = []
    size_of_part = part_size(size)
    with open(path, "rb") as fh:
        while True:
            part = hashlib.md5()
            left = size_of_part
            while left > 0 and (chunk := fh.read(min(READ_BUFFER, left))):
                part.update(chunk)
                whole.update(chunk)
                left -= len(chunk)
            if left == size_of_part:
                break
            digests.append(part.digest())
    return frozenset({multipart_etag(digests), whole.hexdigest()})
