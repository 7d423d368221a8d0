"""SigV4A (AWS4-ECDSA-P256-SHA256) as botocore's CrtSigV4AsymAuth signs a key value store
request: by awscrt (AWS's C implementation: the ECDSA key derived from the credentials, the
canonical request with the path encoded twice and normalized, the signature), for the region
set ``*``, the payload's SHA-256 signed and not sent, the session token signed, the headers
botocore leaves unsigned left out.

awscrt is imported on the first signature (its native library: ~60 ms of CPU, the GIL held
for most of it), or ahead of it by ``preload``: a release publish preloads it on its pool
before it describes its stack, so the import overlaps that round trip and the lock's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from amplify_tasks.s3wire import Credentials, Signer
from amplify_tasks.s3wire.signing import canonical_query

#: The region set of every request: the store is global.
REGION_SET = "*"
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
    """Import awscrt's signing (its native library) ahead of the first signature."""
    import awscrt.auth
    import awscrt.http  # noqa: F401


def _should_sign(name: str, **_: object) -> bool:
    return name.lower() not in UNSIGNED_HEADERS


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
        import awscrt.auth as crt
        import awscrt.http

        query = canonical_query(params)
        request = awscrt.http.HttpRequest(
            method, f"{path}?{query}" if query else path, awscrt.http.HttpHeaders(headers.items())
        )
        config = crt.AwsSigningConfig(
            algorithm=crt.AwsSigningAlgorithm.V4_ASYMMETRIC,
            signature_type=crt.AwsSignatureType.HTTP_REQUEST_HEADERS,
            credentials_provider=crt.AwsCredentialsProvider.new_static(
                creds.access_key, creds.secret_key, creds.token
            ),
            region=self.region,
            service=self.service,
            date=datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc
            ),
            should_sign_header=_should_sign,
            use_double_uri_encode=True,
            should_normalize_uri_path=True,
            signed_body_value=payload_hash,
            signed_body_header_type=crt.AwsSignedBodyHeaderType.NONE,
        )
        crt.aws_sign_request(request, config).result()
        headers.update(request.headers)
