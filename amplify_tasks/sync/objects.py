"""The two object primitives of a publish, for any caller that puts files in a bucket:
``upload_file`` (a local file to a key, with its headers) and ``copy_key`` (a server-side
copy of one key to another, its headers replaced). Both take the publish's S3 client
(``aws.publish_s3``: its PUTs and copies go over the wire) or any botocore S3 client.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from . import etag

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

#: Files up to this size are read whole (one read, Content-MD5); larger ones are streamed.
SMALL_FILE = 1024 * 1024


def upload_file(
    s3: S3Client,
    bucket: str,
    key: str,
    path: str | os.PathLike[str],
    *,
    content_type: str,
    cache_control: str,
    size: int | None = None,
) -> int:
    """Upload the file at ``path`` to ``key`` with these Content-Type and Cache-Control
    headers; the bytes sent. Up to SMALL_FILE: one PUT with Content-MD5 (S3 refuses a body
    that does not match it); up to the multipart threshold: one streamed PUT; above it:
    parts of ``etag.part_size``, each with Content-MD5, so the object's ETag is the one
    ``etag.file_etags`` computes (an upload that fails is aborted). ``size`` saves a stat."""
    size = os.path.getsize(path) if size is None else size
    if etag.is_multipart(size):
        _put_multipart(s3, bucket, key, path, size, content_type, cache_control)
    elif size <= SMALL_FILE:
        with open(path, "rb") as fh:
            body = fh.read()
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentMD5=etag.md5_b64(body),
            ContentType=content_type,
            CacheControl=cache_control,
        )
    else:
        with open(path, "rb") as fh:
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=fh,
                ContentLength=size,
                ContentType=content_type,
                CacheControl=cache_control,
            )
    return size


def copy_key(
    s3: S3Client,
    bucket: str,
    source_key: str,
    key: str,
    *,
    content_type: str,
    cache_control: str,
    source_bucket: str | None = None,
) -> None:
    """Copy ``source_key`` (in ``source_bucket``, else in ``bucket``) to ``key`` on the
    server, with these headers instead of the source's (one CopyObject, MetadataDirective
    REPLACE; S3 copies objects of up to 5 GB this way). The same key for both sets only the
    headers."""
    s3.copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": source_bucket or bucket, "Key": source_key},
        MetadataDirective="REPLACE",
        ContentType=content_type,
        CacheControl=cache_control,
    )


def _put_multipart(
    s3: S3Client,
    bucket: str,
    key: str,
    path: str | os.PathLike[str],
    size: int,
    content_type: str,
    cache_control: str,
) -> None:
    upload_id = s3.create_multipart_upload(
        Bucket=bucket, Key=key, ContentType=content_type, CacheControl=cache_control
    )["UploadId"]
    try:
        parts: list[CompletedPartTypeDef] = []
        with open(path, "rb") as fh:
            number = 1
            part_size = etag.part_size(size)
            while chunk := fh.read(part_size):
                resp = s3.upload_part(
                    Bucket=bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ContentMD5=etag.md5_b64(chunk),
                )
                parts.append({"PartNumber": number, "ETag": resp["ETag"]})
                number += 1
        s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        with contextlib.suppress(Exception):  # the original error is the one to report
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
