"""WireS3: the S3 operations a publish sends by the thousand, each one signed and sent
without botocore's per-request machinery (about 2.5 ms of CPU a request), and botocore's own
S3 client, made on first need, for everything else.

It answers ``put_object`` (a body in memory), ``copy_object``, ``list_objects_v2`` (with a
delimiter too), ``delete_objects``, ``delete_object``, ``head_object`` and ``get_object``
(read in full) with the keyword arguments the tool passes and the fields of botocore's
answers the tool reads; any other operation or argument, a streamed body, versions, and
every request after S3 redirected one (a bucket in another region) go to botocore. Failures
are botocore's exceptions (ClientError with S3's code and message).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from .fallback import BotocoreFallback
from .transport import Answer, Request, Transport, client_error

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: An answer in the shape of botocore's (the fields the tool reads).
JsonDict = dict[str, object]

#: Keyword arguments of put_object sent as headers (the rest go to botocore).
PUT_HEADERS = {
    "ContentType": "Content-Type",
    "CacheControl": "Cache-Control",
    "ContentMD5": "Content-MD5",
    "IfNoneMatch": "If-None-Match",
    "IfMatch": "If-Match",
}
COPY_HEADERS = {
    "ContentType": "Content-Type",
    "CacheControl": "Cache-Control",
    "MetadataDirective": "x-amz-metadata-directive",
    "CopySourceIfMatch": "x-amz-copy-source-if-match",
}
DELETE_HEADERS = {"IfMatch": "If-Match"}

#: Error codes after which the bucket is better reached by botocore (its region redirects).
REDIRECTS = frozenset(
    {"PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed", "301", "307"}
)


class ToBotocore(Exception):
    """This request is botocore's to send."""


class WireS3(BotocoreFallback["S3Client"]):
    """The S3 client of a publish (see the module's doc); ``botocore`` makes the other."""

    def __init__(self, transport: Transport, botocore: Callable[[], S3Client]) -> None:
        super().__init__(botocore)
        self.transport = transport
        self.redirected = False  # S3 redirected a request: botocore sends the rest

    # -- the operations ---------------------------------------------------------------------
    def put_object(self, **kw: object) -> JsonDict:
        body = kw.get("Body", b"")
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, (bytes, bytearray)) or _extra(kw, PUT_HEADERS):
            return self._botocore_call("put_object", kw)
        data = bytes(body)
        headers = _headers(kw, PUT_HEADERS)
        if "Content-MD5" not in headers:
            from amplify_tasks.sync.etag import md5_b64

            headers["Content-MD5"] = md5_b64(data)
        request = Request("PutObject", "PUT", _s(kw, "Bucket"), _s(kw, "Key"), None, headers, data)
        return self._either("put_object", kw, request, _etag_answer)

    def copy_object(self, **kw: object) -> JsonDict:
        source = kw.get("CopySource")
        if isinstance(source, Mapping) and set(source) <= {"Bucket", "Key"}:
            from .signing import quote_path

            copy_from = quote_path(f"{source['Bucket']}/{source['Key']}")
        else:
            return self._botocore_call("copy_object", kw)
        if _extra(kw, COPY_HEADERS, frozenset({"CopySource"})):
            return self._botocore_call("copy_object", kw)
        headers = {"x-amz-copy-source": copy_from, **_headers(kw, COPY_HEADERS)}
        request = Request("CopyObject", "PUT", _s(kw, "Bucket"), _s(kw, "Key"), None, headers)
        return self._either("copy_object", kw, request, _copy_answer)

    def list_objects_v2(self, **kw: object) -> JsonDict:
        names = {"MaxKeys": "max-keys", "StartAfter": "start-after", "Delimiter": "delimiter"}
        names |= {"ContinuationToken": "continuation-token", "Prefix": "prefix"}
        if _extra(kw, names):
            return self._botocore_call("list_objects_v2", kw)
        params = {"list-type": "2", "encoding-type": "url"}
        params |= {q: str(kw[k]) for k, q in names.items() if kw.get(k) is not None}
        request = Request("ListObjectsV2", "GET", _s(kw, "Bucket"), None, params)
        return self._either("list_objects_v2", kw, request, _listing_answer)

    def delete_objects(self, **kw: object) -> JsonDict:
        spec = kw.get("Delete")
        objects = spec.get("Objects", []) if isinstance(spec, Mapping) else None
        if (
            not isinstance(spec, Mapping)
            or not isinstance(objects, list)
            or _extra(kw, {}, frozenset({"Delete"}))
            or any(set(o) != {"Key"} or not _xml_safe(str(o["Key"])) for o in objects)
        ):
            return self._botocore_call("delete_objects", kw)
        quiet = "<Quiet>true</Quiet>" if spec.get("Quiet") else ""
        items = "".join(f"<Object><Key>{_escape(str(o['Key']))}</Key></Object>" for o in objects)
        body = f'<?xml version="1.0" encoding="UTF-8"?><Delete>{quiet}{items}</Delete>'.encode()
        from amplify_tasks.sync.etag import md5_b64

        headers = {"Content-MD5": md5_b64(body), "Content-Type": "application/xml"}
        params = {"delete": ""}
        request = Request("DeleteObjects", "POST", _s(kw, "Bucket"), None, params, headers, body)
        return self._either("delete_objects", kw, request, _delete_answer)

    def delete_object(self, **kw: object) -> JsonDict:
        if _extra(kw, DELETE_HEADERS):
            return self._botocore_call("delete_object", kw)
        headers = _headers(kw, DELETE_HEADERS)
        request = Request("DeleteObject", "DELETE", _s(kw, "Bucket"), _s(kw, "Key"), None, headers)
        return self._either("delete_object", kw, request, _meta_answer)

    def head_object(self, **kw: object) -> JsonDict:
        if _extra(kw, {}):
            return self._botocore_call("head_object", kw)
        request = Request("HeadObject", "HEAD", _s(kw, "Bucket"), _s(kw, "Key"))
        return self._either("head_object", kw, request, _head_answer)

    def get_object(self, **kw: object) -> JsonDict:
        if _extra(kw, {}) or "Body" in kw:
            return self._botocore_call("get_object", kw)
        request = Request("GetObject", "GET", _s(kw, "Bucket"), _s(kw, "Key"))
        return self._either("get_object", kw, request, _object_answer)

    # -- sending ----------------------------------------------------------------------------
    def _botocore_call(self, name: str, kw: Mapping[str, object]) -> JsonDict:
        method = cast("Callable[..., JsonDict]", getattr(self.botocore, name))
        return method(**kw)

    def _either(
        self,
        name: str,
        kw: Mapping[str, object],
        request: Request,
        read: Callable[[Answer], JsonDict],
    ) -> JsonDict:
        if self.redirected:
            return self._botocore_call(name, kw)
        answer = self.transport.send(request)
        if answer.status >= 300 or (request.operation == "CopyObject" and b"<Error" in answer.body):
            error = client_error(answer, request.operation)
            if str(error.response.get("Error", {}).get("Code")) in REDIRECTS:
                self.redirected = True
                return self._botocore_call(name, kw)
            raise error
        return read(answer)


def _s(kw: Mapping[str, object], name: str) -> str:
    return str(kw[name])


def _extra(
    kw: Mapping[str, object], known: Mapping[str, str], also: frozenset[str] = frozenset()
) -> bool:
    """True when ``kw`` has an argument this client does not send itself."""
    return any(k not in known and k not in also and k not in ("Bucket", "Key", "Body") for k in kw)


def _headers(kw: Mapping[str, object], names: Mapping[str, str]) -> dict[str, str]:
    return {header: str(kw[k]) for k, header in names.items() if kw.get(k) is not None}


def _escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities (xml.sax.saxutils.escape, whose import costs
    ~5 ms on every publish)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_safe(key: str) -> bool:
    return all(ord(ch) >= 0x20 or ch in "\t\n\r" for ch in key)


def _meta(answer: Answer) -> JsonDict:
    return {"HTTPStatusCode": answer.status, "HTTPHeaders": dict(answer.headers)}


def _meta_answer(answer: Answer) -> JsonDict:
    return {"ResponseMetadata": _meta(answer)}


def _etag_answer(answer: Answer) -> JsonDict:
    return {"ETag": answer.headers.get("etag", ""), "ResponseMetadata": _meta(answer)}


def _object_answer(answer: Answer) -> JsonDict:
    """A GetObject answer: the body (read in full: the tool's objects it reads are small),
    the headers botocore's client turns into fields (timestamps raw, as the tool's are)."""
    import io

    return {
        **_head_answer(answer),
        "Body": io.BytesIO(answer.body),
        "ContentLength": len(answer.body),
    }


def _head_answer(answer: Answer) -> JsonDict:
    """A HeadObject answer: the headers botocore's client turns into fields."""
    headers = answer.headers
    found: JsonDict = {
        "ContentLength": int(headers.get("content-length") or 0),
        "ETag": headers.get("etag", ""),
        "Metadata": {k[11:]: v for k, v in headers.items() if k.startswith("x-amz-meta-")},
        "ResponseMetadata": _meta(answer),
    }
    fields = {"content-type": "ContentType", "last-modified": "LastModified"}
    fields |= {"cache-control": "CacheControl", "x-amz-version-id": "VersionId"}
    found |= {name: headers[h] for h, name in fields.items() if h in headers}
    return found


def _copy_answer(answer: Answer) -> JsonDict:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(answer.body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    result = {"ETag": root.findtext(f"{ns}ETag") or ""}
    return {"CopyObjectResult": result, "ResponseMetadata": _meta(answer)}


def _listing_answer(answer: Answer) -> JsonDict:
    from .xmlparse import parse_listing

    page = parse_listing(answer.body)
    contents = [{"Key": k, "Size": size, "ETag": etag} for k, size, etag in page.objects]
    found: JsonDict = {
        "Contents": contents,
        "KeyCount": len(contents),
        "IsTruncated": page.next_token is not None,
        "ResponseMetadata": _meta(answer),
    }
    if page.next_token is not None:
        found["NextContinuationToken"] = page.next_token
    if page.prefixes:
        found["CommonPrefixes"] = [{"Prefix": p} for p in page.prefixes]
    return found


def _delete_answer(answer: Answer) -> JsonDict:
    from .xmlparse import delete_errors

    errors = delete_errors(answer.body) if answer.body else []
    return {"Errors": errors, "ResponseMetadata": _meta(answer)} if errors else _meta_answer(answer)
