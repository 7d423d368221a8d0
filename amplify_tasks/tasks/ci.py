"""`inv hosting.ci-role`: a role GitHub Actions may assume (OIDC, no long-lived keys) to
publish one stage, with the least-privilege policy generated for that stage."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ._edge import hosting_task

if TYPE_CHECKING:
    from invoke import Context

    from amplify_tasks.permissions.ci_role import IAMClient


@hosting_task(
    name="ci-role",
    help={
        "stage": "stage the role publishes (its stack must be deployed; default: "
        "hosting.default_stage)",
        "github": "the GitHub repository whose workflows may assume the role: OWNER/REPO",
        "ref": "only workflows running on this branch (main) or ref (refs/tags/v1)",
        "environment": "only jobs of this GitHub environment (excludes --ref)",
        "dry_run": "print the role stack's template (trust policy and policy); deploy nothing",
        "yes": "do not ask before deploying the role",
    },
)
def ci_role(
    c: Context,
    stage: str = "",
    github: str = "",
    ref: str = "",
    environment: str = "",
    dry_run: bool = False,
    yes: bool = False,
) -> None:
    """Deploy a role GitHub Actions may assume (OIDC) to publish a stage, least privilege."""
    from amplify_tasks import aws
    from amplify_tasks.errors import SettingsError
    from amplify_tasks.permissions.ci_role import plan_ci_role, subject, workflow_lines
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import deploy

    from ..project import Project
    from ..prompt import Prompter, interactive

    if not github:
        raise SettingsError("hosting.ci-role needs --github OWNER/REPO: the repository to trust")
    sub = subject(github, ref, environment)
    project = Project.from_context(c)
    settings = load_settings(project, resolve_stage(project, stage))
    with aws.translate_errors():
        cfn = aws.client("cloudformation")
        iam = cast("IAMClient", aws.client("iam"))
        plan = plan_ci_role(project, settings, cfn, iam, sub=sub)
    provider = "create it" if plan.make_provider else "the account's, reused"
    print(f"stack {plan.stack_name}: role trusting {plan.subject}; OIDC provider: {provider}")
    if dry_run:
        print(plan.template, end="")
        print("dry run: nothing deployed")
        return
    if not yes:
        if not interactive():
            raise SettingsError(
                "hosting.ci-role asks before it deploys the role: answer on a terminal, or "
                "pass --yes"
            )
        if not Prompter().confirm(f"Deploy stack {plan.stack_name}?", default=False):
            print("nothing was deployed")
            return
    with aws.translate_errors():
        done = deploy(cfn, plan.stack_name, plan.template, termination_protection=False)
    role_arn = done.outputs.raw.get("RoleArn", "") if done.outputs else ""
    print(f"role: {role_arn}")
    print("in the workflow:")
    for line in workflow_lines(role_arn, plan.region, settings.stage):
        print(f"  {line}")
