"""The CloudFront KeyValueStore data plane (service ``cloudfront-keyvaluestore``, REST-JSON):
DescribeKeyValueStore, GetKey, PutKey, DeleteKey, ListKeys and UpdateKeys, with AWS's ETag
and If-Match rules.

boto3 resolves this service's endpoint from the store's ARN: with ``endpoint_url`` (or
``AWS_ENDPOINT_URL``) set to ``http://127.0.0.1:PORT`` the request goes to
``http://ACCOUNT.127.0.0.1:PORT/key-value-stores/...``, a host name no resolver knows. A client
reaches the emulator by using it as its HTTP proxy as well, e.g. ``botocore.config.Config(
proxies={"http": "http://127.0.0.1:PORT"})``: the request then arrives in absolute form and is
answered here, whatever its host (the emulator never forwards anything). Every request's
SigV4A signature is checked as AWS checks it (``sigv4a``): a refused one gets AWS's 403.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .kvs import REGISTRY, KvsError, check_key, check_value

SERVICE = "cloudfront-keyvaluestore"

Response = tuple[int, list[tuple[str, str]], bytes]


def raw_path(environ: dict[str, Any]) -> str:
    """The request path as sent (percent-encoding kept), also for an absolute-form target."""
    target = str(environ.get("REQUEST_URI") or environ.get("RAW_URI") or "")
    if not target:
        return str(environ.get("PATH_INFO") or "/")
    return urlsplit(target).path if "://" in target else target.split("?", 1)[0]


def route(method: str, path: str) -> tuple[str, str, str | None]:
    """(operation, store ARN, key) of a data-plane request; ValueError when it is none."""
    segments = [unquote(s) for s in path.split("/") if s]
    if len(segments) < 2 or segments[0] != "key-value-stores":
        raise ValueError(f"no KeyValueStore operation at {path}")
    arn = segments[1]
    rest = segments[2:]
    if not rest and method == "GET":
        return "DescribeKeyValueStore", arn, None
    if rest == ["keys"]:
        operation = {"GET": "ListKeys", "POST": "UpdateKeys"}.get(method)
        if operation:
            return operation, arn, None
    if len(rest) == 2 and rest[0] == "keys":
        operation = {"GET": "GetKey", "PUT": "PutKey", "DELETE": "DeleteKey"}.get(method)
        if operation:
            return operation, arn, rest[1]
    raise ValueError(f"no KeyValueStore operation {method} {path}")


def operation_of(environ: dict[str, Any]) -> tuple[str, str | None]:
    """(operation, key) for the request log."""
    try:
        operation, _, key = route(str(environ.get("REQUEST_METHOD", "GET")), raw_path(environ))
    except ValueError:
        return "", None
    return operation, key


def _json(status: int, payload: dict[str, Any]) -> Response:
    headers = [("Content-Type", "application/json")]
    etag = payload.pop("ETag", None)
    if etag:
        headers.append(("ETag", str(etag)))
    return status, headers, json.dumps(payload).encode()


def error(exc: KvsError) -> Response:
    body = json.dumps({"Message": exc.message}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", exc.code)]
    return exc.status, headers, body


def _peek(environ: dict[str, Any]) -> bytes:
    """The request's body (Content-Length bytes), put back for ``_body``."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    raw = _peek(environ)
    try:
        data = json.loads(raw or b"{}")
    except ValueError as exc:
        raise KvsError("ValidationException", 400, "The request body is not JSON.") from exc
    if not isinstance(data, dict):
        raise KvsError("ValidationException", 400, "The request body is not a JSON object.")
    return data


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise KvsError("ValidationException", 400, f"{name} must be a string.")
    return value


def _puts(items: Iterable[Any]) -> list[tuple[str, str]]:
    return [
        (_string(i.get("Key"), "Key"), _string(i.get("Value"), "Value"))
        for i in items
        if isinstance(i, dict)
    ]


def handle(environ: dict[str, Any]) -> Response:
    """Answer one data-plane request (its SigV4A signature checked first: ``sigv4a``)."""
    from .sigv4a import SignatureRefused, check

    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    path = raw_path(environ)
    try:
        check(environ, path, _peek(environ))
    except SignatureRefused as exc:
        return error(KvsError(exc.code, exc.status, exc.message))
    try:
        operation, arn, key = route(method, path)
    except ValueError as exc:
        return error(KvsError("ValidationException", 400, str(exc)))
    try:
        return _json(200, _perform(operation, arn, key, environ))
    except KvsError as exc:
        return error(exc)


def _perform(operation: str, arn: str, key: str | None, environ: dict[str, Any]) -> dict[str, Any]:
    store = REGISTRY.find(arn)
    if_match = environ.get("HTTP_IF_MATCH")
    if operation == "DescribeKeyValueStore":
        return store.describe()
    if operation == "ListKeys":
        query = {k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING") or "")).items()}
        size = query.get("MaxResults")
        try:
            max_results = int(size) if size is not None else None
        except ValueError as exc:
            raise KvsError("ValidationException", 400, "MaxResults must be a number.") from exc
        return store.page(max_results, query.get("NextToken"))
    if operation == "UpdateKeys":
        body = _body(environ)
        deletes = [_string(d.get("Key"), "Key") for d in body.get("Deletes") or [] if d]
        return store.update(if_match, _puts(body.get("Puts") or []), deletes)
    assert key is not None
    check_key(key)
    if operation == "GetKey":
        return store.get(key)
    if operation == "DeleteKey":
        return store.delete(if_match, key)
    value = _string(_body(environ).get("Value"), "Value")
    check_value(key, value)
    return store.update(if_match, [(key, value)], [])


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI entry point for requests signed for ``cloudfront-keyvaluestore``."""
    status, headers, body = handle(environ)
    headers = [*headers, ("Content-Length", str(len(body)))]
    start_response(f"{status} {'OK' if status < 400 else 'Error'}", headers)
    return [body]
