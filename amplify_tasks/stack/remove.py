"""Taking a stage down: confirm, lift termination protection, empty the bucket the stack
created (every version and delete marker), delete the stack and wait; settings are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import SettingsError, StackError
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings

from . import events
from .bucket import empty_bucket, owned_bucket
from .companion import MadeForDomain, remove_orphan_companion
from .deploy import StackOps, cloudformation
from .events import IN_PROGRESS, EventSink, Poller, Sleep, aws_errors, collapse
from .outputs import outputs_of
from .plan import blocked_message

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_s3 import S3Client

#: The words that mark the question answered by typing the stage name.
TYPE_STAGE = "type the stage name"
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class RemoveResult:
    """What `inv hosting.remove` did."""

    stack_name: str
    removed: bool
    cancelled: bool = False
    bucket: str = ""
    deleted_objects: int = 0
    skipped_bucket: str = ""
    purged: tuple[str, ...] = ()


def confirmation(stage: str, ask: Callable[[str], str] = input) -> Confirm:
    """Answers remove_stage's question on a terminal: the stage name when it asks for it
    to be typed, else y/yes."""

    def confirm(prompt: str) -> bool:
        try:
            answer = ask(prompt).strip()
        except EOFError:
            raise SettingsError(
                "no answer to the removal question (input is closed): answer on a terminal, "
                "or pass --yes"
            ) from None
        if TYPE_STAGE in prompt:
            return answer == stage
        return answer.lower() in {"y", "yes"}

    return confirm


def _question(settings: Settings, stack: StackTypeDef, bucket: str, cloudfront: bool) -> str:
    what = f"delete stack {stack['StackName']}"
    domain = MadeForDomain.of(stack, settings).what()
    if domain:
        what += f" ({domain})"
    if bucket:
        what += f" and every file (all versions) in bucket {bucket}"
    if cloudfront:
        return f"This will {what}. To confirm, {TYPE_STAGE} ({settings.stage}): "
    return f"This will {what}. Continue? [y/N] "


def _purge(project: Project, stage: str) -> tuple[str, ...]:
    removed = []
    for path in (project.env_file(stage), project.template_path(stage)):
        if path.is_file():
            path.unlink()
            removed.append(str(path))
    return tuple(removed)


def remove_stage(
    project: Project,
    settings: Settings,
    *,
    confirm: Confirm,
    purge: bool,
    cfn: CloudFormationClient | None = None,
    s3: S3Client | None = None,
    on_event: EventSink = print,
    sleep: Sleep = time.sleep,
    poll_delay: float = 5.0,
) -> RemoveResult:
    """Confirm, lift protection, empty the bucket this stack created, delete the stack and
    wait. ``.env.<stage>`` (and the rendered template) go only with ``purge``."""
    cfn = cloudformation(cfn)
    name = settings.stack_name
    with aws_errors(f"removing stack {name}"):
        stack = events.describe(cfn, name)
        if stack is None:
            on_event(f"stack {name} does not exist; nothing to delete in AWS")
            remove_orphan_companion(settings, on_event, sleep)
            purged = _purge(project, settings.stage) if purge else ()
            return RemoveResult(name, removed=False, purged=purged)
        status = str(stack["StackStatus"])
        if collapse(status) == IN_PROGRESS and status != "REVIEW_IN_PROGRESS":
            raise StackError(blocked_message(stack, settings.stage))
        outputs = outputs_of(cfn, stack)
        bucket = owned_bucket(cfn, stack["StackId"])
        skipped = outputs.bucket if outputs.bucket and outputs.bucket != bucket else ""
        cloudfront = bool(outputs.distribution_id) or settings.cloudfront
        if not confirm(_question(settings, stack, bucket, cloudfront)):
            on_event("cancelled; nothing was removed")
            return RemoveResult(name, removed=False, cancelled=True)
        if stack.get("EnableTerminationProtection"):
            cfn.update_termination_protection(
                StackName=stack["StackId"], EnableTerminationProtection=False
            )
            on_event(f"termination protection of stack {name} lifted")
        if skipped:
            on_event(f"not emptying bucket {skipped}: stack {name} did not create it")
        deleted = 0
        if bucket:
            s3 = s3 if s3 is not None else aws.client("s3", region=outputs.region or None)
            deleted = empty_bucket(s3, bucket)
            on_event(f"emptied bucket {bucket}: {deleted} object versions and delete markers")
        ops = StackOps(cfn, on_event, Poller(cfn, on_event, sleep, delay=poll_delay))
        ops.delete(stack["StackId"], protected=False)
        on_event(f"stack {name} deleted")
        MadeForDomain.of(stack, settings).removed(on_event, sleep, poll_delay)
    purged = _purge(project, settings.stage) if purge else ()
    return RemoveResult(
        name, True, bucket=bucket, deleted_objects=deleted, skipped_bucket=skipped, purged=purged
    )
