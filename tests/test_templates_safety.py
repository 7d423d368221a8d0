"""Rendered templates that keep stages apart and the tool's state private: CloudFront resource
names (the key value store's too) unique per stack and within AWS's limits, the
distribution's grant to list the bucket (so a missing key is a 404), the state prefix denied
to other accounts, and a DEV bucket that stops versioning.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from amplify_tasks.project import Project
from amplify_tasks.settings.validate import build_settings
from amplify_tasks.sync import RESERVED_PREFIX
from amplify_tasks.templates import rendering as templates

#: Two stack names alike in their first 40 characters, as a prod and a staging stage get them.
LONG_NAMES = (
    "acme-corporation-marketing-website-frontend-prod",
    "acme-corporation-marketing-website-frontend-staging",
)

#: The longest region names AWS has (the names get '-<region>').
LONG_REGION = "us-isof-south-1"

#: CloudFront's rules: name -> (resource, property path, longest, allowed characters).
NAMED = {
    "CachePolicy": (("CachePolicyConfig", "Name"), 128, r"[\w-]+"),
    "DirectoryIndexFunction": (("Name",), 64, r"[a-zA-Z0-9_-]+"),
    "OriginAccessControl": (("OriginAccessControlConfig", "Name"), 64, r"[\w-]+"),
    "SiteKeyValueStore": (("Name",), 64, r"[a-zA-Z0-9_-]+"),
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def render(project: Project, cloudfront: bool, stack_name: str = "site-hosting-x") -> str:
    settings = build_settings(
        "prod" if cloudfront else "dev",
        {
            "HOSTING_APP_NAME": "site",
            "HOSTING_CLOUDFRONT": str(cloudfront),
            "HOSTING_STACK_NAME": stack_name,
        },
    )
    return templates.render(project, settings)


def resources(project: Project, cloudfront: bool, stack_name: str = "site-hosting-x") -> Any:
    return json.loads(render(project, cloudfront, stack_name))["Resources"]


def names(project: Project, stack_name: str) -> dict[str, str]:
    """Each account-wide CloudFront resource's name, as it is in the longest region."""
    found = {}
    res = resources(project, True, stack_name)
    for logical_id, (path, _, _) in NAMED.items():
        value: Any = res[logical_id]["Properties"]
        for part in path:
            value = value[part]
        found[logical_id] = value["Fn::Sub"].replace("${AWS::Region}", LONG_REGION)
    return found


def statements(project: Project, cloudfront: bool) -> list[dict[str, Any]]:
    policy = resources(project, cloudfront)["HostingBucketPolicy"]["Properties"]
    found: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return found


def test_stacks_alike_in_their_first_40_characters_get_different_names(
    project: Project,
) -> None:
    assert LONG_NAMES[0][:40] == LONG_NAMES[1][:40]
    prod, staging = (names(project, n) for n in LONG_NAMES)
    for logical_id, (_, longest, allowed) in NAMED.items():
        assert prod[logical_id] != staging[logical_id], logical_id
        for name in (prod[logical_id], staging[logical_id]):
            assert len(name) <= longest and re.fullmatch(allowed, name), name
    for stack_name in LONG_NAMES:
        matches = lint(render(project, True, stack_name), config=ManualArgs(include_checks=["I"]))
        assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_the_longest_stack_name_fits_and_a_short_one_is_kept_as_it_is(project: Project) -> None:
    longest = "a" * 128
    assert all(len(n) <= 64 for n in names(project, longest).values())
    assert names(project, longest) == names(project, longest)  # deterministic
    assert set(names(project, "shop-hosting-prod").values()) == {f"shop-hosting-prod-{LONG_REGION}"}
    # a hashed prefix has 41 characters, so it is never a plain one (those have at most 40)
    hashed = templates.resource_prefix(build_settings("x", {"HOSTING_STACK_NAME": "b" * 41}))
    assert len(hashed) == 41 and hashed.startswith("b" * 32 + "-")


def test_the_distribution_may_list_the_bucket_so_a_missing_key_is_a_404(
    project: Project,
) -> None:
    (listing,) = [s for s in statements(project, True) if s["Action"] == "s3:ListBucket"]
    (reading,) = [s for s in statements(project, True) if s.get("Sid") == "AllowCloudFrontReadOnly"]
    assert listing["Effect"] == "Allow"
    assert listing["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert listing["Resource"] == {"Fn::GetAtt": ["HostingBucket", "Arn"]}  # the bucket, not /*
    assert listing["Condition"] == reading["Condition"]
    assert not [s for s in statements(project, False) if s["Action"] == "s3:ListBucket"]


@pytest.mark.parametrize("cloudfront", [False, True])
def test_the_state_prefix_is_denied_to_everyone_outside_the_account(
    project: Project, cloudfront: bool
) -> None:
    (deny,) = [
        s for s in statements(project, cloudfront) if s.get("Sid") == "DenyStateToOtherAccounts"
    ]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Action"] == "s3:GetObject"
    assert deny["Resource"] == {"Fn::Sub": f"${{HostingBucket.Arn}}/{RESERVED_PREFIX}*"}
    assert deny["Condition"] == {
        "StringNotEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}
    }


def test_the_distribution_may_never_read_the_state(project: Project) -> None:
    (deny,) = [s for s in statements(project, True) if s.get("Sid") == "DenyStateToCloudFront"]
    assert deny == {
        "Sid": "DenyStateToCloudFront",
        "Effect": "Deny",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": {"Fn::Sub": f"${{HostingBucket.Arn}}/{RESERVED_PREFIX}*"},
    }
    assert not [s for s in statements(project, False) if s.get("Sid") == "DenyStateToCloudFront"]


def test_dev_suspends_versioning_and_both_shapes_expire_replaced_versions(
    project: Project,
) -> None:
    for cloudfront, status in ((False, "Suspended"), (True, "Enabled")):
        props = resources(project, cloudfront)["HostingBucket"]["Properties"]
        assert props["VersioningConfiguration"] == {"Status": status}
        (rule,) = props["LifecycleConfiguration"]["Rules"]
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": templates.NONCURRENT_DAYS}
        assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
