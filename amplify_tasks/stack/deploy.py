"""Deploying a stage's stack: render its template from Settings, print the plan, then
create, update or recreate it through CloudFormation and wait visibly.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import StackError
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings

from .events import (
    COMPLETE,
    EventLog,
    EventSink,
    Poller,
    Sleep,
    aws_errors,
    collapse,
    delete_stack,
    describe,
    explain_failure,
)
from .outputs import outputs_of
from .plan import (
    RECREATE,
    UNCHANGED,
    UPDATE,
    DeployPlan,
    DeployResult,
    Described,
    Fetched,
    cfn_parameters,
    discard_plan,
    plan_deploy,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_s3 import S3Client


@dataclass
class StackOps:
    """Stack operations that wait visibly: the client, the printer and the poller."""

    cfn: CloudFormationClient
    on_event: EventSink
    poller: Poller

    def watch(self, stack_id: str, log: EventLog, hint: str) -> StackTypeDef:
        stack = self.poller.wait(stack_id, log)
        if stack is None or collapse(stack["StackStatus"]) != COMPLETE:
            final = stack or {"StackName": stack_id, "StackStatus": "DELETE_COMPLETE"}
            raise StackError(explain_failure(final, log, self.on_event, hint))
        self.on_event(f"stack {stack['StackName']}: {stack['StackStatus']}")
        return stack

    def delete(self, stack_id: str, protected: bool) -> None:
        """Lift termination protection if on, delete the stack and wait; DELETE_FAILED raises."""
        delete_stack(self.cfn, stack_id, self.poller, protected)

    def create(self, plan: DeployPlan, protect: bool) -> StackTypeDef:
        created = self.cfn.create_stack(
            StackName=plan.stack_name,
            TemplateBody=plan.template_body,
            Parameters=cfn_parameters(plan.parameters),
            EnableTerminationProtection=protect,
        )
        hint = "fix the cause above and deploy again (the failed stack is then recreated)"
        return self.watch(created["StackId"], EventLog(self.cfn, created["StackId"]), hint)

    def update(self, plan: DeployPlan) -> StackTypeDef:
        log = EventLog.start(self.cfn, plan.stack_id)
        self.cfn.execute_change_set(ChangeSetName=plan.change_set_id)
        hint = "the stack rolled back to its last good version; fix the cause and deploy again"
        return self.watch(plan.stack_id, log, hint)

    def protect(self, stack: StackTypeDef, protect: bool) -> None:
        if bool(stack.get("EnableTerminationProtection")) != protect:
            self.cfn.update_termination_protection(
                StackName=stack["StackId"], EnableTerminationProtection=protect
            )
            self.on_event(f"termination protection {'on' if protect else 'off'}")


def deploy(
    cfn: CloudFormationClient,
    stack_name: str,
    template_body: str,
    parameters: Mapping[str, str] | None = None,
    *,
    termination_protection: bool,
    on_event: EventSink = print,
    sleep: Sleep = time.sleep,
    dry_run: bool = False,
    poll_delay: float = 5.0,
    timeout: float = 3600.0,
    described: Described | None = None,
    s3: S3Client | None = None,
    allow_replace: bool = False,
    stage: str = "",
    fetched: Fetched | None = None,
) -> DeployResult:
    """Plan, print the plan, then (unless ``dry_run``) create, update or recreate the stack
    and wait for it. A dry run of a new stack calls nothing but DescribeStacks.

    An update that replaces the stack's bucket (the old one would keep its objects) is
    refused, its change set deleted, unless ``allow_replace``; ``s3`` counts those objects;
    ``stage`` names the stage in hints."""
    plan = plan_deploy(
        cfn,
        stack_name,
        template_body,
        parameters,
        sleep=sleep,
        described=described,
        s3=s3,
        stage=stage,
        fetched=fetched,
    )
    for line in plan.lines():
        on_event(line)
    run = StackOps(cfn, on_event, Poller(cfn, on_event, sleep, delay=poll_delay, timeout=timeout))
    with aws_errors(f"deploying stack {stack_name}"):
        if plan.replacement is not None and not (dry_run or allow_replace):
            discard_plan(cfn, plan)
            raise StackError(plan.replacement.refusal(stack_name))
        if dry_run:
            discard_plan(cfn, plan)
            current = describe(cfn, stack_name) if plan.action in {UPDATE, UNCHANGED} else None
            outputs = outputs_of(cfn, current) if current else None
            return DeployResult(plan, outputs, changed=False)
        if plan.action == UNCHANGED:
            assert plan.stack is not None  # an unchanged plan holds the stack it compared
            stack = plan.stack  # as planned a moment ago: nothing has changed
        elif plan.action == UPDATE:
            stack = run.update(plan)
        else:
            if plan.action == RECREATE:
                on_event(f"deleting stack {stack_name} ({plan.status}) to create it again")
                run.delete(plan.stack_id, bool(plan.termination_protection))
            stack = run.create(plan, termination_protection)
        run.protect(stack, termination_protection)
        return DeployResult(plan, outputs_of(cfn, stack), changed=plan.action != UNCHANGED)


def protection_for(settings: Settings) -> bool:
    """Termination protection for a stage: the setting, else on exactly when CloudFront is."""
    value = getattr(settings, "termination_protection", None)
    return bool(settings.cloudfront if value is None else value)


def cloudformation(cfn: CloudFormationClient | None = None) -> CloudFormationClient:
    """The given client, else a CloudFormation client from the environment (an unknown
    AWS_PROFILE or a missing region becomes a one-line AwsError)."""
    if cfn is not None:
        return cfn
    with aws.translate_errors():
        return aws.client("cloudformation")


def deploy_stage(
    project: Project,
    settings: Settings,
    *,
    dry_run: bool = False,
    on_event: EventSink = print,
    cfn: CloudFormationClient | None = None,
    sleep: Sleep = time.sleep,
    described: Described | None = None,
    s3: S3Client | None = None,
    allow_replace: bool = False,
    fetched: Fetched | None = None,
) -> DeployResult:
    """Render the stage's template (unless its inputs are unchanged: templates.cached),
    write it (not on a dry run) and deploy it.

    ``described`` gives the stack as a DescribeStacks made a moment ago (else one is made),
    ``fetched`` its deployed template (else a GetTemplate is made when it is needed);
    ``allow_replace`` lets the deploy replace the stack's bucket (see ``deploy``).
    """
    from amplify_tasks.templates import cached
    from amplify_tasks.templates import rendering as templates

    from .companion import DomainDeploy

    cfn = cloudformation(cfn)
    region = str(getattr(cfn.meta, "region_name", "") or "")
    domain = DomainDeploy.check(project, settings, region, on_event, sleep, deploy)  # first
    if dry_run:
        body = cached.rendered(project, settings) or templates.render(project, settings)
    else:
        body = cached.render_and_write(project, settings)
    protect = protection_for(settings)
    parameters = {
        **templates.template_parameters(settings),
        **domain.parameters(dry_run=dry_run, termination_protection=protect),
    }
    try:
        result = deploy(
            cfn,
            settings.stack_name,
            body,
            parameters,
            termination_protection=protect,
            on_event=domain.watch(on_event),
            sleep=sleep,
            dry_run=dry_run,
            described=described,
            s3=s3,
            allow_replace=allow_replace,
            stage=settings.stage,
            fetched=fetched,
        )
    except StackError as exc:
        raise domain.explain(exc) from None
    domain.retire_companion(result.plan.stack, dry_run=dry_run)
    return result
