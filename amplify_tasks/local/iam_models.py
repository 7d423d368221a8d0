"""The IAM resources of a CI role stack as CloudFormation resources, backed by moto's IAM:
AWS::IAM::OIDCProvider (Ref: its ARN; moto has none) and AWS::IAM::Role with its inline
``Policies``, whose update changes the trust policy and the inline policies as AWS does
(moto's own update leaves both as they were)."""

from __future__ import annotations

import json
from typing import Any

import moto.iam.models
from moto.core.common_models import CloudFormationModel

from .model_base import Where, _Model


def _iam(account_id: str) -> Any:
    return moto.iam.models.iam_backends[account_id]["aws"]


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class HostingOidcProvider(_Model, CloudFormationModel):
    """AWS::IAM::OIDCProvider: Url, ClientIdList, ThumbprintList, Tags; Ref and Arn: its ARN."""

    CFN_TYPE = "AWS::IAM::OIDCProvider"
    ATTRIBUTES = ("Arn",)

    def __init__(self, arn: str) -> None:
        self.physical_resource_id = arn

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingOidcProvider:
        provider = _iam(where.account_id).create_open_id_connect_provider(
            str(props["Url"]),
            [str(t) for t in props.get("ThumbprintList") or []],
            [str(c) for c in props.get("ClientIdList") or []],
            list(props.get("Tags") or []),
        )
        return cls(str(provider.arn))

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingOidcProvider:
        provider = _iam(where.account_id).get_open_id_connect_provider(self.physical_resource_id)
        provider.client_id_list = [str(c) for c in props.get("ClientIdList") or []]
        provider.thumbprint_list = [str(t) for t in props.get("ThumbprintList") or []]
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        _iam(where.account_id).delete_open_id_connect_provider(physical_id)


class HostingRole(_Model, CloudFormationModel):
    """AWS::IAM::Role: RoleName (else the stack's name for it), AssumeRolePolicyDocument,
    Policies (inline), Description, MaxSessionDuration; Ref: the name, Arn and RoleId."""

    CFN_TYPE = "AWS::IAM::Role"
    NAME_PROPERTY = "RoleName"
    ATTRIBUTES = ("Arn", "RoleId")

    def __init__(self, name: str, account_id: str) -> None:
        self.physical_resource_id = name
        self.account_id = account_id

    def attribute(self, name: str) -> Any:
        role = _iam(self.account_id).get_role(self.physical_resource_id)
        return {"Arn": role.arn, "RoleId": role.id}[name]

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingRole:
        name = str(props.get("RoleName") or name)[:64]
        _iam(where.account_id).create_role(
            role_name=name,
            assume_role_policy_document=_text(props["AssumeRolePolicyDocument"]),
            path=str(props.get("Path", "/")),
            permissions_boundary=None,
            description=str(props.get("Description", "")),
            tags=list(props.get("Tags") or []),
            max_session_duration=str(props.get("MaxSessionDuration", 3600)),
        )
        made = cls(name, where.account_id)
        made._put_policies(props)
        return made

    def _put_policies(self, props: dict[str, Any]) -> None:
        iam = _iam(self.account_id)
        wanted = {
            str(p["PolicyName"]): _text(p["PolicyDocument"]) for p in props.get("Policies") or []
        }
        for old in set(iam.list_role_policies(self.physical_resource_id)) - set(wanted):
            iam.delete_role_policy(self.physical_resource_id, old)
        for policy_name, document in wanted.items():
            iam.put_role_policy(self.physical_resource_id, policy_name, document)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingRole:
        wanted = str(props.get("RoleName") or self.physical_resource_id)
        if wanted != self.physical_resource_id:
            replacement = self.create(wanted, props, where)
            self.remove(self.physical_resource_id, props, where)
            return replacement
        iam = _iam(self.account_id)
        trust = _text(props["AssumeRolePolicyDocument"])
        iam.update_assume_role_policy(self.physical_resource_id, trust)
        self._put_policies(props)
        return self

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        iam = _iam(where.account_id)
        for policy_name in iam.list_role_policies(physical_id):
            iam.delete_role_policy(physical_id, policy_name)
        iam.delete_role(physical_id)
