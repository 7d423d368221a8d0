"""Names the AWS service and operation of a raw WSGI request, as botocore would call it,
so the emulator's request log reads like a list of API calls.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote

from . import kvs_api

#: S3 sub-resources (query keys) and the noun their operations use.
_S3_SUBRESOURCES = {
    "website": "BucketWebsite",
    "policy": "BucketPolicy",
    "tagging": "BucketTagging",
    "versioning": "BucketVersioning",
    "encryption": "BucketEncryption",
    "publicAccessBlock": "PublicAccessBlock",
    "ownershipControls": "BucketOwnershipControls",
    "cors": "BucketCors",
    "acl": "BucketAcl",
    "lifecycle": "BucketLifecycleConfiguration",
    "notification": "BucketNotificationConfiguration",
    "logging": "BucketLogging",
    "replication": "BucketReplication",
    "accelerate": "BucketAccelerateConfiguration",
    "requestPayment": "BucketRequestPayment",
    "object-lock": "ObjectLockConfiguration",
}

_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9.\-]+)\.s3[.\-]", re.IGNORECASE)
#: SigV4's scope is date/region/service, SigV4A's (no region) date/service.
_CREDENTIAL = re.compile(
    r"Credential=[^/]+/\d{8}/(?:(?P<region>[^/]+)/)?(?P<service>[^/]+)/aws4_request"
)


#: A key value store data-plane request: the store's ARN in the path, its account in front
#: of the host (whatever the request is signed for, or if it is not).
_KVS_PATH = re.compile(r"^(?:https?://[^/]*)?/key-value-stores/arn(?::|%3A)", re.IGNORECASE)
_KVS_HOST = re.compile(r"^\d{12}\.")


def service_of(environ: dict[str, Any]) -> str:
    """The signing service of a request (credential scope), like moto's own dispatcher; the
    key value store's for a request to its data plane."""
    target = str(environ.get("REQUEST_URI") or environ.get("RAW_URI") or "")
    if _KVS_PATH.match(target) and _KVS_HOST.match(str(environ.get("HTTP_HOST") or "")):
        return kvs_api.SERVICE
    for source in (environ.get("HTTP_AUTHORIZATION", ""), unquote(environ.get("QUERY_STRING", ""))):
        match = _CREDENTIAL.search(source or "")
        if match:
            return match.group("service").lower()
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.split(".", 1)[0].split("_", 1)[0].lower()
    return "s3"


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def s3_target(environ: dict[str, Any]) -> tuple[str | None, str | None]:
    """(bucket, key) of an S3 request, path-style or virtual-hosted."""
    path = unquote(environ.get("PATH_INFO", "") or "")
    host = (environ.get("HTTP_HOST", "") or "").split(":", 1)[0]
    match = _VIRTUAL_HOST.match(host)
    if match:
        bucket: str | None = match.group("bucket")
        key = path.lstrip("/") or None
        return bucket, key
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] else None
    return bucket, key


def s3_operation(
    method: str, query: dict[str, list[str]], has_key: bool, has_bucket: bool, copy_source: bool
) -> str:
    """The S3 API operation a request performs."""
    sub = next((name for name in _S3_SUBRESOURCES if name in query), None)
    if not has_bucket:
        return "ListBuckets" if method == "GET" else f"{method.title()}Service"
    if not has_key:
        if method == "GET":
            if sub:
                return f"Get{_S3_SUBRESOURCES[sub]}"
            if "versions" in query:
                return "ListObjectVersions"
            if "uploads" in query:
                return "ListMultipartUploads"
            if "location" in query:
                return "GetBucketLocation"
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        if method == "PUT":
            return f"Put{_S3_SUBRESOURCES[sub]}" if sub else "CreateBucket"
        if method == "DELETE":
            return f"Delete{_S3_SUBRESOURCES[sub]}" if sub else "DeleteBucket"
        if method == "HEAD":
            return "HeadBucket"
        if method == "POST":
            return "DeleteObjects" if "delete" in query else "PostObject"
        return f"{method.title()}Bucket"
    if method == "PUT":
        if "partNumber" in query and "uploadId" in query:
            return "UploadPartCopy" if copy_source else "UploadPart"
        if "tagging" in query:
            return "PutObjectTagging"
        if "acl" in query:
            return "PutObjectAcl"
        return "CopyObject" if copy_source else "PutObject"
    if method == "GET":
        if "uploadId" in query:
            return "ListParts"
        if "tagging" in query:
            return "GetObjectTagging"
        if "acl" in query:
            return "GetObjectAcl"
        return "GetObject"
    if method == "HEAD":
        return "HeadObject"
    if method == "DELETE":
        if "uploadId" in query:
            return "AbortMultipartUpload"
        return "DeleteObjectTagging" if "tagging" in query else "DeleteObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
        return "RestoreObject" if "restore" in query else "PostObject"
    return f"{method.title()}Object"


#: Route 53's REST paths (after the version) whose operation names the generic rule below
#: cannot spell: (method, path pattern) -> operation.
_ROUTE53 = (
    ("GET", r"hostedzonesbyname", "ListHostedZonesByName"),
    ("GET", r"hostedzonecount", "GetHostedZoneCount"),
    ("GET", r"hostedzone", "ListHostedZones"),
    ("POST", r"hostedzone", "CreateHostedZone"),
    ("GET", r"hostedzone/[^/]+", "GetHostedZone"),
    ("DELETE", r"hostedzone/[^/]+", "DeleteHostedZone"),
    ("GET", r"hostedzone/[^/]+/rrset", "ListResourceRecordSets"),
    ("POST", r"hostedzone/[^/]+/rrset", "ChangeResourceRecordSets"),
    ("GET", r"change/[^/]+", "GetChange"),
)


def route53_operation(method: str, path: str) -> str:
    """Route 53's operation name of a REST request ('' when it is not one of _ROUTE53)."""
    rest = re.sub(r"^/\d{4}-\d{2}-\d{2}/", "", path).strip("/")
    for verb, pattern, operation in _ROUTE53:
        if verb == method and re.fullmatch(pattern, rest):
            return operation
    return ""


def rest_operation(method: str, path: str, query: dict[str, list[str]]) -> str:
    """An operation name for a REST-JSON/XML service such as CloudFront (/2020-05-31/...)."""
    segments = [s for s in path.split("/") if s]
    if segments and re.fullmatch(r"\d{4}-\d{2}-\d{2}", segments[0]):
        segments = segments[1:]
    if not segments:
        return method.title()
    if segments[0] == "tagging":
        return {"Tag": "TagResource", "Untag": "UntagResource"}.get(
            (query.get("Operation") or [""])[0], "ListTagsForResource"
        )
    name = _camel(segments[0])
    if len(segments) == 1:
        if method == "POST":
            return f"Create{name}WithTags" if "WithTags" in query else f"Create{name}"
        return f"List{name}s"
    if len(segments) == 2:
        return {"GET": f"Get{name}", "DELETE": f"Delete{name}", "PUT": f"Update{name}"}.get(
            method, f"{method.title()}{name}"
        )
    sub = segments[2]
    if sub == "config":
        return f"Update{name}" if method == "PUT" else f"Get{name}Config"
    sub_name = _camel(sub)
    if len(segments) == 3:
        if method == "POST":
            return f"Create{sub_name}"
        if method == "PUT":
            return f"{method.title()}{sub_name}"
        return f"List{sub_name}s"
    return f"Get{sub_name}"


def classify(environ: dict[str, Any], body: bytes | None) -> dict[str, Any]:
    """A request record without timing: service, operation, method, path, bucket, key, bytes."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    path = str(environ.get("PATH_INFO", "") or "")
    query = parse_qs(environ.get("QUERY_STRING", "") or "", keep_blank_values=True)
    service = service_of(environ)
    length = environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH") or environ.get("CONTENT_LENGTH")
    try:
        size = int(length or 0)
    except ValueError:
        size = 0
    record: dict[str, Any] = {
        "service": service,
        "operation": "",
        "method": method,
        "path": path,
        "bucket": None,
        "key": None,
        "bytes": size,
    }
    if service == "s3":
        bucket, key = s3_target(environ)
        record["bucket"], record["key"] = bucket, key
        record["operation"] = s3_operation(
            method,
            query,
            key is not None,
            bucket is not None,
            bool(environ.get("HTTP_X_AMZ_COPY_SOURCE")),
        )
        return record
    if service == kvs_api.SERVICE:
        record["operation"], record["key"] = kvs_api.operation_of(environ)
        return record
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        record["operation"] = target.rsplit(".", 1)[-1]
        return record
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
    action = (query.get("Action") or form.get("Action") or [""])[0]
    route53 = route53_operation(method, path) if service == "route53" else ""
    record["operation"] = action or route53 or rest_operation(method, path, query)
    if service == "cloudformation":  # the stack a call names (what an IAM policy grants on)
        record["stack"] = (form.get("StackName") or query.get("StackName") or [None])[0]
    return record
