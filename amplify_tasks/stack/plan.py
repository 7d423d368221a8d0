"""The hosting stack's deploy plan as data: create / update / unchanged / recreate, with
the resource changes a change set reports, and the typed outputs a deploy returns.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.errors import StackError

from .bucket import BUCKET_ID, BucketReplacement, bucket_replacement
from .events import IN_PROGRESS, Poller, Sleep, aws_errors, collapse, describe
from .outputs import StackOutputs, stage_flag

if TYPE_CHECKING:
    from typing import TypedDict

    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import (
        ChangeTypeDef,
        DescribeChangeSetOutputTypeDef,
        ParameterTypeDef,
        StackTypeDef,
    )
    from mypy_boto3_s3 import S3Client
    from typing_extensions import NotRequired

    class PlanFields(TypedDict):
        """The DeployPlan fields every action of a plan shares."""

        stack_name: str
        template_body: str
        parameters: dict[str, str]
        stack: NotRequired[StackTypeDef]
        stack_id: NotRequired[str]
        status: NotRequired[str]
        termination_protection: NotRequired[bool]


CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
RECREATE = "recreate"

#: Stack statuses a deploy replaces: a first create that rolled back, or one never executed.
DEAD_STATUSES = frozenset({"ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"})

#: Stack statuses an update can start from.
UPDATABLE_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)


#: What the user can do about a stack stuck in a state we cannot deploy over.
BLOCKED_HINTS = {
    "UPDATE_ROLLBACK_FAILED": (
        "continue the rollback (aws cloudformation continue-update-rollback --stack-name "
        "{name}, skipping resources that cannot roll back), then deploy again"
    ),
    "DELETE_FAILED": "delete it with `inv hosting.remove{stage}`, then deploy again",
    "ROLLBACK_FAILED": "delete it with `inv hosting.remove{stage}`, then deploy again",
    "CREATE_FAILED": "delete it with `inv hosting.remove{stage}`, then deploy again",
    "UPDATE_FAILED": (
        "roll it back (aws cloudformation rollback-stack --stack-name {name}), then deploy again"
    ),
}


#: The reasons CloudFormation gives when a change set or update has nothing to do.
NO_CHANGE_MARKERS = ("didn't contain changes", "No updates are to be performed")
CHANGE_SET_PREFIX = "amplify-tasks-"


@dataclass(frozen=True)
class ResourceChange:
    """One row of a change set: Add / Modify / Remove of a logical resource."""

    action: str
    logical_id: str
    resource_type: str
    replacement: str = ""

    def line(self) -> str:
        repl = f" (replacement: {self.replacement})" if self.replacement else ""
        return f"  {self.action:<7} {self.logical_id:<28} {self.resource_type}{repl}"


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy will do. An update plan holds the change set that shows its changes."""

    action: str
    stack_name: str
    template_body: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[ResourceChange, ...] = ()
    reasons: tuple[str, ...] = ()
    stack_id: str = ""
    status: str = ""
    change_set_id: str = ""
    termination_protection: bool | None = None
    #: what replacing the stack's bucket would leave behind (None: the bucket stays)
    replacement: BucketReplacement | None = None
    #: the stack as DescribeStacks gave it while planning (None for a new stack)
    stack: StackTypeDef | None = field(default=None, compare=False, repr=False)

    def lines(self) -> list[str]:
        """The plan as the user reads it (the same lines for a real run and a dry run)."""
        head = {
            CREATE: f"stack {self.stack_name}: create",
            UPDATE: f"stack {self.stack_name}: update",
            UNCHANGED: f"stack {self.stack_name}: no changes",
            RECREATE: f"stack {self.stack_name}: delete and create again",
        }[self.action]
        replaced = [self.replacement.line()] if self.replacement else []
        return [
            head,
            *(f"  {r}" for r in self.reasons),
            *(c.line() for c in self.changes),
            *replaced,
        ]


@dataclass(frozen=True)
class DeployResult:
    """A deploy's plan, the stack outputs afterwards (None after a dry run of a new stack)."""

    plan: DeployPlan
    outputs: StackOutputs | None
    changed: bool


def _parse(body: object) -> object:
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def template_resources(template_body: str) -> tuple[ResourceChange, ...]:
    """Every resource of a template as an Add (the changes of a create)."""
    doc = _parse(template_body)
    resources = doc.get("Resources", {}) if isinstance(doc, dict) else {}
    return tuple(
        ResourceChange("Add", str(lid), str(spec.get("Type", "")))
        for lid, spec in resources.items()
        if isinstance(spec, dict)
    )


def same_template(deployed: object, rendered: str) -> bool:
    """True when the deployed template equals the rendered one (as data when both are JSON)."""
    return bool(_parse(deployed) == _parse(rendered))


def desired_parameters(template_body: str, parameters: Mapping[str, str]) -> dict[str, str]:
    """The template's parameter defaults overlaid with the given values."""
    doc = _parse(template_body)
    declared = doc.get("Parameters", {}) if isinstance(doc, dict) else {}
    values = {
        str(k): str(v["Default"])
        for k, v in declared.items()
        if isinstance(v, dict) and "Default" in v
    }
    values.update({str(k): str(v) for k, v in parameters.items()})
    return values


def deployed_parameters(stack: StackTypeDef) -> dict[str, str]:
    return {
        str(p["ParameterKey"]): str(p.get("ParameterValue", ""))
        for p in stack.get("Parameters", []) or []
    }


def cfn_parameters(parameters: Mapping[str, str]) -> list[ParameterTypeDef]:
    return [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()]


def blocked_message(stack: StackTypeDef, stage: str = "") -> str:
    """Why a stack in ``status`` cannot be deployed over, and what to do about it (the
    commands named for ``stage``)."""
    name, status = str(stack.get("StackName")), str(stack.get("StackStatus"))
    if collapse(status) == IN_PROGRESS:
        return (
            f"stack {name} is {status}: another operation is running; wait for it to finish "
            "(`inv hosting.status`) and deploy again"
        )
    hint = BLOCKED_HINTS.get(status, "fix it in the CloudFormation console, then deploy again")
    reason = stack.get("StackStatusReason")
    because = f" ({reason})" if reason else ""
    return f"stack {name} is {status}{because}: {hint.format(name=name, stage=stage_flag(stage))}"


def _change_set_changes(
    cfn: CloudFormationClient, change_set_id: str, first: DescribeChangeSetOutputTypeDef
) -> list[ChangeTypeDef]:
    changes = list(first.get("Changes", []))
    token = first.get("NextToken")
    while token:
        page = cfn.describe_change_set(ChangeSetName=change_set_id, NextToken=token)
        changes.extend(page.get("Changes", []))
        token = page.get("NextToken")
    return changes


def _resource_change(change: ChangeTypeDef) -> ResourceChange:
    rc = change.get("ResourceChange", {})
    return ResourceChange(
        action=str(rc.get("Action", "")),
        logical_id=str(rc.get("LogicalResourceId", "")),
        resource_type=str(rc.get("ResourceType", "")),
        replacement=str(rc.get("Replacement", "") or "") if rc.get("Action") == "Modify" else "",
    )


def wait_change_set(
    cfn: CloudFormationClient,
    change_set_id: str,
    *,
    sleep: Sleep,
    delay: float = 2.0,
    timeout: float = 600.0,
) -> DescribeChangeSetOutputTypeDef:
    """Poll a change set until it is CREATE_COMPLETE or FAILED; its description."""
    poller = Poller(cfn, on_event=lambda _m: None, sleep=sleep, delay=delay, timeout=timeout)
    state = {"delay": delay, "elapsed": 0.0}
    while True:
        desc = poller.retrying(lambda: cfn.describe_change_set(ChangeSetName=change_set_id), state)
        if desc.get("Status") in {"CREATE_COMPLETE", "FAILED"}:
            return desc
        if state["elapsed"] >= timeout:
            raise StackError(
                f"change set {change_set_id} is still {desc.get('Status')} after {timeout:g}s: "
                "look at it in the CloudFormation console and deploy again"
            )
        sleep(delay)
        state["elapsed"] += delay


def _plan_update(
    cfn: CloudFormationClient,
    stack: StackTypeDef,
    base: PlanFields,
    sleep: Sleep,
    s3: S3Client | None,
    fetched: Fetched | None = None,
) -> DeployPlan:
    """Skip when template and parameters are unchanged, else compute a change set."""
    name, body, params = base["stack_name"], base["template_body"], base["parameters"]
    deployed = fetched() if fetched is not None else deployed_template(cfn, name)
    if same_template(deployed, body) and deployed_parameters(stack) == desired_parameters(
        body, params
    ):
        return DeployPlan(UNCHANGED, reasons=("deployed template and parameters match",), **base)
    created = cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"{CHANGE_SET_PREFIX}{int(time.time() * 1000)}",
        TemplateBody=body,
        Parameters=cfn_parameters(params),
        ChangeSetType="UPDATE",
        Description="amplify-tasks deploy",
    )
    desc = wait_change_set(cfn, created["Id"], sleep=sleep)
    if desc.get("Status") == "FAILED":
        reason = str(desc.get("StatusReason", ""))
        cfn.delete_change_set(ChangeSetName=created["Id"])
        if any(marker in reason for marker in NO_CHANGE_MARKERS):
            return DeployPlan(UNCHANGED, reasons=("the change set has no changes",), **base)
        raise StackError(
            f"CloudFormation rejected the change to stack {name}: {reason} "
            "-- fix the template (or the settings it is rendered from) and deploy again"
        )
    changes = tuple(_resource_change(c) for c in _change_set_changes(cfn, created["Id"], desc))
    bucket = next((c for c in changes if c.logical_id == BUCKET_ID), None)
    try:
        replacement = (
            bucket_replacement(cfn, base["stack_id"], bucket.replacement, s3) if bucket else None
        )
    except Exception:
        with contextlib.suppress(Exception):  # the count's error is the one to report
            cfn.delete_change_set(ChangeSetName=created["Id"])
        raise
    return DeployPlan(
        UPDATE, changes=changes, change_set_id=created["Id"], replacement=replacement, **base
    )


#: Gives a stack as DescribeStacks returned it (None: no such stack), made by the caller.
Described = Callable[[], "StackTypeDef | None"]

#: Gives the stack's deployed template as deployed_template returned it, asked for by the
#: caller (with the DescribeStacks that found the stack).
Fetched = Callable[[], object]


def deployed_template(cfn: CloudFormationClient, stack_name: str) -> object:
    """The template the stack was last deployed with (GetTemplate, as submitted: text, or
    the data botocore decoded it into)."""
    return cfn.get_template(StackName=stack_name, TemplateStage="Original").get("TemplateBody")


def plan_deploy(
    cfn: CloudFormationClient,
    stack_name: str,
    template_body: str,
    parameters: Mapping[str, str] | None = None,
    *,
    sleep: Sleep = time.sleep,
    described: Described | None = None,
    s3: S3Client | None = None,
    stage: str = "",
    fetched: Fetched | None = None,
) -> DeployPlan:
    """Decide what a deploy does. An "update" plan leaves a change set behind: execute it
    with ``deploy`` or delete it with ``discard_plan``. ``s3`` counts the objects a bucket
    replacement would leave behind (a client for the stack's region is made if needed);
    ``stage`` names the stage in hints; ``described`` and ``fetched`` give the stack and its
    template as read a moment ago (else they are read here)."""
    params = dict(parameters or {})
    base: PlanFields = {
        "stack_name": stack_name,
        "template_body": template_body,
        "parameters": params,
    }
    with aws_errors(f"planning stack {stack_name}"):
        stack = described() if described is not None else describe(cfn, stack_name)
        if stack is None:
            return DeployPlan(CREATE, changes=template_resources(template_body), **base)
        status = str(stack["StackStatus"])
        base.update(
            {
                "stack": stack,
                "stack_id": str(stack.get("StackId", "")),
                "status": status,
                "termination_protection": bool(stack.get("EnableTerminationProtection")),
            }
        )
        if status in DEAD_STATUSES:
            why = (
                "its first create failed and rolled back"
                if status == "ROLLBACK_COMPLETE"
                else "a create was prepared but never ran"
            )
            reason = f"the stack is {status} ({why}); it is deleted and created again"
            return DeployPlan(
                RECREATE, changes=template_resources(template_body), reasons=(reason,), **base
            )
        if status not in UPDATABLE_STATUSES:
            raise StackError(blocked_message(stack, stage))
        return _plan_update(cfn, stack, base, sleep, s3, fetched)


def discard_plan(cfn: CloudFormationClient, plan: DeployPlan) -> None:
    """Delete the change set an update plan created (a dry run leaves nothing behind)."""
    if plan.change_set_id:
        with aws_errors(f"deleting change set of {plan.stack_name}"):
            cfn.delete_change_set(ChangeSetName=plan.change_set_id)
