"""S3 objects as HTTP answers for the preview servers: the latest version of a key, its
stored headers, and S3's error documents.
"""

from __future__ import annotations

import uuid
from typing import Any
from xml.sax.saxutils import escape

from .backends import s3_backend

Response = tuple[int, list[tuple[str, str]], bytes]

#: Object metadata served back as response headers.
SERVED_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Content-Encoding",
    "Content-Language",
    "Content-Disposition",
    "Expires",
)

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def find_object(bucket: str, key: str) -> Any:
    """The latest live version of ``key`` in ``bucket``, or None."""
    if not key:
        return None
    try:
        return s3_backend().get_object(bucket, key)
    except Exception:
        return None


def bucket_exists(bucket: str) -> bool:
    return bucket in s3_backend().buckets


def object_response(obj: Any, status: int = 200) -> Response:
    headers = [("ETag", str(obj.etag)), ("Last-Modified", str(obj.last_modified_RFC1123))]
    metadata = obj.metadata
    for name in SERVED_HEADERS:
        value = metadata.get(name)
        if value:
            headers.append((name, str(value)))
    headers += [(k, str(v)) for k, v in metadata.items() if k.lower().startswith("x-amz-meta-")]
    if not metadata.get("Content-Type"):
        headers.append(("Content-Type", "binary/octet-stream"))
    return status, headers, bytes(obj.value)


def s3_error(status: int, code: str, message: str, **fields: str) -> Response:
    """S3's XML error document (what the REST endpoint answers)."""
    extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{extra}"
        f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>"
    ).encode()
    return status, [("Content-Type", "application/xml")], body


def error_page(status: int, code: str, message: str) -> Response:
    """S3's HTML error page (what the website endpoint answers)."""
    reason = REASONS.get(status, "")
    body = (
        f"<html><head><title>{status} {reason}</title></head><body>"
        f"<h1>{status} {reason}</h1><ul><li>Code: {code}</li>"
        f"<li>Message: {escape(message)}</li></ul></body></html>"
    ).encode()
    return status, [("Content-Type", "text/html; charset=utf-8")], body
