"""What AWS checks of a SigV4A-signed key value store request (AWS4-ECDSA-P256-SHA256), as a
client could get it wrong: the Authorization header's form, its credential scope (the day of
X-Amz-Date, service ``cloudfront-keyvaluestore``, ``aws4_request``), the signed headers
(``host``, ``x-amz-date``, ``x-amz-region-set`` of ``*``, the session token when sent), a
date within 15 minutes, and, for an access key whose secret the emulator knows (its own
environment's, or one given to its control API: ``/_amplify_tasks/credentials``), the ECDSA
signature itself: the canonical request rebuilt from the request as sent (the path encoded
once more), the public key derived from the secret as aws-c-auth derives it (the key and the
string to sign are ``kvswire.signing``'s). ``cryptography`` verifies. Requests of an unknown
access key are accepted whatever their signature, as moto accepts every other request.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import threading
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote

from amplify_tasks.kvswire.signing import (
    ALGORITHM,
    REGION_SET,
    ecdsa_key,
    encoded_again,
    string_to_sign,
)

from .kvs import KvsError as SignatureRefused

SERVICE = "cloudfront-keyvaluestore"
#: How far X-Amz-Date may be from the emulator's clock.
MAX_SKEW = datetime.timedelta(minutes=15)

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Credential=(?P<key>[^/,\s]+)/(?P<day>\d{{8}})/(?P<service>[^/,\s]+)/"
    r"(?P<end>[^/,\s]+),\s*SignedHeaders=(?P<signed>[a-z0-9;\-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]+)$"
)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)


class Secrets:
    """Secret keys by access key id (thread-safe), the environment's pair to begin with."""

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.lock = threading.Lock()
        self.known: dict[str, str] = {}
        key, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
        if key and secret:
            self.known[key] = secret

    def add(self, key: str, secret: str) -> None:
        with self.lock:
            self.known[key] = secret

    def get(self, key: str) -> str | None:
        with self.lock:
            return self.known.get(key)


SECRETS = Secrets()


def _header(environ: Mapping[str, object], name: str) -> str | None:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}")
    return None if value is None else " ".join(str(value).split())


def canonical_request(environ: Mapping[str, object], path: str, signed: str, body: bytes) -> str:
    """The canonical request of ``environ`` (``path`` as sent), for headers ``signed``."""
    uri = encoded_again(path)
    pairs = parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True)
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(pairs))
    headers = "".join(f"{name}:{_header(environ, name) or ''}\n" for name in signed.split(";"))
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    return "\n".join([method, uri, query, headers, signed, hashlib.sha256(body).hexdigest()])


def check(environ: Mapping[str, object], path: str, body: bytes) -> None:
    """SignatureRefused unless the request is signed as AWS wants it (see the module)."""
    authorization = _header(environ, "authorization")
    if not authorization:
        raise SignatureRefused(
            "MissingAuthenticationTokenException", 403, "Missing Authentication Token"
        )
    found = _AUTHORIZATION.match(authorization)
    if found is None:
        raise SignatureRefused(
            "IncompleteSignatureException",
            400,
            f"Authorization header requires the {ALGORITHM} Credential, SignedHeaders and "
            f"Signature parameters: {authorization.split(' Signature=')[0]}",
        )
    amz_date = _header(environ, "x-amz-date") or ""
    _check_scope(found, amz_date, environ)
    signed = found.group("signed").split(";")
    wanted = {"host", "x-amz-date", "x-amz-region-set"}
    if _header(environ, "x-amz-security-token") is not None:
        wanted.add("x-amz-security-token")
    if not wanted <= set(signed) or signed != sorted(signed):
        raise SignatureRefused(
            "InvalidSignatureException",
            403,
            f"SignedHeaders must be sorted and include {', '.join(sorted(wanted))}.",
        )
    secret = SECRETS.get(found.group("key"))
    if secret is not None:
        _verify(
            found, secret, amz_date, canonical_request(environ, path, found.group("signed"), body)
        )


def _check_scope(found: re.Match[str], amz_date: str, environ: Mapping[str, object]) -> None:
    scope = f"{found.group('day')}/{found.group('service')}/{found.group('end')}"
    if found.group("service") != SERVICE or found.group("end") != "aws4_request":
        raise SignatureRefused(
            "InvalidSignatureException",
            403,
            f"Credential should be scoped to correct service: '{SERVICE}'. (scope {scope})",
        )
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc
        )
    except ValueError:
        raise SignatureRefused(
            "IncompleteSignatureException", 400, "X-Amz-Date must be YYYYMMDDTHHMMSSZ."
        ) from None
    if not amz_date.startswith(found.group("day")):
        raise SignatureRefused(
            "InvalidSignatureException",
            403,
            f"Credential should be scoped to a valid date, not {found.group('day')} "
            f"(X-Amz-Date {amz_date}).",
        )
    now = datetime.datetime.now(datetime.timezone.utc)
    if abs(now - when) > MAX_SKEW:
        raise SignatureRefused(
            "InvalidSignatureException",
            403,
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')}.",
        )
    if _header(environ, "x-amz-region-set") != REGION_SET:
        raise SignatureRefused(
            "InvalidSignatureException",
            403,
            f"X-Amz-Region-Set must be '{REGION_SET}' for {SERVICE}.",
        )


def _verify(found: re.Match[str], secret: str, amz_date: str, canonical: str) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    _scope, to_sign = string_to_sign(amz_date, SERVICE, canonical)
    key = ecdsa_key(found.group("key"), secret)
    try:
        key.public_key().verify(
            bytes.fromhex(found.group("signature")), to_sign.encode(), ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        raise SignatureRefused("InvalidSignatureException", 403, _MISMATCH) from None
