"""S3 over the wire: the publish's object requests (PUT, COPY, listing, deletes) signed with
SigV4 and sent over pooled connections, with botocore's credentials, endpoint, addressing,
retry rules and exceptions; botocore's S3 client for everything else (``wire_client``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .client import WireS3
from .endpoint import Endpoint, ca_bundle, resolve
from .signing import Credentials, Signer
from .transport import Request, Transport

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.retrying import RetryWatch

__all__ = [
    "Credentials",
    "Endpoint",
    "Request",
    "Signer",
    "Transport",
    "WireS3",
    "session_credentials",
    "wire_client",
]


def session_credentials(sess: Session) -> Callable[[], Credentials]:
    """The session's credentials as each request signs with them: found once (botocore's
    chain), then frozen per request (refreshable credentials refresh themselves)."""
    found: list[object] = []
    lock = threading.Lock()

    def frozen() -> Credentials:
        from botocore.exceptions import NoCredentialsError

        with lock:
            if not found:
                found.append(sess.get_credentials())
        creds = found[0]
        if creds is None:
            raise NoCredentialsError()
        now = creds.get_frozen_credentials()  # type: ignore[attr-defined]
        return Credentials(now.access_key, now.secret_key, now.token)

    return frozen


def wire_client(
    sess: Session,
    botocore: Callable[[], S3Client],
    *,
    region: str,
    max_pool: int,
    watch: RetryWatch | None = None,
) -> S3Client:
    """The publish's S3 client: WireS3 where the endpoint is one it can reach as botocore
    would (see ``endpoint``), else the client ``botocore`` makes."""
    endpoint = resolve(sess, region)
    if endpoint is None:
        return botocore()
    transport = Transport(
        endpoint,
        session_credentials(sess),
        max_pool=max_pool,
        ca_certs=ca_bundle(sess) if endpoint.tls else None,
        watch=watch,
    )
    return cast("S3Client", WireS3(transport, botocore))
