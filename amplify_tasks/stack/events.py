"""Waiting on a CloudFormation stack: collapse raw statuses to three states, print only the
events not shown yet, back off when throttled, and explain a failure by its failed resources.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from amplify_tasks.aws import one_line, translate_errors
from amplify_tasks.errors import StackError

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackEventTypeDef, StackTypeDef

COMPLETE = "complete"
FAILED = "failed"
IN_PROGRESS = "in progress"

#: Error codes AWS answers when it wants the caller to slow down.
THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)


#: Pages of stack events read at most per poll (a long history is not re-read every time).
MAX_EVENT_PAGES = 5

#: Default seconds between polls, the longest back-off, and how long a wait may take.
POLL_DELAY = 5.0
MAX_DELAY = 60.0
WAIT_TIMEOUT = 3600.0
EventSink = Callable[[str], None]
Sleep = Callable[[float], None]
T = TypeVar("T")


def collapse(status: str) -> str:
    """complete / failed / in progress for a raw stack or resource status."""
    if status.endswith("_IN_PROGRESS"):
        return IN_PROGRESS
    if status.endswith("_FAILED") or "ROLLBACK" in status:
        return FAILED
    return COMPLETE


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, else ''."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return str(exc)
    return str(response.get("Error", {}).get("Message", "")) or str(exc)


def is_throttle(exc: BaseException) -> bool:
    return error_code(exc) in THROTTLE_CODES


def is_missing_stack(exc: BaseException) -> bool:
    """True for the ValidationError CloudFormation answers for a stack that does not exist."""
    message = error_message(exc)
    return (
        error_code(exc) == "ValidationError"
        and message.startswith("Stack")
        and ("does not exist" in message)
    )


@contextlib.contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Credential/region/permission errors as AwsError; any other refusal as StackError."""

    def refused(exc: ClientError) -> StackError:
        return StackError(
            f"{action} failed: {error_code(exc)}: {one_line(error_message(exc))} "
            "-- check the stack in `inv hosting.status` and retry"
        )

    with translate_errors(refused):
        yield


def format_event(event: StackEventTypeDef) -> str:
    """One line: time, logical id, type, status and the reason when there is one."""
    stamp: object = event.get("Timestamp")
    when = stamp.strftime("%H:%M:%S") if hasattr(stamp, "strftime") else str(stamp or "")
    reason = event.get("ResourceStatusReason") or ""
    line = (
        f"{when} {event.get('LogicalResourceId', ''):<28} "
        f"{event.get('ResourceType', ''):<36} {event.get('ResourceStatus', '')}"
    )
    return f"{line} - {reason}" if reason else line


@dataclass
class EventLog:
    """The events of one stack already shown, and those of the operation being watched."""

    cfn: CloudFormationClient
    stack: str
    seen: set[str] = field(default_factory=set)
    shown: list[StackEventTypeDef] = field(default_factory=list)

    @classmethod
    def start(cls, cfn: CloudFormationClient, stack: str) -> EventLog:
        """Remember the events that exist now, so only later ones are printed."""
        log = cls(cfn, stack)
        log.seen = {e["EventId"] for e in log._pages(limit=1)}
        return log

    def _pages(self, limit: int = MAX_EVENT_PAGES) -> Iterator[StackEventTypeDef]:
        from botocore.exceptions import ClientError

        token: str | None = None
        for _ in range(limit):
            kwargs: dict[str, str] = {"StackName": self.stack}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self.cfn.describe_stack_events(**kwargs)
            except ClientError as exc:
                if is_missing_stack(exc):
                    return
                raise
            yield from page.get("StackEvents", [])
            token = page.get("NextToken")
            if not token:
                return

    def new_events(self) -> list[StackEventTypeDef]:
        """Events not seen before, oldest first."""
        fresh: list[StackEventTypeDef] = []
        for event in self._pages():
            if event["EventId"] in self.seen:
                break
            fresh.append(event)
        fresh.reverse()
        self.seen.update(e["EventId"] for e in fresh)
        self.shown.extend(fresh)
        return fresh

    def failures(self) -> list[StackEventTypeDef]:
        """Failed events of the watched operation, resources first, each with its reason."""
        failed = [
            e
            for e in self.shown
            if str(e.get("ResourceStatus", "")).endswith("_FAILED")
            and e.get("ResourceStatusReason")
        ]
        return sorted(failed, key=lambda e: e.get("PhysicalResourceId") == e.get("StackId"))


def describe(cfn: CloudFormationClient, stack: str) -> StackTypeDef | None:
    """The stack's description, or None when it does not exist."""
    try:
        stacks = cfn.describe_stacks(StackName=stack).get("Stacks", [])
    except Exception as exc:
        from botocore.exceptions import ClientError  # once it failed

        if isinstance(exc, ClientError) and is_missing_stack(exc):
            return None
        raise
    return stacks[0] if stacks else None


@dataclass
class Poller:
    """Polls a stack until its status leaves in-progress; ``sleep`` is injected for tests."""

    cfn: CloudFormationClient
    on_event: EventSink = print
    sleep: Sleep = time.sleep
    delay: float = POLL_DELAY
    max_delay: float = MAX_DELAY
    timeout: float = WAIT_TIMEOUT

    def retrying(self, call: Callable[[], T], state: dict[str, float]) -> T:
        """Run ``call``; on throttling wait longer and try again, until the timeout."""
        from botocore.exceptions import ClientError

        while True:
            try:
                return call()
            except ClientError as exc:
                if not is_throttle(exc) or state["elapsed"] >= self.timeout:
                    raise
                state["delay"] = min(state["delay"] * 2, self.max_delay)
                self.on_event(
                    f"throttled by AWS ({error_code(exc)}); retrying in {state['delay']:g}s"
                )
                self._pause(state)

    def _pause(self, state: dict[str, float]) -> None:
        self.sleep(state["delay"])
        state["elapsed"] += state["delay"]

    def wait(self, stack_id: str, log: EventLog) -> StackTypeDef | None:
        """Print new events until the stack is complete or failed; the final description
        (None once a deleted stack is gone). Raises StackError on timeout."""
        state = {"delay": self.delay, "elapsed": 0.0}
        while True:
            for event in self.retrying(log.new_events, state):
                self.on_event(format_event(event))
            stack = self.retrying(lambda: describe(self.cfn, stack_id), state)
            if stack is None or collapse(stack["StackStatus"]) != IN_PROGRESS:
                for event in self.retrying(log.new_events, state):
                    self.on_event(format_event(event))
                return stack
            if state["elapsed"] >= self.timeout:
                raise StackError(
                    f"stack {stack.get('StackName', stack_id)} is still {stack['StackStatus']} "
                    f"after {self.timeout:g}s: follow it with `inv hosting.status` or in the "
                    "CloudFormation console"
                )
            self._pause(state)


def explain_failure(
    stack: Mapping[str, object], log: EventLog, on_event: EventSink, hint: str
) -> str:
    """Print every failed resource with its reason; return the one-line error message."""
    failures = log.failures()
    for event in failures:
        on_event(
            f"FAILED {event.get('LogicalResourceId')} ({event.get('ResourceType')}): "
            f"{event.get('ResourceStatus')} - {event.get('ResourceStatusReason')}"
        )
    first = next(
        (e for e in failures if e.get("PhysicalResourceId") != e.get("StackId")),
        failures[0] if failures else None,
    )
    cause = (
        f"{first.get('LogicalResourceId')}: {first.get('ResourceStatusReason')}"
        if first
        else stack.get("StackStatusReason") or "no reason given"
    )
    return f"stack {stack.get('StackName')} ended {stack['StackStatus']} ({cause}); {hint}"


def delete_stack(cfn: CloudFormationClient, stack_id: str, poller: Poller, protected: bool) -> None:
    """Lift termination protection if on, delete the stack and wait; DELETE_FAILED raises."""
    if protected:
        cfn.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    log = EventLog.start(cfn, stack_id)
    cfn.delete_stack(StackName=stack_id)
    stack = poller.wait(stack_id, log)
    if stack is not None and stack["StackStatus"] != "DELETE_COMPLETE":
        hint = "delete the resources named above by hand, then run `inv hosting.remove`"
        raise StackError(explain_failure(stack, log, poller.on_event, hint))
