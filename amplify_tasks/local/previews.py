"""Preview HTTP servers on loopback ports: one per website bucket (S3 website semantics)
and one per distribution (default root object, custom error responses, index rewrite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from .backends import cloudfront_backend, s3_backend

HOST = "127.0.0.1"

StartResponse = Callable[..., Any]
Response = tuple[int, list[tuple[str, str]], bytes]

#: Object metadata served back as response headers.
_SERVED_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Content-Encoding",
    "Content-Language",
    "Content-Disposition",
    "Expires",
)

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
}


def _find_object(bucket: str, key: str) -> Any:
    """The latest live version of ``key`` in ``bucket``, or None."""
    if not key:
        return None
    try:
        return s3_backend().get_object(bucket, key)
    except Exception:
        return None


def _object_response(obj: Any, status: int = 200) -> Response:
    headers = [("ETag", str(obj.etag)), ("Last-Modified", str(obj.last_modified_RFC1123))]
    metadata = obj.metadata
    for name in _SERVED_HEADERS:
        value = metadata.get(name)
        if value:
            headers.append((name, str(value)))
    if not metadata.get("Content-Type"):
        headers.append(("Content-Type", "binary/octet-stream"))
    return status, headers, bytes(obj.value)


def _error_page(status: int, code: str, message: str) -> Response:
    body = (
        f"<html><head><title>{status} {_REASONS.get(status, '')}</title></head><body>"
        f"<h1>{status} {_REASONS.get(status, '')}</h1><ul><li>Code: {code}</li>"
        f"<li>Message: {message}</li></ul></body></html>"
    ).encode()
    return status, [("Content-Type", "text/html; charset=utf-8")], body


def _access_denied() -> Response:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    )
    return 403, [("Content-Type", "application/xml")], body


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
        return _error_page(404, "NoSuchWebsiteConfiguration", f"{bucket} has no website")
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all:
        protocol = redirect_all.get("Protocol") or "http"
        return 301, [("Location", f"{protocol}://{redirect_all['HostName']}{path}")], b""
    index = (config.get("IndexDocument") or {}).get("Suffix") or "index.html"
    key = unquote(path).lstrip("/")
    lookup = key + index if key == "" or key.endswith("/") else key
    obj = _find_object(bucket, lookup)
    if obj is not None and _denied_to_the_public(bucket, lookup):
        return _website_error(bucket, config, 403, "AccessDenied", "Access Denied")
    if obj is not None:
        redirect = getattr(obj, "website_redirect_location", None)
        if redirect:
            return 301, [("Location", str(redirect))], b""
        return _object_response(obj)
    if key and not key.endswith("/") and _find_object(bucket, f"{key}/{index}") is not None:
        return 302, [("Location", f"/{key}/")], b""
    return _website_error(bucket, config, 404, "NoSuchKey", "The specified key does not exist.")


def _website_error(
    bucket: str, config: dict[str, Any], status: int, code: str, message: str
) -> Response:
    """The website's error document with ``status`` when the public may read it, else S3's
    own error page."""
    error_key = str((config.get("ErrorDocument") or {}).get("Key") or "")
    error_obj = _find_object(bucket, error_key)
    if error_obj is not None and not _denied_to_the_public(bucket, error_key):
        return _object_response(error_obj, status=status)
    return _error_page(status, code, message)


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


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _bucket_of_origin(domain: str) -> str:
    for marker in (".s3-website", ".s3."):
        if marker in domain:
            return domain.split(marker, 1)[0]
    return domain.split(".s3", 1)[0]


def rewrite_directory_index(uri: str) -> str:
    """The directory-index rewrite of our viewer-request CloudFront Function."""
    if uri.endswith("/"):
        return uri + "index.html"
    if "." not in uri.rsplit("/", 1)[-1]:
        return uri + "/index.html"
    return uri


def distribution_response(distribution_id: str, path: str) -> Response:
    """What CloudFront answers for ``path`` from the distribution's S3 (REST + OAC) origin."""
    try:
        dist = cloudfront_backend().distributions[distribution_id]
    except KeyError:
        return _error_page(404, "NoSuchDistribution", f"no distribution {distribution_id}")
    config = dist.distribution_config
    behavior = config.DefaultCacheBehavior
    origin = next(
        (o for o in config.Origins["Items"] if o.id == behavior.target_origin_id),
        config.Origins["Items"][0],
    )
    bucket = _bucket_of_origin(origin.domain_name)
    prefix = (origin.origin_path or "").strip("/")
    uri = unquote(path) or "/"
    if uri == "/" and config.DefaultRootObject:
        uri = "/" + config.DefaultRootObject.lstrip("/")
    associations = getattr(behavior, "function_associations", {}) or {}
    if any(a.get("EventType") == "viewer-request" for a in associations.get("Items") or []):
        uri = rewrite_directory_index(uri)

    def fetch(uri_path: str) -> Any:
        key = uri_path.lstrip("/")
        return _find_object(bucket, f"{prefix}/{key}" if prefix else key)

    obj = fetch(uri)
    if obj is not None:
        return _object_response(obj)
    for item in _listify((config.CustomErrorResponses or {}).get("Items")):
        if int(item.get("ErrorCode", 0)) != 403 or not item.get("ResponsePagePath"):
            continue
        page = fetch(str(item["ResponsePagePath"]))
        if page is None:
            break
        code = item.get("ResponseCode")
        return _object_response(page, status=int(code) if code else 403)
    return _access_denied()


def _wsgi(respond: Callable[[str], Response]) -> Callable[[dict[str, Any], StartResponse], Any]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method not in {"GET", "HEAD"}:
            status, headers, body = _error_page(405, "MethodNotAllowed", f"{method} not allowed")
        else:
            status, headers, body = respond(str(environ.get("PATH_INFO") or "/"))
        headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [b""] if method == "HEAD" else [body]

    return app


class PreviewServer:
    """A threaded werkzeug server on a free loopback port, running in a daemon thread."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Any]) -> None:
        from werkzeug.serving import make_server

        self.server: Any = make_server(HOST, 0, app, threaded=True)
        self.port = int(self.server.server_port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PreviewRegistry:
    """The preview servers running in this process, one per website bucket / distribution."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.servers: dict[tuple[str, str], tuple[PreviewServer, dict[str, Any]]] = {}

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for _, entry in self.servers.values()]

    def _ensure(self, kind: str, name: str, respond: Callable[[str], Response]) -> str:
        with self.lock:
            if (kind, name) not in self.servers:
                server = PreviewServer(_wsgi(respond))
                entry = {
                    "kind": kind,
                    "bucket": name if kind == "website" else None,
                    "distribution_id": name if kind == "distribution" else None,
                    "url": server.url,
                }
                self.servers[(kind, name)] = (server, entry)
            return str(self.servers[(kind, name)][1]["url"])

    def website(self, bucket: str) -> str:
        """Start (or keep) the preview of a website bucket; its URL."""
        return self._ensure("website", bucket, lambda path: website_response(bucket, path))

    def distribution(self, distribution_id: str, bucket: str | None = None) -> str:
        """Start (or keep) the preview of a distribution; its URL."""
        url = self._ensure(
            "distribution",
            distribution_id,
            lambda path: distribution_response(distribution_id, path),
        )
        return url

    def remove(self, kind: str, name: str) -> None:
        with self.lock:
            found = self.servers.pop((kind, name), None)
        if found:
            found[0].stop()


REGISTRY = PreviewRegistry()
