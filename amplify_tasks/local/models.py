"""Our CloudFormation resource models for moto (``s3_models``, ``cloudfront_models``) and
their installation into moto's CloudFormation (imported before the first CFN call).
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel

from .cloudfront_models import (
    HostingCachePolicy,
    HostingDistribution,
    HostingFunction,
    HostingKeyValueStore,
    HostingOriginAccessControl,
    HostingResponseHeadersPolicy,
)
from .domain_models import HostingCertificate, HostingRecordSet
from .iam_models import HostingOidcProvider, HostingRole
from .resource_store import STORE
from .s3_models import BucketNotEmpty, HostingBucket, HostingBucketPolicy, bucket_is_empty

__all__ = ["OUR_MODELS", "STORE", "BucketNotEmpty", "HostingBucket", "bucket_is_empty", "install"]

OUR_MODELS: tuple[type[CloudFormationModel], ...] = (
    HostingBucket,
    HostingBucketPolicy,
    HostingDistribution,
    HostingOriginAccessControl,
    HostingFunction,
    HostingKeyValueStore,
    HostingCachePolicy,
    HostingResponseHeadersPolicy,
    HostingCertificate,
    HostingRecordSet,
    HostingOidcProvider,
    HostingRole,
)


def install() -> None:
    """Make moto's CloudFormation use our models: rebuild its cached registry and check it."""
    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    registry = parsing.get_model_map()
    for model in OUR_MODELS:
        if registry.get(model.cloudformation_type()) is not model:
            raise RuntimeError(f"moto does not use our model for {model.cloudformation_type()}")
