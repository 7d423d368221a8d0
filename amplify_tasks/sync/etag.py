"""S3 ETags computed locally: plain MD5 below the multipart threshold, ``md5(part md5s)-N``
above it, with the one part size the uploader uses (both numbers live here and nowhere else).
"""

from __future__ import annotations

import base64
import hashlib

#: Files of this size or larger are uploaded in parts (and get a multipart ETag).
MULTIPART_THRESHOLD = 8 * 1024 * 1024

#: The size of every part but the last.
PART_SIZE = 8 * 1024 * 1024

#: Read buffer for hashing; hashlib releases the GIL on buffers this size.
READ_BUFFER = 1024 * 1024


def is_multipart(size: int) -> bool:
    return size >= MULTIPART_THRESHOLD


def part_count(size: int) -> int:
    return max(1, -(-size // PART_SIZE))


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
    with open(path, "rb") as fh:
        while True:
            part = hashlib.md5()
            left = PART_SIZE
            while left > 0 and (chunk := fh.read(min(READ_BUFFER, left))):
                part.update(chunk)
                whole.update(chunk)
                left -= len(chunk)
            if left == PART_SIZE:
                break
            digests.append(part.digest())
    return frozenset({multipart_etag(digests), whole.hexdigest()})
