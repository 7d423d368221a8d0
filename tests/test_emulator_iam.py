"""The emulator's IAM resources in CloudFormation, as AWS documents them: AWS::IAM::OIDCProvider
(Ref: its ARN, listed by ListOpenIDConnectProviders) and AWS::IAM::Role whose update changes
its trust policy and its inline policies, and whose deletion takes both away."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.exceptions import ClientError
from test_local_cfn import create_stack, update_stack

from amplify_tasks.local import control


def _template(host: str, sub: str, policy_name: str, action: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Provider": {
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {
                    "Url": f"https://{host}",
                    "ClientIdList": ["sts.amazonaws.com"],
                    "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": {"Ref": "Provider"}},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {"StringEquals": {f"{host}:sub": sub}},
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": policy_name,
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {"Effect": "Allow", "Action": action, "Resource": "*"}
                                ],
                            },
                        }
                    ],
                },
            },
        },
        "Outputs": {
            "Provider": {"Value": {"Ref": "Provider"}},
            "Role": {"Value": {"Ref": "Role"}},
            "RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
        },
    }


def _document(value: Any) -> Any:
    return json.loads(unquote(value)) if isinstance(value, str) else value


def _providers() -> list[str]:
    listed = boto3.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    return [p["Arn"] for p in listed]


def test_a_provider_and_a_role_are_made_updated_and_deleted_by_their_stack(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    host, stack = f"{unique_name()}.example.test", unique_name()
    iam = boto3.client("iam")
    outputs = create_stack(stack, _template(host, "repo:a/b:*", "first", "s3:GetObject"))
    assert outputs["Provider"] == f"arn:aws:iam::123456789012:oidc-provider/{host}"
    assert outputs["Provider"] in _providers()
    role = iam.get_role(RoleName=outputs["Role"])["Role"]
    assert role["Arn"] == outputs["RoleArn"]
    [statement] = _document(role["AssumeRolePolicyDocument"])["Statement"]
    assert statement["Principal"] == {"Federated": outputs["Provider"]}
    assert iam.list_role_policies(RoleName=outputs["Role"])["PolicyNames"] == ["first"]

    updated = update_stack(
        stack, _template(host, "repo:a/b:ref:refs/heads/main", "second", "s3:PutObject")
    )
    assert updated["Role"] == outputs["Role"]
    role = iam.get_role(RoleName=outputs["Role"])["Role"]
    [statement] = _document(role["AssumeRolePolicyDocument"])["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {f"{host}:sub": "repo:a/b:ref:refs/heads/main"}
    }
    assert iam.list_role_policies(RoleName=outputs["Role"])["PolicyNames"] == ["second"]
    policy = iam.get_role_policy(RoleName=outputs["Role"], PolicyName="second")
    assert _document(policy["PolicyDocument"])["Statement"][0]["Action"] == "s3:PutObject"

    boto3.client("cloudformation").delete_stack(StackName=stack)
    assert outputs["Provider"] not in _providers()
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName=outputs["Role"])
