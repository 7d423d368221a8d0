"""Sending one signed request (S3's, or another service's: ``exchange``) over pooled
connections (``connections``), with botocore's standard retry rules (connection errors, 5xx,
throttling; up to ``MAX_ATTEMPTS``, exponential backoff with jitter), the tool's RetryWatch
on connection failures, and botocore's exceptions for what fails: a ClientError that carries
the service's error code, or the connection error botocore raises, so the tool's one-line
error translation reads them as it reads botocore's own.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from .connections import Reply as Answer
from .endpoint import Endpoint
from .signing import UNSIGNED_PAYLOAD, Credentials, Signer, canonical_query

if TYPE_CHECKING:
    from botocore.exceptions import ClientError, _ClientErrorResponseTypeDef

    from amplify_tasks.retrying import RetryWatch

#: One line per answer at DEBUG (``inv --debug``): method, URL, status; no header is logged.
LOG = logging.getLogger("amplify_tasks.s3wire")

#: Attempts per request and the longest pause between two (botocore's standard mode).
MAX_ATTEMPTS = 10
MAX_BACKOFF = 20.0
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 120.0

#: Answers worth another attempt (botocore's standard mode).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
RETRY_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "InternalError",
    }
)


@dataclass(frozen=True)
class Request:
    """One S3 request, before signing. ``key`` None addresses the bucket itself."""

    operation: str
    method: str
    bucket: str
    key: str | None = None
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    body: bytes = b""


class Transport:
    """Signs and sends requests to one endpoint; thread-safe (one pool per host)."""

    def __init__(
        self,
        endpoint: Endpoint,
        credentials: Callable[[], Credentials],
        *,
        max_pool: int,
        ca_certs: str | None = None,
        watch: RetryWatch | None = None,
        sleep: Callable[[float], None] = time.sleep,
        service: str = "s3",
        signer: Signer | None = None,
    ) -> None:
        from .connections import Pool

        self.endpoint = endpoint
        self.credentials = credentials
        self.signer = signer or Signer(endpoint.region, service)
        self.watch = watch
        self.sleep = sleep
        self.pool = Pool(
            tls=endpoint.tls,
            ca_certs=ca_certs,
            max_idle=max_pool,
            timeouts=(CONNECT_TIMEOUT, READ_TIMEOUT),
        )

    def send(self, request: Request) -> Answer:
        """The answer to ``request`` (after retries), or the error botocore would raise."""
        host, path = self.endpoint.locate(request.bucket, request.key)
        return self.exchange(request, host, path)

    def exchange(self, request: Request, host: str, path: str, via: str = "") -> Answer:
        """Send ``request`` to ``host`` at ``path`` (quoted), signed, with botocore's retries:
        S3's payload is not signed over TLS (Content-MD5 guards it), other services' is.
        ``via``: the HTTP proxy (host[:port]) the request goes through, in absolute form."""
        url = self.endpoint.origin(host)
        reached = self.endpoint.origin(via) if via else url  # what a connection error names
        params = dict(request.params or {})
        query = canonical_query(params)
        target = f"{path}?{query}" if query else path
        if via:
            target = f"{url}{target}"
        payload = (
            UNSIGNED_PAYLOAD
            if self.endpoint.tls and request.body and self.signer.service == "s3"
            else hashlib.sha256(request.body).hexdigest()
        )
        failed = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            headers = {"Host": host, "User-Agent": "amplify-tasks", **(request.headers or {})}
            if request.body or request.method in ("PUT", "POST"):
                headers["Content-Length"] = str(len(request.body))
            self.signer.sign(
                request.method, path, params, headers, self.credentials(), _amz_date(), payload
            )
            try:
                answer = self.pool.request(
                    request.method, via or host, target, headers, request.body
                )
            except Exception as exc:
                error = _connection_error(exc, reached)
                if error is None:
                    raise
                if not self._retry_after_failure(reached, request.operation, attempt, error):
                    raise error from exc
                failed = True
                continue
            if LOG.isEnabledFor(logging.DEBUG):
                shown = target if via else f"{url}{target}"
                LOG.debug("%s %s -> %s", request.method, shown, answer.status)
            if failed and self.watch is not None:
                self.watch.check(reached, request.operation, attempt, None)
                failed = False
            if answer.status < 300 or attempt == MAX_ATTEMPTS:
                return answer
            code = error_code(answer)
            if answer.status not in RETRY_STATUSES and code not in RETRY_CODES:
                return answer
            self.sleep(_backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_after_failure(
        self, origin: str, operation: str, attempt: int, error: Exception
    ) -> bool:
        if attempt >= MAX_ATTEMPTS:
            return False
        if self.watch is not None and self.watch.check(origin, operation, attempt, error) is False:
            return False
        self.sleep(_backoff(attempt))
        return True


def _amz_date() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF, random.random() * 2 ** (attempt - 1))


def error_code(answer: Answer) -> str:
    """The error code of an error answer: S3's and the query protocol's (XML), a JSON
    protocol's (``json_error``); the status, for one without a code."""
    if "x-amzn-errortype" in answer.headers or answer.body.lstrip().startswith(b"{"):
        return json_error(answer)[0] or str(answer.status)
    from .xmlparse import error_fields

    return error_fields(answer.body).get("Code") or str(answer.status)


def json_error(answer: Answer) -> tuple[str, str]:
    """(code, message) of a JSON protocol's error answer as botocore's REST-JSON parser reads
    them: the code from ``x-amzn-ErrorType``, else the body's ``code`` (``Code``), else its
    ``__type`` (a prefix before ``#`` and a suffix after ``:`` dropped); the message from the
    body's ``message`` (``Message``); a body that is not JSON is the message. '' for none."""
    import json

    text = answer.body.decode("utf-8", "replace")
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        body = {"message": text}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message", body.get("Message", ""))
    code = answer.headers.get("x-amzn-errortype")
    if code is None:
        code = body.get("code", body.get("Code", body.get("__type", "")))
    code = str(code or "").split(":", 1)[0].rsplit("#", 1)[-1]
    return code, str(message or "")


def client_error(answer: Answer, operation: str) -> ClientError:
    """botocore's ClientError for an error answer, as botocore's parser builds it."""
    from http.client import responses

    from botocore.exceptions import ClientError

    from .xmlparse import error_fields

    error = error_fields(answer.body)
    error.setdefault("Code", str(answer.status))
    error.setdefault("Message", responses.get(answer.status, ""))
    response: dict[str, object] = {
        "Error": error,
        "ResponseMetadata": {
            "HTTPStatusCode": answer.status,
            "HTTPHeaders": dict(answer.headers),
            "RequestId": error.pop("RequestId", "") or answer.headers.get("x-amz-request-id", ""),
            "HostId": answer.headers.get("x-amz-id-2", ""),
            "RetryAttempts": 0,
        },
    }
    return ClientError(cast("_ClientErrorResponseTypeDef", response), operation)


def _connection_error(exc: Exception, url: str) -> Exception | None:
    """The botocore exception botocore's HTTP layer raises for the same failure."""
    import socket
    import ssl

    from botocore import exceptions as bx

    from .connections import ConnectFailed, ReadFailed

    if isinstance(exc, ConnectFailed):
        cause = exc.error
        if isinstance(cause, ssl.SSLError):
            return bx.SSLError(endpoint_url=url, error=cause)
        if isinstance(cause, socket.timeout):
            return bx.ConnectTimeoutError(endpoint_url=url, error=cause)
        return bx.EndpointConnectionError(endpoint_url=url, error=cause)
    if isinstance(exc, ReadFailed):
        if exc.timed_out:
            return bx.ReadTimeoutError(endpoint_url=url, error=exc.error)
        return bx.ConnectionClosedError(endpoint_url=url, error=exc.error)
    return None
