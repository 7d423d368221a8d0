"""`inv hosting.ci-role`: the plan (data) of a stage's CI role stack: the GitHub OIDC
provider (unless the account has it from elsewhere), a role only the given repository (and
ref or environment) may assume with a GitHub Actions token, and the stage's generated policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from amplify_tasks.errors import SettingsError
from amplify_tasks.stack import describe

from .policy import StageResources, policy_document
from .stage import stage_resources

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

    from amplify_tasks.project import Project
    from amplify_tasks.settings import Settings


class IAMClient(Protocol):
    """The one IAM call the plan makes (the stubs of the IAM client are not installed)."""

    def list_open_id_connect_providers(self) -> Mapping[str, Sequence[Mapping[str, str]]]: ...


#: GitHub Actions' token issuer and the audience aws-actions/configure-aws-credentials asks.
ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
#: The issuer's certificate thumbprints GitHub documents (IAM no longer checks them for this
#: issuer, but the provider must list one).
THUMBPRINTS = (
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
)
#: The logical id of the provider in the role stack (the stack owns it when it made it).
PROVIDER_ID = "GitHubOidcProvider"
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_NAME = re.compile(r"^[A-Za-z0-9._/@+-]{1,255}$")


def subject(repository: str, ref: str = "", environment: str = "") -> str:
    """The token's ``sub`` the role accepts; SettingsError for a bad repository, ref or
    environment, or both a ref and an environment."""
    if not _REPOSITORY.match(repository) or repository.endswith((".", "/.", "/..")):
        raise SettingsError(
            f"--github {repository!r} is not a GitHub repository: pass OWNER/REPO, e.g. "
            "--github acme/site"
        )
    if ref and environment:
        raise SettingsError(
            "--ref and --environment exclude each other (a job in an environment gets a token "
            "naming the environment, not the ref): pass one of them"
        )
    for flag, value in (("--ref", ref), ("--environment", environment)):
        if value and not _NAME.match(value):
            raise SettingsError(f"{flag} {value!r} is not a valid name: use letters, digits, -._/")
    if environment:
        return f"repo:{repository}:environment:{environment}"
    if ref:
        full = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
        return f"repo:{repository}:ref:{full}"
    return f"repo:{repository}:*"


def trust_condition(sub: str) -> dict[str, dict[str, str]]:
    """The trust policy's condition: the audience, and the subject (exactly, or the
    repository's every ref when ``sub`` ends with ``*``)."""
    condition = {"StringEquals": {f"{ISSUER}:aud": AUDIENCE}}
    if sub.endswith("*"):
        condition["StringLike"] = {f"{ISSUER}:sub": sub}
    else:
        condition["StringEquals"][f"{ISSUER}:sub"] = sub
    return condition


@dataclass(frozen=True)
class CiRolePlan:
    """What `inv hosting.ci-role` deploys: the stack, its template, whom the role trusts."""

    stage: str
    stack_name: str
    template: str
    subject: str
    provider_arn: str
    make_provider: bool
    region: str


def role_stack_name(settings: Settings) -> str:
    return f"{settings.stack_name[:120]}-ci-role"


def _owns_provider(cfn: CloudFormationClient, stack_name: str) -> bool:
    if describe(cfn, stack_name) is None:
        return False
    body = cfn.get_template(StackName=stack_name).get("TemplateBody")
    return PROVIDER_ID in str(body)


def provider_arn_of(resources: StageResources) -> str:
    """The ARN GitHub's OIDC provider has in the stage's account."""
    return f"arn:{resources.partition}:iam::{resources.account}:oidc-provider/{ISSUER}"


def template_variables(
    settings: Settings, resources: StageResources, sub: str, *, make_provider: bool
) -> dict[str, object]:
    """The variables of cfn/ci-role.json.j2 for the stage."""
    return {
        "stage": settings.stage,
        "stack_name": settings.stack_name,
        "subject": sub,
        "make_provider": make_provider,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "thumbprints": list(THUMBPRINTS),
        "provider_arn": provider_arn_of(resources),
        "trust_condition": trust_condition(sub),
        "policy_name": f"amplify-tasks-{settings.stage}",
        "policy": policy_document(resources),
    }


def plan_ci_role(
    project: Project,
    settings: Settings,
    cfn: CloudFormationClient,
    iam: IAMClient,
    *,
    sub: str,
) -> CiRolePlan:
    """The role stack for the deployed stage ``settings`` trusting token subject ``sub``."""
    from amplify_tasks.templates import render_ci_role

    resources = stage_resources(cfn, settings.stack_name, settings.stage)
    provider_arn = provider_arn_of(resources)
    listed = iam.list_open_id_connect_providers().get("OpenIDConnectProviderList", [])
    exists = provider_arn in {str(p.get("Arn", "")) for p in listed}
    name = role_stack_name(settings)
    make = not exists or _owns_provider(cfn, name)
    variables = template_variables(settings, resources, sub, make_provider=make)
    template = render_ci_role(project, variables)
    return CiRolePlan(settings.stage, name, template, sub, provider_arn, make, resources.region)


def workflow_lines(role_arn: str, region: str, stage: str) -> list[str]:
    """The lines of a GitHub Actions workflow that publish the stage with the role."""
    return [
        "permissions:",
        "  id-token: write",
        "  contents: read",
        "steps:",
        "  - uses: actions/checkout@v4",
        "  - uses: aws-actions/configure-aws-credentials@v4",
        "    with:",
        f"      role-to-assume: {role_arn}",
        f"      aws-region: {region}",
        f"  - run: inv publish --stage {stage} --yes --json",
    ]
