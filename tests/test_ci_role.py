"""`inv hosting.ci-role` on the emulator: the role stack's OIDC provider (made once, reused
after), the trust policy's audience and subject conditions, the inline policy that is the
stage's generated one, the dry run and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from conftest import InvProject
from releases_site import ReleaseSite

from amplify_tasks import aws
from amplify_tasks.permissions import policy_document, stage_resources
from amplify_tasks.permissions.ci_role import AUDIENCE, ISSUER
from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings
from amplify_tasks.stack import describe

PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    made = ReleaseSite(inv_project, emulator, unique_name("ci"))
    made.publish()
    return made


def _stack(site: ReleaseSite) -> str:
    settings = load_settings(Project.at(site.project.root), "prod", site.project.env)
    return settings.stack_name


def _role(out: str) -> dict[str, Any]:
    arn = next(line.split("role: ", 1)[1] for line in out.splitlines() if line.startswith("role: "))
    iam = boto3.client("iam")
    name = arn.rsplit("/", 1)[1]
    role = iam.get_role(RoleName=name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(unquote(trust)) if isinstance(trust, str) else trust
    policies = iam.list_role_policies(RoleName=name)["PolicyNames"]
    assert policies == ["amplify-tasks-prod"]
    policy = iam.get_role_policy(RoleName=name, PolicyName=policies[0])["PolicyDocument"]
    policy = json.loads(unquote(policy)) if isinstance(policy, str) else policy
    return {"arn": arn, "trust": trust["Statement"], "policy": policy}


def _providers() -> list[str]:
    listed = boto3.client("iam").list_open_id_connect_providers()
    return [p["Arn"] for p in listed["OpenIDConnectProviderList"]]


def test_the_role_trusts_only_the_repository_and_ref_with_the_stage_policy(
    site: ReleaseSite,
) -> None:
    had_provider = PROVIDER in _providers()
    out = site.run(
        "hosting.ci-role", "--stage", "prod", "--github", "acme/site", "--ref", "main", "--yes"
    ).stdout
    assert ("OIDC provider: the account's, reused" in out) is had_provider
    assert PROVIDER in _providers()
    role = _role(out)
    [statement] = role["trust"]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            f"{ISSUER}:aud": AUDIENCE,
            f"{ISSUER}:sub": "repo:acme/site:ref:refs/heads/main",
        }
    }
    expected = policy_document(stage_resources(aws.client("cloudformation"), _stack(site)))
    assert role["policy"] == expected
    resources = {
        r
        for s in expected["Statement"]
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    }  # type: ignore[attr-defined]
    assert f"arn:aws:s3:::{site.bucket}/*" in resources and site.outputs.kvs_arn in resources
    assert "*" not in resources
    assert f"role-to-assume: {role['arn']}" in out and "id-token: write" in out
    assert "inv publish --stage prod" in out

    again = site.run(
        "hosting.ci-role",
        "--stage",
        "prod",
        "--github",
        "acme/site",
        "--environment",
        "production",
        "--yes",
    ).stdout
    assert PROVIDER in _providers()  # the stack that made it keeps it
    [statement] = _role(again)["trust"]
    assert statement["Condition"]["StringEquals"][f"{ISSUER}:sub"] == (
        "repo:acme/site:environment:production"
    )
    every = site.run("hosting.ci-role", "--stage", "prod", "--github", "acme/site", "--yes").stdout
    [statement] = _role(every)["trust"]
    assert statement["Condition"] == {
        "StringEquals": {f"{ISSUER}:aud": AUDIENCE},
        "StringLike": {f"{ISSUER}:sub": "repo:acme/site:*"},
    }


def test_a_second_stage_reuses_the_accounts_provider(
    site: ReleaseSite, emulator: Any, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    site.run("hosting.ci-role", "--stage", "prod", "--github", "acme/site", "--yes")
    second = InvProject(root=tmp_path / "second", env=dict(site.project.env))
    second.write("tasks.py", "from amplify_tasks import namespace as ns\n")
    other = ReleaseSite(second, emulator, unique_name("ci"))
    other.publish()
    out = other.run("hosting.ci-role", "--stage", "prod", "--github", "acme/other", "--yes").stdout
    assert "OIDC provider: the account's, reused" in out
    template = aws.client("cloudformation").get_template(StackName=f"{_stack(other)}-ci-role")
    assert "GitHubOidcProvider" not in json.dumps(template["TemplateBody"])


def test_dry_run_prints_the_template_and_deploys_nothing(site: ReleaseSite) -> None:
    out = site.run(
        "hosting.ci-role", "--stage", "prod", "--github", "acme/site", "--dry-run"
    ).stdout
    assert out.rstrip().endswith("dry run: nothing deployed")
    body = out[out.index("{") : out.rindex("}") + 1]
    template = json.loads(body)
    role = template["Resources"]["DeployRole"]["Properties"]
    assert role["Policies"][0]["PolicyDocument"]["Statement"]
    assert describe(aws.client("cloudformation"), f"{_stack(site)}-ci-role") is None
    unasked = site.run("hosting.ci-role", "--stage", "prod", "--github", "acme/site", check=False)
    assert unasked.returncode == 2 and "pass --yes" in unasked.stderr  # no terminal to ask on
    assert describe(aws.client("cloudformation"), f"{_stack(site)}-ci-role") is None


def test_a_stage_not_deployed_yet_is_one_line(inv_project: Any) -> None:
    inv_project.write(".env.prod", "HOSTING_APP_NAME=nostack\nHOSTING_CLOUDFRONT=true\n")
    result = inv_project.run("hosting.ci-role", "--stage", "prod", "--github", "a/b", check=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        "error: stack nostack-hosting-prod does not exist: deploy it first with "
        "`inv publish --stage prod`"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--github", "acme"], "--github 'acme' is not a GitHub repository: pass OWNER/REPO"),
        (["--github", "acme/site/x"], "is not a GitHub repository"),
        (["--github", "acme/site", "--ref", "main", "--environment", "prod"], "exclude each other"),
        ([], "needs --github OWNER/REPO"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(inv_project: Any, args: list[str], says: str) -> None:
    inv_project.write(".env.prod", "HOSTING_APP_NAME=shop\nHOSTING_CLOUDFRONT=true\n")
    result = inv_project.run("hosting.ci-role", "--stage", "prod", *args, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
