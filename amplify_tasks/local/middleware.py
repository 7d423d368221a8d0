"""The emulator's WSGI layer in front of moto: records every request, injects faults and
answers the control endpoints under ``/_amplify_tasks/``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import kvs_api
from .classify import classify

CONTROL_PREFIX = "/_amplify_tasks/"
#: The service name of the request log's records of a function's key value store calls.
STORE_READS_SERVICE = "cloudfront-functions"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Error codes used when a fault gives a status but no code.
_DEFAULT_CODES = {
    400: "BadRequest",
    403: "AccessDenied",
    404: "NotFound",
    409: "Conflict",
    429: "Throttling",
    500: "InternalError",
    502: "BadGateway",
    503: "SlowDown",
    504: "GatewayTimeout",
}


@dataclass
class Fault:
    """The next ``count`` requests matching (after letting ``after`` through) get ``status``,
    after ``delay`` seconds; status 0 only delays them (then moto answers)."""

    status: int
    count: int = 1
    after: int = 0
    method: str | None = None
    path_regex: str | None = None
    service: str | None = None
    operation: str | None = None
    code: str | None = None
    message: str | None = None
    delay: float = 0.0
    #: a raw text/plain body instead of the AWS error document (a proxy's or a load
    #: balancer's answer, which botocore cannot parse)
    body: str | None = None

    def matches(self, record: dict[str, Any], target: str) -> bool:
        if self.method and self.method.upper() != record["method"]:
            return False
        if self.service and self.service.lower() != record["service"]:
            return False
        if self.operation and self.operation != record["operation"]:
            return False
        return not (self.path_regex and not re.search(self.path_regex, target))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        allowed = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        fault = cls(**data)
        fault.status = int(fault.status)
        fault.count = int(fault.count)
        fault.after = int(fault.after)
        fault.delay = float(fault.delay)
        return fault


def error_body(record: dict[str, Any], status: int, code: str, message: str) -> tuple[str, bytes]:
    """(content type, body) of an AWS-style error for the request's protocol."""
    request_id = uuid.uuid4().hex.upper()
    if record["service"] in {"s3", "cloudfront"}:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return "application/xml", xml.encode()
    if record["service"] == kvs_api.SERVICE:
        return "application/json", json.dumps({"Message": message, "__type": code}).encode()
    kind = "Sender" if status < 500 else "Receiver"
    xml = (
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return "text/xml", xml.encode()


def _peek_body(environ: dict[str, Any]) -> bytes | None:
    """Read a request's body (Content-Length bytes) and put it back for moto; None when
    its length is not a number."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _digest_matches(environ: dict[str, Any]) -> bool:
    """False when an S3 request's Content-MD5 is not the MD5 of its body (S3 answers
    BadDigest); the body is put back for moto. Streamed (aws-chunked) bodies are not read."""
    expected = environ.get("HTTP_CONTENT_MD5")
    sha = str(environ.get("HTTP_X_AMZ_CONTENT_SHA256", ""))
    if (
        not expected
        or sha.startswith("STREAMING")
        or "chunked"
        in str(environ.get("HTTP_CONTENT_ENCODING", "") + environ.get("HTTP_TRANSFER_ENCODING", ""))
    ):
        return True
    body = _peek_body(environ)
    if body is None:
        return True
    digest = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
    return bool(expected.strip() == digest)


class ControlMiddleware:
    """Wraps the moto dispatcher; thread-safe for werkzeug's threaded server."""

    def __init__(
        self,
        app: WsgiApp,
        previews: Callable[[], list[dict[str, Any]]] = list,
        resources: Callable[[str], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.app = app
        self.previews = previews
        self.resources = resources
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.faults: list[Fault] = []

    def record_store_reads(self, function: str, reads: list[tuple[str, str]]) -> None:
        """A function's key value store calls of one request, as records of service
        ``cloudfront-functions`` (operation ``get``, ``exists`` or ``meta``)."""
        now = time.time()
        records = [
            {
                "service": STORE_READS_SERVICE,
                "operation": method,
                "method": "",
                "path": "",
                "bucket": None,
                "key": key,
                "bytes": 0,
                "function": function,
                "time": now,
            }
            for method, key in reads
        ]
        with self.lock:
            self.records.extend(records)

    # -- WSGI ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", "") or "")
        if path.startswith(CONTROL_PREFIX):
            return self.control(environ, start_response, path[len(CONTROL_PREFIX) :])
        body = self._peek_form_body(environ)
        record = classify(environ, body)
        record["time"] = time.time()
        query = environ.get("QUERY_STRING", "")
        target = f"{path}?{query}" if query else path
        fault = self._take_fault(record, target)
        with self.lock:
            if fault and fault.status:
                record["fault"] = fault.status
            self.records.append(record)
        if fault and fault.delay > 0:
            time.sleep(fault.delay)
        if fault and fault.status:
            code = fault.code or _DEFAULT_CODES.get(fault.status, "InternalError")
            message = fault.message or f"injected fault ({fault.status})"
            if fault.body is None:
                ctype, payload = error_body(record, fault.status, code, message)
            else:
                ctype, payload = "text/plain; charset=utf-8", fault.body.encode()
            self._drain(environ)
            start_response(
                f"{fault.status} {code}",
                [("Content-Type", ctype), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        if record["service"] == kvs_api.SERVICE:
            return kvs_api.app(environ, start_response)
        if record["service"] == "s3" and not _digest_matches(environ):
            message = "The Content-MD5 you specified did not match what we received."
            ctype, payload = error_body(record, 400, "BadDigest", message)
            start_response(
                "400 BadDigest", [("Content-Type", ctype), ("Content-Length", str(len(payload)))]
            )
            return [payload]
        return self._guarded(environ, start_response, record)

    def _guarded(
        self, environ: dict[str, Any], start_response: Callable[..., Any], record: dict[str, Any]
    ) -> Any:
        """moto's answer, or an AWS-style InternalFailure (traceback to the log) when it raises,
        so a bug behind one call never reaches clients as an HTML page they cannot parse."""
        try:
            return self.app(environ, start_response)
        except Exception as exc:
            traceback.print_exc()
            ctype, payload = error_body(record, 500, "InternalFailure", f"emulator error: {exc!r}")
            start_response(
                "500 InternalFailure",
                [("Content-Type", ctype), ("Content-Length", str(len(payload)))],
                sys.exc_info(),
            )
            return [payload]

    @staticmethod
    def _peek_form_body(environ: dict[str, Any]) -> bytes | None:
        """Read a form-encoded (query protocol) body and put it back for moto."""
        if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
            return None
        return _peek_body(environ)

    @staticmethod
    def _drain(environ: dict[str, Any]) -> None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            environ["wsgi.input"].read(length)

    def _take_fault(self, record: dict[str, Any], target: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count <= 0 or not fault.matches(record, target):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.count -= 1
                return fault
            self.faults = [f for f in self.faults if f.count > 0]
        return None

    # -- control endpoints --------------------------------------------------------------
    def control(
        self, environ: dict[str, Any], start_response: Callable[..., Any], route: str
    ) -> Any:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            status, payload = self._route(method, route.strip("/"), environ)
        except ValueError as exc:
            status, payload = 400, {"error": str(exc)}
        body = json.dumps(payload, default=str).encode()
        start_response(
            f"{status} {'OK' if status < 400 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    @staticmethod
    def _json_body(environ: dict[str, Any], what: str) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length) or b"{}")
        if not isinstance(data, dict):
            raise ValueError(f"{what} is a JSON object")
        return data

    def _route(self, method: str, route: str, environ: dict[str, Any]) -> tuple[int, Any]:
        if route == "health":
            return 200, {"status": "ok"}
        if route == "requests":
            if method == "DELETE":
                with self.lock:
                    self.records.clear()
                return 200, []
            with self.lock:
                return 200, list(self.records)
        if route == "faults":
            if method == "DELETE":
                with self.lock:
                    self.faults.clear()
                return 200, []
            if method == "POST":
                fault = Fault.from_json(self._json_body(environ, "a fault"))
                with self.lock:
                    self.faults.append(fault)
                return 200, vars(fault)
            with self.lock:
                return 200, [vars(f) for f in self.faults]
        if route == "credentials" and method == "POST":
            from .sigv4a import SECRETS

            pair = self._json_body(environ, "a credential pair")
            SECRETS.add(str(pair["AccessKeyId"]), str(pair["SecretAccessKey"]))
            return 200, {"AccessKeyId": pair["AccessKeyId"]}
        if route == "age" and method == "POST":
            from .aging import age_object

            return 200, age_object(self._json_body(environ, "an object to age"))
        if route == "previews":
            return 200, self.previews()
        if route.startswith("resources/") and self.resources is not None:
            return 200, self.resources(route[len("resources/") :])
        return 404, {"error": f"no control endpoint {route!r}"}
