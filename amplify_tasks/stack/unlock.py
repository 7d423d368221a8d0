"""Removing a stage's publish lock by hand (`inv hosting.unlock`): find the stage's bucket,
say who holds the lock, ask, and delete it if it is still the lock that was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amplify_tasks import aws
from amplify_tasks.errors import LockError
from amplify_tasks.settings import Settings

from .deploy import cloudformation
from .events import EventSink, aws_errors, describe
from .outputs import outputs_of


def unlock_stage(
    settings: Settings,
    *,
    confirm: Callable[[str], bool],
    cfn: Any = None,
    s3: Any = None,
    on_event: EventSink = print,
) -> bool:
    """Remove the stage's lock after ``confirm`` said yes; True when one was removed."""
    from amplify_tasks.lock import break_lock, inspect

    stage, name = settings.stage, settings.stack_name
    cfn = cloudformation(cfn)
    with aws_errors(f"reading stack {name}"):
        stack = describe(cfn, name)
    outputs = outputs_of(cfn, stack) if stack else None
    if outputs is None or not outputs.bucket:
        on_event(f"stage {stage} has no bucket (stack {name} is not deployed): nothing is locked")
        return False
    with aws.translate_errors():
        s3 = s3 if s3 is not None else aws.client("s3", region=outputs.region or None)
        held = inspect(s3, outputs.bucket)
        if held is None:
            on_event(f"stage {stage} is not locked")
            return False
        on_event(
            f"stage {stage} is locked by {held.holder.describe()}, renewed {held.age:.0f} s ago"
        )
        if not confirm(
            f"Remove the lock of stage {stage}? If that {held.holder.task} still runs, it goes "
            "on unlocked"
        ):
            on_event("cancelled; the lock stays")
            return False
        if not break_lock(s3, outputs.bucket, held):
            raise LockError(
                f"the lock of stage {stage} changed while you were asked (it was renewed or "
                f"taken again): run `inv hosting.unlock --stage {stage}` again to see who holds it"
            )
    on_event(f"removed the lock of stage {stage} (held by {held.holder.describe()})")
    return True
