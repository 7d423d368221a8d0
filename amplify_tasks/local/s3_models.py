"""CloudFormation models for S3: AWS::S3::Bucket (website, public access block, ownership,
encryption, versioning, lifecycle rules, tags; a website bucket gets a preview) and
AWS::S3::BucketPolicy, backed by moto's S3 backend.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import ensure_boolean

from . import cfn_shapes
from .backends import s3_backend
from .model_base import Where, _Model
from .previews import REGISTRY


class BucketNotEmpty(Exception):
    """Raised when CloudFormation deletes a bucket that still holds objects (AWS's reason)."""

    def __init__(self, bucket: str) -> None:
        super().__init__(
            "The bucket you tried to delete is not empty "
            f"(Service: S3, Status Code: 409, Error Code: BucketNotEmpty, Bucket: {bucket})"
        )
        self.bucket = bucket


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
        if status:  # absent: versioning stays as it is, as CloudFormation leaves it
            backend.put_bucket_versioning(name, status)
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
