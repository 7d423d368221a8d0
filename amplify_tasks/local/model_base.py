"""The CloudFormation plumbing our resource models share: moto calls a model with the
resource's JSON; a model implements ``create``, ``change``, ``remove`` and ``attribute``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# moto's own models for these types must exist before ours: the later definition wins.
import moto.acm.models
import moto.cloudformation.parsing
import moto.cloudfront.models
import moto.iam.models
import moto.route53.models
import moto.s3.models  # noqa: F401


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
