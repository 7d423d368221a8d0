"""AWS Signature Version 4 as botocore computes it: for S3 as its S3SigV4Auth (paths encoded
once, X-Amz-Content-SHA256 sent), for other services as its SigV4Auth (the payload's hash
signed, not sent; the tool's paths are ``/``, which both encode alike): the canonical request,
the string to sign, the derived key (cached per day, region and secret), the Authorization
header.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

#: The payload hash of a request whose body is not signed (over TLS, with Content-MD5).
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

#: The SHA-256 of an empty body.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

#: Headers never signed (proxies may change them).
UNSIGNED_HEADERS = frozenset({"user-agent", "expect", "x-amzn-trace-id"})


@dataclass(frozen=True)
class Credentials:
    """Frozen credentials, as botocore's ``get_frozen_credentials`` gives them."""

    access_key: str
    secret_key: str
    token: str | None = None


def quote_path(path: str) -> str:
    """A key or path as S3 wants it in a URL and in the canonical request."""
    return quote(path, safe="/~")


def quote_param(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{quote_param(k)}={quote_param(v)}" for k, v in sorted(params.items()))


def canonical_request(
    method: str,
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    payload_hash: str,
    unsigned: frozenset[str] = UNSIGNED_HEADERS,
) -> tuple[str, str]:
    """The canonical request of SigV4 and SigV4A (``path`` as it is signed) and the names of
    its signed headers: every header but ``unsigned``, lower-cased, sorted, values trimmed."""
    signed = sorted(
        (k.lower(), " ".join(str(v).split()))
        for k, v in headers.items()
        if k.lower() not in unsigned
    )
    names = ";".join(k for k, _ in signed)
    lines = [method, path, canonical_query(params), "".join(f"{k}:{v}\n" for k, v in signed)]
    return "\n".join([*lines, names, payload_hash]), names


class Signer:
    """Signs requests to one service in one region (thread-safe; the signing key is kept
    per day)."""

    def __init__(self, region: str, service: str = "s3") -> None:
        self.region = region
        self.service = service
        self._keys: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def _key(self, secret: str, day: str) -> bytes:
        with self._lock:
            found = self._keys.get((secret, day))
        if found is not None:
            return found
        key = _hmac(("AWS4" + secret).encode(), day)
        for part in (self.region, self.service, "aws4_request"):
            key = _hmac(key, part)
        with self._lock:
            self._keys = {(secret, day): key}  # one day's key at a time
        return key

    def sign(
        self,
        method: str,
        path: str,
        params: Mapping[str, str],
        headers: dict[str, str],
        creds: Credentials,
        amz_date: str,
        payload_hash: str,
    ) -> None:
        """Add X-Amz-Date, X-Amz-Content-SHA256, the session token and Authorization to
        ``headers`` (which must hold Host); ``path`` is already quoted (quote_path)."""
        headers["X-Amz-Date"] = amz_date
        if self.service == "s3":
            headers["X-Amz-Content-SHA256"] = payload_hash
        if creds.token:
            headers["X-Amz-Security-Token"] = creds.token
        canonical, names = canonical_request(method, path, params, headers, payload_hash)
        day = amz_date[:8]
        scope = f"{day}/{self.region}/{self.service}/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        signature = hmac.new(
            self._key(creds.secret_key, day), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, "
            f"SignedHeaders={names}, Signature={signature}"
        )


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()
