"""CloudFormation over the wire: the stack check a publish makes every time (DescribeStacks,
GetTemplate) without loading botocore, where the environment gives credentials, region and
endpoint (``env_client``); botocore's client for everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .client import WireCloudFormation

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

    from amplify_tasks.retrying import RetryWatch
    from amplify_tasks.s3wire import EnvAccess

__all__ = ["WireCloudFormation", "env_client"]


def env_client(
    access: EnvAccess,
    botocore: Callable[[], CloudFormationClient],
    *,
    watch: RetryWatch | None = None,
) -> CloudFormationClient | None:
    """WireCloudFormation with the environment's credentials, region and endpoint; None
    where botocore should send the requests (see ``s3wire.EnvAccess.endpoint``)."""
    from amplify_tasks.s3wire import env_transport

    endpoint = access.endpoint("cloudformation")
    if endpoint is None:
        return None
    transport = env_transport(access, endpoint, max_pool=2, watch=watch, service="cloudformation")
    return cast("CloudFormationClient", WireCloudFormation(transport, botocore))
