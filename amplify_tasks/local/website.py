"""What an S3 website endpoint answers: index documents, the directory redirect, the error
document, RedirectAllRequestsTo and per-object redirects.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .backends import s3_backend
from .s3_objects import Response, error_page, find_object, object_response


def website_config(bucket: str) -> dict[str, Any] | None:
    """The bucket's website configuration as a dict (from moto's stored XML), or None."""
    import xmltodict  # type: ignore[import-untyped]

    try:
        raw = s3_backend().get_bucket(bucket).website_configuration
    except Exception:
        return None
    if not raw:
        return None
    parsed = xmltodict.parse(raw)
    config = parsed.get("WebsiteConfiguration") or {}
    return dict(config) if isinstance(config, dict) else {}


def website_response(bucket: str, path: str) -> Response:
    """What an S3 website endpoint answers for ``path`` (GET semantics)."""
    config = website_config(bucket)
    if config is None:
        return error_page(404, "NoSuchWebsiteConfiguration", f"{bucket} has no website")
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all:
        protocol = redirect_all.get("Protocol") or "http"
        return 301, [("Location", f"{protocol}://{redirect_all['HostName']}{path}")], b""
    index = (config.get("IndexDocument") or {}).get("Suffix") or ""
    key = unquote(path).lstrip("/")
    routed = route(config, key)
    if routed is not None:
        return routed
    lookup = key + index if key == "" or key.endswith("/") else key
    obj = find_object(bucket, lookup)
    if obj is not None and _denied_to_the_public(bucket, lookup):
        return _website_error(bucket, config, 403, "AccessDenied", "Access Denied")
    if obj is not None:
        redirect = getattr(obj, "website_redirect_location", None)
        if redirect:
            return 301, [("Location", str(redirect))], b""
        return object_response(obj)
    folder = index and key and not key.endswith("/")
    if folder and find_object(bucket, f"{key}/{index}") is not None:
        return 302, [("Location", f"/{key}/")], b""
    routed = route(config, key, error=404)
    if routed is not None:
        return routed
    return _website_error(bucket, config, 404, "NoSuchKey", "The specified key does not exist.")


def _rules(config: dict[str, Any]) -> list[dict[str, Any]]:
    found = (config.get("RoutingRules") or {}).get("RoutingRule") or []
    return [found] if isinstance(found, dict) else list(found)


def route(config: dict[str, Any], key: str, error: int | None = None) -> Response | None:
    """The first routing rule whose condition holds, as S3 documents them: KeyPrefixEquals
    (the key starts with it) and HttpErrorCodeReturnedEquals (checked only once the lookup
    failed with that code; a rule without it applies before the lookup). Its Redirect:
    ReplaceKeyPrefixWith (the matched prefix replaced) or ReplaceKeyWith, HostName and
    Protocol, HttpRedirectCode (301 unless given). No query string is carried over."""
    for rule in _rules(config):
        condition = rule.get("Condition") or {}
        prefix = str(condition.get("KeyPrefixEquals") or "")
        code = condition.get("HttpErrorCodeReturnedEquals")
        if not key.startswith(prefix):
            continue
        if (code is None) != (error is None) or (code is not None and int(code) != error):
            continue
        redirect = rule.get("Redirect") or {}
        if "ReplaceKeyWith" in redirect:
            new_key = str(redirect.get("ReplaceKeyWith") or "")
        elif "ReplaceKeyPrefixWith" in redirect:
            new_key = str(redirect.get("ReplaceKeyPrefixWith") or "") + key[len(prefix) :]
        else:
            new_key = key
        host = redirect.get("HostName")
        protocol = redirect.get("Protocol") or "http"
        location = f"{protocol}://{host}/{new_key}" if host else f"/{new_key}"
        return int(redirect.get("HttpRedirectCode") or 301), [("Location", location)], b""
    return None


def _website_error(
    bucket: str, config: dict[str, Any], status: int, code: str, message: str
) -> Response:
    """The website's error document with ``status`` when the public may read it, else S3's
    own error page."""
    error_key = str((config.get("ErrorDocument") or {}).get("Key") or "")
    error_obj = find_object(bucket, error_key) if error_key else None
    if error_obj is not None and not _denied_to_the_public(bucket, error_key):
        return object_response(error_obj, status=status)
    return error_page(status, code, message)


def _denied_to_the_public(bucket: str, key: str) -> bool:
    """True when the bucket policy denies an anonymous website request GetObject on ``key``.

    Only an explicit Deny is honoured: the preview serves a bucket without a policy too.
    """
    from moto.iam.access_control import PermissionResult

    from .patches import WEBSITE_CONDITIONS, policy_permission

    try:
        found = s3_backend().get_bucket(bucket)
    except Exception:
        return False
    resource = f"arn:aws:s3:::{bucket}/{key}"
    permission = policy_permission(found, "s3:GetObject", resource, WEBSITE_CONDITIONS)
    return bool(permission == PermissionResult.DENIED)
