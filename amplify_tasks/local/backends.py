"""Access to moto's in-process S3 and CloudFront backends for the emulator's default
account and partition (the account the dummy credentials map to).
"""

from __future__ import annotations

from typing import Any

REGION = "us-east-1"


def default_account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return str(DEFAULT_ACCOUNT_ID)


def s3_backend(account_id: str | None = None, region_name: str = REGION) -> Any:
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    return s3_backends[account_id or default_account()][get_partition(region_name)]


def cloudfront_backend(account_id: str | None = None, region_name: str = REGION) -> Any:
    from moto.cloudfront.models import cloudfront_backends
    from moto.utilities.utils import get_partition

    return cloudfront_backends[account_id or default_account()][get_partition(region_name)]
