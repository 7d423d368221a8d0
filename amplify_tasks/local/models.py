"""Our CloudFormation resource models for moto: S3 buckets and policies and the CloudFront
types, backed by moto's own S3 and CloudFront backends (imported before the first CFN call).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

# moto's own models for these types must exist before ours: the later definition wins.
import moto.cloudformation.parsing
import moto.cloudfront.models
import moto.s3.models  # noqa: F401
from moto.core.common_models import CloudFormationModel
from moto.core.utils import ensure_boolean

from . import cfn_shapes, function_store, functions, kvs
from .backends import cloudfront_backend, s3_backend
from .previews import REGISTRY
from .resource_store import STORE


class BucketNotEmpty(Exception):
    """Raised when CloudFormation deletes a bucket that still holds objects (AWS's reason)."""

    def __init__(self, bucket: str) -> None:
        super().__init__(
            "The bucket you tried to delete is not empty "
            f"(Service: S3, Status Code: 409, Error Code: BucketNotEmpty, Bucket: {bucket})"
        )
        self.bucket = bucket


def _props(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return dict(cloudformation_json.get("Properties") or {})


class _Model:
    """The CloudFormation plumbing shared by our models. A model sets CFN_TYPE, NAME_PROPERTY
    and ATTRIBUTES and implements ``create``, ``change``, ``remove`` and ``attribute``."""

    CFN_TYPE = ""
    NAME_PROPERTY = ""
    ATTRIBUTES: tuple[str, ...] = ()
    physical_resource_id: str

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    def attribute(self, name: str) -> Any:
        return self.physical_resource_id

    def is_created(self) -> bool:
        return True

    # moto calls these three with CloudFormation's resource JSON (intrinsics resolved)
    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = _props(cloudformation_json)
        logical_id = str(kwargs.get("LogicalId") or cls.CFN_TYPE.rsplit(":", 1)[-1])
        return cls.create(resource_name, props, Where(account_id, region_name, logical_id))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        where = Where(
            account_id, region_name, getattr(original_resource, "logical_resource_id", "")
        )
        return original_resource.change(new_resource_name, _props(cloudformation_json), where)

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cls.remove(resource_name, _props(cloudformation_json), Where(account_id, region_name, ""))

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> Any:
        raise NotImplementedError(cls.CFN_TYPE)

    def change(self, name: str, props: dict[str, Any], where: Where) -> Any:
        raise NotImplementedError(self.CFN_TYPE)

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        raise NotImplementedError(cls.CFN_TYPE)


@dataclass(frozen=True)
class Where:
    """The account, region and logical id a model call is made for."""

    account_id: str
    region: str
    logical_id: str


# -- S3 -----------------------------------------------------------------------------------
def bucket_is_empty(bucket_name: str, account_id: str | None = None) -> bool:
    """True when the bucket holds no object, version or delete marker."""
    bucket = s3_backend(account_id).get_bucket(bucket_name)
    return not bucket.keys


def _has_website(bucket: str, account_id: str) -> bool:
    try:
        return bool(s3_backend(account_id).get_bucket(bucket).website_configuration)
    except Exception:
        return False


class HostingBucket(_Model, CloudFormationModel):
    """AWS::S3::Bucket with website, public access block, ownership, encryption, versioning,
    lifecycle rules and tags; a website bucket gets a loopback preview server whose URL is
    its WebsiteURL."""

    CFN_TYPE = "AWS::S3::Bucket"
    NAME_PROPERTY = "BucketName"
    ATTRIBUTES = ("Arn", "DomainName", "RegionalDomainName", "DualStackDomainName", "WebsiteURL")

    def __init__(self, name: str, account_id: str, region_name: str) -> None:
        self.name = name
        self.physical_resource_id = name
        self.account_id = account_id
        self.region_name = region_name

    def attribute(self, name: str) -> Any:
        region = self.region_name
        if name == "Arn":
            return f"arn:aws:s3:::{self.name}"
        if name == "DomainName":
            return f"{self.name}.s3.amazonaws.com"
        if name == "RegionalDomainName":
            return f"{self.name}.s3.{region}.amazonaws.com"
        if name == "DualStackDomainName":
            return f"{self.name}.s3.dualstack.{region}.amazonaws.com"
        if _has_website(self.name, self.account_id):
            return REGISTRY.website(self.name)
        return f"http://{self.name}.s3-website-{region}.amazonaws.com"

    @staticmethod
    def apply(name: str, props: dict[str, Any], where: Where) -> None:
        """Make the bucket's configuration match ``props`` (absent -> removed)."""
        backend = s3_backend(where.account_id, where.region)
        if props.get("WebsiteConfiguration"):
            backend.put_bucket_website(name, cfn_shapes.website_xml(props["WebsiteConfiguration"]))
            REGISTRY.website(name)
        else:
            backend.delete_bucket_website(name)
            REGISTRY.remove("website", name)
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            backend.put_public_access_block(name, {k: ensure_boolean(v) for k, v in block.items()})
        else:
            backend.delete_public_access_block(name)
        rules = (props.get("OwnershipControls") or {}).get("Rules") or []
        if rules:
            backend.put_bucket_ownership_controls(name, rules[0]["ObjectOwnership"])
        else:
            backend.delete_bucket_ownership_controls(name)
        if props.get("BucketEncryption"):
            backend.put_bucket_encryption(name, cfn_shapes.encryption(props["BucketEncryption"]))
        else:
            backend.delete_bucket_encryption(name)
        status = (props.get("VersioningConfiguration") or {}).get("Status")
        if status:
            backend.put_bucket_versioning(name, status)
        elif backend.get_bucket_versioning(name) == "Enabled":
            backend.put_bucket_versioning(name, "Suspended")
        rules = cfn_shapes.lifecycle_rules(props.get("LifecycleConfiguration") or {})
        if rules:
            backend.put_bucket_lifecycle_configuration(name, rules)
        else:
            backend.delete_bucket_lifecycle(name)
        tags = {str(t["Key"]): str(t["Value"]) for t in props.get("Tags") or []}
        if tags:
            backend.put_bucket_tagging(name, tags)
        else:
            backend.delete_bucket_tagging(name)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingBucket:
        name = str(props.get("BucketName") or name)
        s3_backend(where.account_id, where.region).create_bucket(name, where.region)
        cls.apply(name, props, where)
        return cls(name, where.account_id, where.region)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingBucket:
        wanted = props.get("BucketName")
        if wanted and wanted != self.name:
            replacement = self.create(str(wanted), props, where)
            # AWS too leaves a replaced bucket behind when it still holds objects
            with contextlib.suppress(BucketNotEmpty):
                self.remove(self.name, props, where)
            return replacement
        self.apply(self.name, props, where)
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = s3_backend(where.account_id, where.region)
        if physical_id not in backend.buckets:
            return
        if not bucket_is_empty(physical_id, where.account_id):
            raise BucketNotEmpty(physical_id)
        REGISTRY.remove("website", physical_id)
        backend.delete_bucket(physical_id)


class HostingBucketPolicy(_Model, CloudFormationModel):
    """AWS::S3::BucketPolicy: PutBucketPolicy on create/update, DeleteBucketPolicy on delete."""

    CFN_TYPE = "AWS::S3::BucketPolicy"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.physical_resource_id = f"{bucket}-policy-{uuid.uuid4().hex[:8]}"

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingBucketPolicy:
        bucket = str(props["Bucket"])
        policy = cfn_shapes.policy_bytes(props.get("PolicyDocument") or {})
        s3_backend(where.account_id, where.region).put_bucket_policy(bucket, policy)
        return cls(bucket)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingBucketPolicy:
        if str(props["Bucket"]) != self.bucket:
            self.remove(self.physical_resource_id, {"Bucket": self.bucket}, where)
        return self.create(name, props, where)

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove(
            self.physical_resource_id, {"Bucket": self.bucket}, Where(account_id, region_name, "")
        )

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = s3_backend(where.account_id, where.region)
        if str(props.get("Bucket", "")) in backend.buckets:
            backend.delete_bucket_policy(str(props["Bucket"]))


# -- CloudFront ---------------------------------------------------------------------------
class HostingDistribution(_Model, CloudFormationModel):
    """AWS::CloudFront::Distribution backed by moto's CloudFront backend; gets a preview."""

    CFN_TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = ("Id", "DomainName")

    def __init__(self, distribution_id: str, caller_reference: str, account_id: str) -> None:
        self.distribution_id = distribution_id
        self.physical_resource_id = distribution_id
        self.caller_reference = caller_reference
        self.account_id = account_id

    def attribute(self, name: str) -> Any:
        if name == "Id":
            return self.distribution_id
        return cloudfront_backend(self.account_id).distributions[self.distribution_id].domain_name

    @staticmethod
    def _fill_in(dist: Any, api_config: dict[str, Any]) -> None:
        """Keep what moto's DistributionConfig drops: OAC ids, S3 origin config, functions."""
        config = dist.distribution_config
        sources = api_config["Origins"].get("Items", [])
        for origin, source in zip(config.Origins["Items"], sources, strict=False):
            origin.origin_access_control_id = source.get("OriginAccessControlId", "")
            if "S3OriginConfig" in source:
                origin.s3_origin_config = source["S3OriginConfig"]
        behaviours = [(config.DefaultCacheBehavior, api_config["DefaultCacheBehavior"])]
        cache_items = (getattr(config, "CacheBehaviors", None) or {}).get("Items") or []
        source_items = (api_config.get("CacheBehaviors") or {}).get("Items") or []
        behaviours += list(zip(cache_items, source_items, strict=False))
        for behaviour, source in behaviours:
            behaviour.function_associations = source["FunctionAssociations"]
            behaviour.lambda_function_associations = source["LambdaFunctionAssociations"]

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingDistribution:
        reference = f"{where.logical_id}-{uuid.uuid4().hex}"
        tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]
        backend = cloudfront_backend(where.account_id, where.region)
        # moto's DistributionConfig consumes the dict it gets: convert once per use
        dist, _, _ = backend.create_distribution(
            cfn_shapes.distribution_config(props["DistributionConfig"], reference), tags
        )
        cls._fill_in(dist, cfn_shapes.distribution_config(props["DistributionConfig"], reference))
        REGISTRY.distribution(dist.distribution_id)
        return cls(dist.distribution_id, reference, where.account_id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingDistribution:
        reference = self.caller_reference
        backend = cloudfront_backend(where.account_id, where.region)
        dist, _, _ = backend.update_distribution(
            cfn_shapes.distribution_config(props["DistributionConfig"], reference),
            self.distribution_id,
            True,
        )
        self._fill_in(dist, cfn_shapes.distribution_config(props["DistributionConfig"], reference))
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = cloudfront_backend(where.account_id, where.region)
        if physical_id in backend.distributions:
            backend.delete_distribution(physical_id, True)
        REGISTRY.remove("distribution", physical_id)


class HostingOriginAccessControl(_Model, CloudFormationModel):
    """AWS::CloudFront::OriginAccessControl backed by moto's origin access controls."""

    CFN_TYPE = "AWS::CloudFront::OriginAccessControl"
    ATTRIBUTES = ("Id",)

    def __init__(self, control_id: str) -> None:
        self.physical_resource_id = control_id

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingOriginAccessControl:
        backend = cloudfront_backend(where.account_id, where.region)
        control = backend.create_origin_access_control(dict(props["OriginAccessControlConfig"]))
        return cls(control.id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingOriginAccessControl:
        backend = cloudfront_backend(where.account_id, where.region)
        config = dict(props["OriginAccessControlConfig"])
        backend.update_origin_access_control(self.physical_resource_id, config)
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = cloudfront_backend(where.account_id, where.region)
        backend.origin_access_controls.pop(physical_id, None)


class HostingFunction(_Model, CloudFormationModel):
    """AWS::CloudFront::Function backed by moto's functions (Ref and FunctionARN: the ARN);
    the code limit and key value store associations of the CloudFront API apply."""

    CFN_TYPE = "AWS::CloudFront::Function"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("FunctionARN", "FunctionMetadata.FunctionARN", "Stage")

    def __init__(self, name: str, arn: str, account_id: str) -> None:
        self.name = name
        self.arn = arn
        self.physical_resource_id = arn
        self.account_id = account_id

    def attribute(self, name: str) -> Any:
        if name == "Stage":
            return cloudfront_backend(self.account_id).functions[self.name].stage
        return self.arn

    @staticmethod
    def _code_and_config(props: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
        """The function's code and API-shaped configuration, refused as CloudFront would."""
        code = str(props.get("FunctionCode", "")).encode()
        function_store.check_code(code)
        return code, function_store.api_config(dict(props.get("FunctionConfig") or {}))

    @classmethod
    def _apply(cls, function: Any, props: dict[str, Any]) -> None:
        code, config = cls._code_and_config(props)
        function_store.set_development(function, code, config)
        if ensure_boolean(props.get("AutoPublish", False)):
            function_store.publish(function)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingFunction:
        name = str(props.get("Name") or name)
        code, config = cls._code_and_config(props)
        backend = cloudfront_backend(where.account_id, where.region)
        function = backend.create_function(name, config, code, [])
        cls._apply(function, props)
        return cls(name, function.arn, where.account_id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingFunction:
        wanted = str(props.get("Name") or self.name)
        if wanted != self.name:
            replacement = self.create(wanted, props, where)
            self.remove(self.arn, props, where)
            return replacement
        self._apply(cloudfront_backend(where.account_id, where.region).functions[wanted], props)
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = cloudfront_backend(where.account_id, where.region)
        backend.functions.pop(physical_id.rsplit("/", 1)[-1], None)
        functions.RUNTIMES.forget(physical_id)


class HostingKeyValueStore(_Model, CloudFormationModel):
    """AWS::CloudFront::KeyValueStore backed by moto's key value stores (Ref: the name), its
    data in the emulator's store; ImportSource (an S3 JSON file) fills it on creation."""

    CFN_TYPE = "AWS::CloudFront::KeyValueStore"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn", "Id", "Status")

    def __init__(self, name: str, account_id: str) -> None:
        self.name = name
        self.physical_resource_id = name
        self.account_id = account_id

    def _store(self) -> Any:
        return cloudfront_backend(self.account_id).describe_key_value_store(self.name)

    def attribute(self, name: str) -> Any:
        store = self._store()
        return {"Arn": store.arn, "Id": store.id, "Status": store.status}[name]

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingKeyValueStore:
        name = str(props.get("Name") or name)
        backend = cloudfront_backend(where.account_id, where.region)
        store = backend.create_key_value_store(name, str(props.get("Comment", "")), [])
        source = props.get("ImportSource")
        if source:
            kvs.REGISTRY.find(store.arn).load(_import_items(source, where))
        return cls(name, where.account_id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingKeyValueStore:
        wanted = str(props.get("Name") or self.name)
        if wanted != self.name:
            replacement = self.create(wanted, props, where)
            self.remove(self.name, props, where)
            return replacement
        backend = cloudfront_backend(where.account_id, where.region)
        backend.update_key_value_store(self.name, str(props.get("Comment", "")))
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        backend = cloudfront_backend(where.account_id, where.region)
        store = backend.key_value_stores.pop(physical_id, None)
        if store is not None:
            kvs.REGISTRY.drop(store.arn)


def _import_items(source: dict[str, Any], where: Where) -> dict[str, str]:
    """The key-value pairs of an ImportSource: an S3 object ``{"data": [{"key", "value"}]}``."""
    arn = str(source.get("SourceArn", ""))
    bucket, _, key = arn.removeprefix("arn:aws:s3:::").partition("/")
    try:
        obj = s3_backend(where.account_id, where.region).get_object(bucket, key)
    except Exception:
        obj = None
    if obj is None:
        raise ValueError(f"ImportSource {arn} does not exist")
    document = json.loads(bytes(obj.value))
    return {str(item["key"]): str(item["value"]) for item in document.get("data") or []}


class _StoredPolicy(_Model):
    """A CloudFront policy type moto has no API for: its properties live in STORE."""

    ATTRIBUTES = ("Id", "LastModifiedTime")

    def __init__(self, resource_id: str) -> None:
        self.physical_resource_id = resource_id

    def attribute(self, name: str) -> Any:
        if name == "Id":
            return self.physical_resource_id
        return STORE.get(self.CFN_TYPE, self.physical_resource_id).get("LastModifiedTime")

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> Any:
        resource_id = str(uuid.uuid4())
        STORE.put(cls.CFN_TYPE, resource_id, props)
        return cls(resource_id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> Any:
        STORE.put(self.CFN_TYPE, self.physical_resource_id, props)
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        STORE.delete(cls.CFN_TYPE, physical_id)


class HostingCachePolicy(_StoredPolicy, CloudFormationModel):
    """AWS::CloudFront::CachePolicy, kept in the emulator's resource store."""

    CFN_TYPE = "AWS::CloudFront::CachePolicy"


class HostingResponseHeadersPolicy(_StoredPolicy, CloudFormationModel):
    """AWS::CloudFront::ResponseHeadersPolicy, kept in the emulator's resource store."""

    CFN_TYPE = "AWS::CloudFront::ResponseHeadersPolicy"


OUR_MODELS: tuple[type[CloudFormationModel], ...] = (
    HostingBucket,
    HostingBucketPolicy,
    HostingDistribution,
    HostingOriginAccessControl,
    HostingFunction,
    HostingKeyValueStore,
    HostingCachePolicy,
    HostingResponseHeadersPolicy,
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
