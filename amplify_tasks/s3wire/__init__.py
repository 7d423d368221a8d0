"""S3 over the wire: the publish's object requests (PUT, COPY, listing, deletes) signed with
SigV4 and sent over pooled connections, with botocore's credentials, endpoint, addressing,
retry rules and exceptions; botocore's S3 client for everything else (``wire_client``).
Where the environment holds all botocore would read (``environ``), the credentials, region
and endpoint come from it and botocore is not loaded (``env_wire_client``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .client import WireS3
from .endpoint import Endpoint, ca_bundle, resolve
from .environ import EnvAccess, default_ca_bundle, from_environ
from .fallback import BotocoreFallback
from .signing import Credentials, Signer
from .transport import Answer, Request, Transport, client_error

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.retrying import RetryWatch

__all__ = [
    "Answer",
    "BotocoreFallback",
    "Credentials",
    "Endpoint",
    "EnvAccess",
    "Request",
    "Signer",
    "Transport",
    "WireS3",
    "client_error",
    "env_transport",
    "env_wire_client",
    "from_environ",
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


def env_wire_client(
    access: EnvAccess,
    botocore: Callable[[], S3Client],
    *,
    max_pool: int,
    watch: RetryWatch | None = None,
) -> S3Client | None:
    """WireS3 with the environment's credentials, region and endpoint (``access``); None
    where botocore should send S3's requests (``EnvAccess.endpoint``)."""
    endpoint = access.endpoint("s3")
    if endpoint is None:
        return None
    transport = env_transport(access, endpoint, max_pool=max_pool, watch=watch)
    return cast("S3Client", WireS3(transport, botocore))


def env_transport(
    access: EnvAccess,
    endpoint: Endpoint,
    *,
    max_pool: int,
    watch: RetryWatch | None = None,
    service: str = "s3",
    signer: Signer | None = None,
) -> Transport:
    """A Transport to ``endpoint`` signing with the environment's credentials (with
    ``signer``, else SigV4 for ``service``)."""
    creds = access.credentials
    return Transport(
        endpoint,
        lambda: creds,
        max_pool=max_pool,
        ca_certs=default_ca_bundle() if endpoint.tls else None,
        watch=watch,
        service=service,
        signer=signer,
    )
