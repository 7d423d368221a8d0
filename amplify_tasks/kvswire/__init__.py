"""The CloudFront KeyValueStore over the wire: a release stage's store calls
(DescribeKeyValueStore, GetKey, ListKeys, UpdateKeys) without loading botocore, where the
environment gives credentials, region and endpoint (``env_client``), signed with SigV4A
(``signing``: the ECDSA signature by ``cryptography``); botocore's client for everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .client import WireKeyValueStore
from .endpoint import Routes, Target, routes
from .signing import AsymmetricSigner

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

    from amplify_tasks.retrying import RetryWatch
    from amplify_tasks.s3wire import EnvAccess

__all__ = [
    "SERVICE",
    "AsymmetricSigner",
    "Routes",
    "Target",
    "WireKeyValueStore",
    "env_client",
    "routes",
]

#: The signing name of the service (its credential scope).
SERVICE = "cloudfront-keyvaluestore"


def env_client(
    access: EnvAccess,
    botocore: Callable[[], CloudFrontKeyValueStoreClient],
    *,
    watch: RetryWatch | None = None,
) -> CloudFrontKeyValueStoreClient | None:
    """WireKeyValueStore with the environment's credentials and endpoint; None where
    botocore should send the requests (see ``endpoint``)."""
    from amplify_tasks.s3wire import env_transport

    found = routes(access.endpoints, access.region)
    if found is None:
        return None
    transport = env_transport(
        access, found.endpoint, max_pool=2, watch=watch, signer=AsymmetricSigner(SERVICE)
    )
    return cast("CloudFrontKeyValueStoreClient", WireKeyValueStore(transport, found, botocore))
