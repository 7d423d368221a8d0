"""A resource that fails to create or update ends the stack as CloudFormation would (moto
raises out of the API call and leaves the stack in progress): the resource gets a
``*_FAILED`` event with the service's reason, a failed create is rolled back (what was made
is deleted) to ``ROLLBACK_COMPLETE``, and a failed update ends in
``UPDATE_ROLLBACK_COMPLETE`` with the previous template. Resources an update changed before
the failing one stay changed: the emulator does not undo them.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any


class ResourceFailed(Exception):
    """A resource's create or update failed; the stack's event already says why."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(reason)
        self.logical_id = logical_id
        self.reason = reason


def reason_of(exc: Exception) -> str:
    """The reason CloudFormation gives: the service's message and error code."""
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{message} (Error Code: {code})" if isinstance(code, str) else str(message)


def failed(
    stack: Any, logical_id: str, resource_json: dict[str, Any], verb: str, exc: Exception
) -> ResourceFailed:
    """Record ``logical_id``'s failure on ``stack`` (if known); the exception to raise."""
    from .patches import resource_event

    reason = reason_of(exc)
    last = stack.events[-1] if stack is not None and stack.events else None
    repeated = (  # moto retries a failed update a few times: one failure, one event
        last is not None
        and last.logical_resource_id == logical_id
        and last.resource_status == f"{verb}_FAILED"
    )
    if stack is not None and not repeated:
        resource = SimpleNamespace(
            logical_resource_id=logical_id,
            cf_resource_type=resource_json.get("Type", ""),
            physical_resource_id=getattr(exc, "physical_id", ""),
        )
        resource_event(stack, resource, f"{verb}_IN_PROGRESS")
        for progress in getattr(exc, "progress_reasons", ()):  # what it waited for first
            resource_event(stack, resource, f"{verb}_IN_PROGRESS", progress)
        resource_event(stack, resource, f"{verb}_FAILED", reason)
    return ResourceFailed(logical_id, reason)


def _roll_back_create(stack: Any, failure: ResourceFailed) -> None:
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack._add_stack_event(
        "ROLLBACK_IN_PROGRESS",
        resource_status_reason=(
            f"The following resource(s) failed to create: [{failure.logical_id}]. "
            "Rollback requested by user."
        ),
    )
    try:
        stack.resource_map.delete()
    except Exception as exc:
        stack.status = "ROLLBACK_FAILED"
        stack._add_stack_event("ROLLBACK_FAILED", resource_status_reason=reason_of(exc))
        return
    # nothing is left: no resource for moto to make lazily, no outputs to evaluate
    from moto.cloudformation.parsing import OutputMap

    stack.resource_map._resource_json_map = {}
    stack.output_map = OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)
    stack.status = "ROLLBACK_COMPLETE"
    stack._add_stack_event("ROLLBACK_COMPLETE")


def _roll_back_update(stack: Any, failure: ResourceFailed) -> None:
    stack._add_stack_event(
        "UPDATE_ROLLBACK_IN_PROGRESS",
        resource_status_reason=(
            f"The following resource(s) failed to update: [{failure.logical_id}]. "
        ),
    )
    stack._parse_template()  # the template before the update
    stack.resource_map._template = stack.template_dict
    stack.resource_map._resource_json_map = stack.template_dict.get("Resources", {})
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def install() -> None:
    """Wrap stack creation, stack update and change set execution."""
    from moto.cloudformation.models import CloudFormationBackend, Stack

    original_create = Stack.create_resources

    @functools.wraps(original_create)
    def create_resources(self: Any) -> None:
        try:
            original_create(self)
        except ResourceFailed as failure:
            _roll_back_create(self, failure)

    original_update = Stack.update

    @functools.wraps(original_update)
    def update(self: Any, template: str, *args: Any, **kwargs: Any) -> None:
        previous = self.template
        try:
            original_update(self, template, *args, **kwargs)
        except ResourceFailed as failure:
            self.template = previous
            _roll_back_update(self, failure)

    original_execute = CloudFormationBackend.execute_change_set

    @functools.wraps(original_execute)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        try:
            original_execute(self, change_set_name, stack_name)
        except ResourceFailed as failure:
            change_set = self.describe_change_set(change_set_name)
            change_set.execution_status = "EXECUTE_FAILED"
            stack = self.stacks[change_set.stack_id]
            if change_set.change_set_type == "CREATE":
                _roll_back_create(stack, failure)
            else:
                _roll_back_update(stack, failure)

    setattr(Stack, "create_resources", create_resources)  # noqa: B010
    setattr(Stack, "update", update)  # noqa: B010
    setattr(CloudFormationBackend, "execute_change_set", execute_change_set)  # noqa: B010
