"""CloudFormation models for CloudFront: distributions (each gets a preview), origin access
controls, functions, key value stores (backed by moto's CloudFront backend) and the cache and
response headers policies moto has no API for (kept in the emulator's resource store).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import ensure_boolean

from . import cfn_shapes, function_store, functions, kvs
from .backends import cloudfront_backend, s3_backend
from .model_base import Where, _Model
from .previews import REGISTRY
from .resource_store import STORE
from .viewer_certificate import check_aliases


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
        check_aliases(
            where.account_id, cfn_shapes.distribution_config(props["DistributionConfig"], reference)
        )
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
        config = cfn_shapes.distribution_config(props["DistributionConfig"], reference)
        check_aliases(where.account_id, config, self.distribution_id)
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
