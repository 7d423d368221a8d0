"""SigV4A (AWS4-ECDSA-P256-SHA256) as botocore's CrtSigV4AsymAuth (awscrt) signs a key value
store request: the ECDSA P-256 key derived from the credentials as aws-c-auth derives it, the
canonical request with the path encoded once more, for the region set ``*``, the payload's
SHA-256 signed and not sent, the session token signed, the headers botocore leaves unsigned
left out; the signature by ``cryptography`` (DER, in hex). The store's paths (its ARN and a
key name, each quoted whole) hold no ``.`` or ``..`` segments, so normalizing them, as
awscrt does, changes nothing.

``cryptography`` is imported on the first signature (~15 ms of CPU), or ahead of it by
``preload``: a release publish preloads it on its pool before it describes its stack.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from amplify_tasks.s3wire import Credentials, Signer
from amplify_tasks.s3wire.signing import canonical_request

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

ALGORITHM = "AWS4-ECDSA-P256-SHA256"
#: The region set of every request: the store is global.
REGION_SET = "*"
#: The order of P-256's group (the key derivation keeps the private key below it).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
#: Headers botocore never signs (its SIGNED_HEADERS_BLACKLIST).
UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)


def preload() -> None:
    """Import the signature's elliptic curve code ahead of the first signature."""
    from cryptography.hazmat.primitives import hashes  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: F401


def private_key(access_key: str, secret: str) -> int:
    """The ECDSA P-256 private key of a credential pair, as aws-c-auth derives it (NIST SP
    800-108 counter mode with HMAC-SHA256 over the access key id, the counter raised until
    the candidate is below the group's order minus one)."""
    for counter in range(1, 255):
        fixed = b"".join(
            [
                (1).to_bytes(4, "big"),
                ALGORITHM.encode(),
                b"\x00",
                access_key.encode(),
                bytes([counter]),
                (256).to_bytes(4, "big"),
            ]
        )
        digest = hmac.new(f"AWS4A{secret}".encode(), fixed, hashlib.sha256).digest()
        candidate = int.from_bytes(digest, "big")
        if candidate <= P256_ORDER - 2:
            return candidate + 1
    raise ValueError("no key")  # pragma: no cover - a 2**-32 chance per counter


@functools.lru_cache(maxsize=1)
def ecdsa_key(access_key: str, secret: str) -> EllipticCurvePrivateKey:
    """The signing key of a credential pair (``private_key``); the last pair's is kept."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.derive_private_key(private_key(access_key, secret), ec.SECP256R1())


def encoded_again(path: str) -> str:
    """``path`` (quoted once) as SigV4A signs it: each segment quoted once more."""
    return "/".join(quote(segment, safe="-_.~") for segment in path.split("/"))


def string_to_sign(amz_date: str, service: str, canonical: str) -> tuple[str, str]:
    """SigV4A's credential scope (no region: the region set is a header) and string to sign."""
    scope = f"{amz_date[:8]}/{service}/aws4_request"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return scope, "\n".join([ALGORITHM, amz_date, scope, digest])


class AsymmetricSigner(Signer):
    """Signs requests to ``service`` with SigV4A for every region (thread-safe)."""

    def __init__(self, service: str) -> None:
        super().__init__(REGION_SET, service)

    # Signer.sign's parameters, as s3wire's transport passes them
    # fmt: off
    def sign(self, method: str, path: str, params: Mapping[str, str], headers: dict[str, str],
             creds: Credentials, amz_date: str, payload_hash: str) -> None:
        # fmt: on
        """Add X-Amz-Date, X-Amz-Region-Set, the session token and Authorization to
        ``headers`` (which must hold Host); ``path`` is already quoted once."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        headers["X-Amz-Date"] = amz_date
        headers["X-Amz-Region-Set"] = REGION_SET
        if creds.token:
            headers["X-Amz-Security-Token"] = creds.token
        canonical, names = canonical_request(
            method, encoded_again(path), params, headers, payload_hash, UNSIGNED_HEADERS
        )
        scope, to_sign = string_to_sign(amz_date, self.service, canonical)
        key = ecdsa_key(creds.access_key, creds.secret_key)
        signature = key.sign(to_sign.encode(), ec.ECDSA(hashes.SHA256()))
        headers["Authorization"] = (
            f"{ALGORITHM} Credential={creds.access_key}/{scope}, "
            f"SignedHeaders={names}, Signature={signature.hex()}"
        )
