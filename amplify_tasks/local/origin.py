"""What a distribution's origin answers CloudFront. An S3 REST origin is asked as S3 asks
its bucket policy: behind Origin Access Control as the ``cloudfront.amazonaws.com`` service
with the distribution's ARN as ``aws:SourceArn``, behind an origin access identity as that
identity, else anonymously. A key the policy lets it read is served; a missing key is 404
NoSuchKey when the policy also grants ``s3:ListBucket`` on the bucket, else 403
AccessDenied, as S3 answers. An S3 website origin answers with the website's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from . import policy
from .backends import s3_backend
from .s3_objects import Response, bucket_exists, find_object, object_response, s3_error
from .website import website_response


@dataclass(frozen=True)
class S3Origin:
    """One origin of a distribution: the bucket, the key prefix, who CloudFront is there."""

    bucket: str
    path: str
    website: bool
    principal: policy.Principal

    def fetch(self, uri: str) -> Response:
        """The origin's answer for the (already rewritten) URI."""
        if self.website:
            return website_response(self.bucket, self.path + uri)
        return rest_response(self.bucket, unquote(self.path + uri).lstrip("/"), self.principal)


def _bucket_of(domain: str) -> tuple[str, bool]:
    for marker, website in ((".s3-website", True), (".s3.", False)):
        if marker in domain:
            return domain.split(marker, 1)[0], website
    return domain.split(".s3", 1)[0], False


def principal_of(origin: Any, distribution_arn: str, account: str) -> policy.Principal:
    """Who CloudFront is at the bucket for this origin."""
    if getattr(origin, "origin_access_control_id", ""):
        context = {
            "aws:SourceArn": distribution_arn,
            "aws:SourceAccount": account,
            "aws:SecureTransport": "true",
        }
        return policy.Principal(service="cloudfront.amazonaws.com", context=context)
    identity = (getattr(origin, "s3_origin_config", None) or {}).get("OriginAccessIdentity")
    arn = policy.identity_arn(str(identity or ""))
    secure = {"aws:SecureTransport": "true"}
    return policy.Principal(aws=(arn,), context=secure) if arn else policy.Principal(context=secure)


def s3_origin(origin: Any, distribution_arn: str, account: str) -> S3Origin:
    bucket, website = _bucket_of(str(origin.domain_name))
    path = "/" + (origin.origin_path or "").strip("/") if origin.origin_path else ""
    return S3Origin(bucket, path, website, principal_of(origin, distribution_arn, account))


def _decision(bucket: str, principal: policy.Principal, action: str, resource: str) -> str:
    stored = s3_backend().get_bucket(bucket)
    block = getattr(stored, "public_access_block", None)
    if principal.anonymous and block is not None and block.restrict_public_buckets:
        return policy.DENY
    raw = stored.policy
    document = raw.decode() if isinstance(raw, bytes) else raw
    return policy.evaluate(document, principal, action, resource)


def _listing(bucket: str) -> Response:
    keys = sorted(s3_backend().get_bucket(bucket).keys.keys())[:1000]
    contents = "".join(f"<Contents><Key>{escape(k)}</Key></Contents>" for k in keys)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Name>{escape(bucket)}</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys>"
        f"<IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
    ).encode()
    return 200, [("Content-Type", "application/xml")], body


def rest_response(bucket: str, key: str, principal: policy.Principal) -> Response:
    """What S3's REST endpoint answers ``principal``'s GET of ``key`` (empty: the bucket)."""
    if not bucket_exists(bucket):
        return s3_error(
            404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=bucket
        )
    bucket_arn = f"arn:aws:s3:::{bucket}"
    may_list = _decision(bucket, principal, "s3:ListBucket", bucket_arn) == policy.ALLOW
    if not key:
        return _listing(bucket) if may_list else s3_error(403, "AccessDenied", "Access Denied")
    if _decision(bucket, principal, "s3:GetObject", f"{bucket_arn}/{key}") != policy.ALLOW:
        return s3_error(403, "AccessDenied", "Access Denied")
    obj = find_object(bucket, key)
    if obj is not None:
        return object_response(obj)
    if may_list:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
    return s3_error(403, "AccessDenied", "Access Denied")
