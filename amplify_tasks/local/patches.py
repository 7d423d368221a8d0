"""CloudFormation behaviour moto lacks, patched into moto inside the emulator process only:
termination protection, DELETE_FAILED for a non-empty bucket, per-resource events, outputs
that follow a template applied through a change set, LastUpdatedTime after an update,
failed resources (``rollback``), bucket policies on the S3 API evaluated with the
conditions our templates use (secure transport, the requester's account), and listings
whose common prefixes stand for current objects only (``s3_listing``).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from typing import Any

from . import rollback, s3_listing

_INSTALLED = False


def resource_event(stack: Any, resource: Any, status: str, reason: str | None = None) -> None:
    from moto.cloudformation.models import Event

    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=getattr(resource, "logical_resource_id", ""),
            physical_resource_id=getattr(resource, "physical_resource_id", "") or "",
            resource_type=getattr(resource, "cf_resource_type", ""),
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _remaining_resources(stack: Any) -> list[Any]:
    from moto.core.common_models import CloudFormationModel

    parsed = stack.resource_map._parsed_resources
    return [r for r in parsed.values() if isinstance(r, CloudFormationModel)]


def stack_delete(self: Any) -> None:
    """Stack.delete that ends in DELETE_FAILED (with AWS's reasons) instead of raising."""
    from .models import BucketNotEmpty, HostingBucket, bucket_is_empty

    self._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        self.resource_map.delete()
    except Exception as exc:
        failed = _remaining_resources(self)
        for resource in failed:
            reason = str(exc)
            if isinstance(resource, HostingBucket) and not bucket_is_empty(
                resource.name, resource.account_id
            ):
                reason = str(BucketNotEmpty(resource.name))
            resource_event(self, resource, "DELETE_FAILED", reason)
        names = ", ".join(getattr(r, "logical_resource_id", "?") for r in failed)
        self.status = "DELETE_FAILED"
        self._add_stack_event(
            "DELETE_FAILED", f"The following resource(s) failed to delete: [{names}]. "
        )
        return
    self._add_stack_event("DELETE_COMPLETE")
    self.status = "DELETE_COMPLETE"


def backend_delete_stack(self: Any, name_or_stack_id: str) -> None:
    """delete_stack that honours termination protection and keeps a DELETE_FAILED stack."""
    from moto.cloudformation.exceptions import ValidationError

    stack = next(
        (s for s in self.stacks.values() if name_or_stack_id in (s.stack_id, s.name)), None
    )
    if stack is None:
        return
    if stack.enable_termination_protection:
        raise ValidationError(
            message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
        )
    stack.delete()
    if stack.status == "DELETE_FAILED":
        return
    self.stacks.pop(stack.stack_id, None)
    self.deleted_stacks[stack.stack_id] = stack
    for export in stack.exports:
        self.exports.pop(export.name, None)


def backend_update_termination_protection(self: Any, name: str, enabled: bool) -> Any:
    stack = self.get_stack(name)
    stack.enable_termination_protection = enabled
    return stack


def response_update_termination_protection(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.core.utils import ensure_boolean

    name = self._get_param("StackName")
    enabled = ensure_boolean(self._get_param("EnableTerminationProtection"))
    stack = self.cloudformation_backend.update_termination_protection(name, enabled)
    return ActionResult({"StackId": stack.stack_id})


def _refresh_outputs(stack: Any) -> None:
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()


def _updated_now(stack: Any) -> None:
    """DescribeStacks shows LastUpdatedTime after an update, as AWS does (moto never sets it)."""
    from moto.core.utils import utcnow

    stack.last_updated_time = utcnow()


def _with_resource_events(parse: Any, verb: str) -> Any:
    """Wrap moto's parse_and_{create,update}_resource to log per-resource events."""

    @functools.wraps(parse)
    def wrapper(logical_id: str, resource_json: Any, resources_map: Any, *a: Any, **k: Any) -> Any:
        stack = _stack_by_id(resources_map)
        try:
            resource = parse(logical_id, resource_json, resources_map, *a, **k)
        except rollback.ResourceFailed:
            raise
        except Exception as exc:
            raise rollback.failed(stack, logical_id, resource_json, verb, exc) from exc
        if stack is not None and resource is not None:
            resource_event(stack, resource, f"{verb}_IN_PROGRESS")
            for reason in getattr(resource, "progress_reasons", ()):  # what it waited for
                resource_event(stack, resource, f"{verb}_IN_PROGRESS", reason)
            resource_event(stack, resource, f"{verb}_COMPLETE")
        return resource

    return wrapper


def _stack_by_id(resources_map: Any) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    try:
        backend = cloudformation_backends[resources_map._account_id][resources_map._region_name]
    except Exception:
        return None
    return backend.stacks.get(resources_map.stack_id)


#: The emulator speaks plain HTTP on loopback but stands for AWS's TLS endpoints, so bucket
#: policies see requests as secure (a `Deny aws:SecureTransport=false` must not bite).
REQUEST_CONDITIONS = {"aws:SecureTransport": "true"}


#: What a website endpoint request is: plain HTTP, from nobody (no aws:PrincipalAccount).
WEBSITE_CONDITIONS = {"aws:SecureTransport": "false"}


#: The condition keys the emulator knows for every request; a key missing from a request's
#: conditions is not in its context (aws:PrincipalAccount of an anonymous request).
_KNOWN_CONDITION_KEYS = {"aws:securetransport": "aws:SecureTransport"}
_KNOWN_CONDITION_KEYS["aws:principalaccount"] = "aws:PrincipalAccount"


#: The account of the S3 request this thread is serving, None when it is anonymous.
_REQUESTER = threading.local()


def request_conditions() -> dict[str, str]:
    """The condition context of the S3 request this thread serves: secure, and the account of
    its credentials when it is signed."""
    account = getattr(_REQUESTER, "account", None)
    if account:
        return {**REQUEST_CONDITIONS, "aws:PrincipalAccount": str(account)}
    return dict(REQUEST_CONDITIONS)


def _condition_holds(statement: Mapping[str, Any], conditions: Mapping[str, str]) -> bool:
    """False when a Bool/StringEquals/StringNotEquals condition on a key we know fails.

    moto evaluates only StringEquals and turns any failed condition into a Deny, so
    statements that do not apply are dropped before moto sees the policy.
    """
    for operator, tests in (statement.get("Condition") or {}).items():
        if operator not in ("Bool", "StringEquals", "StringNotEquals"):
            continue
        for key, expected in tests.items():
            known = _KNOWN_CONDITION_KEYS.get(str(key).lower())
            if known is None:
                continue
            values = {str(v) for v in (expected if isinstance(expected, list) else [expected])}
            actual = conditions.get(known)
            if operator == "Bool":
                values, actual = {v.lower() for v in values}, actual and actual.lower()
            if operator == "StringNotEquals":
                holds = actual is None or actual not in values
            else:
                holds = actual is not None and actual in values
            if not holds:
                return False
    return True


def _names_a_caller(statement: Mapping[str, Any]) -> bool:
    """False for a statement whose Principal is only AWS services (or federated users): an S3
    API request reaching the emulator is from credentials or from nobody, never from a
    service, so such a statement does not apply to it (moto would apply it to anyone)."""
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping):
        return True
    return "AWS" in principal or "CanonicalUser" in principal


def policy_permission(
    bucket: Any, action: str, resource: str, conditions: Mapping[str, str]
) -> Any:
    """The bucket policy's answer for a request with these conditions (moto's PermissionResult),
    over only the statements whose conditions hold."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if bucket.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(bucket.policy.decode())
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    applying = [st for st in statements if _names_a_caller(st) and _condition_holds(st, conditions)]
    if not applying:
        return PermissionResult.NEUTRAL
    policy = IAMPolicy(json.dumps({**document, "Statement": applying}))
    return policy.is_action_permitted(action, resource)


def bucket_get_permission(self: Any, action: str, resource: str) -> Any:
    """FakeBucket.get_permission for the S3 request being served."""
    return policy_permission(self, action, resource, request_conditions())


def _signed(request: Any) -> bool:
    """A request signed in its Authorization header or as a presigned URL."""
    if "Authorization" in request.headers:
        return True
    args = getattr(request, "args", None) or {}
    return "X-Amz-Credential" in args


def install() -> None:
    """Apply the patches (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation import parsing
    from moto.cloudformation.models import CloudFormationBackend, Stack
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    setattr(Stack, "delete", stack_delete)  # noqa: B010
    setattr(FakeBucket, "get_permission", bucket_get_permission)  # noqa: B010
    original_setup = S3Response.setup_class

    @functools.wraps(original_setup)
    def setup_class(self: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        original_setup(self, request, *args, **kwargs)
        _REQUESTER.account = self.current_account if _signed(request) else None

    setattr(S3Response, "setup_class", setup_class)  # noqa: B010
    setattr(CloudFormationBackend, "delete_stack", backend_delete_stack)  # noqa: B010
    setattr(  # noqa: B010
        CloudFormationBackend,
        "update_termination_protection",
        backend_update_termination_protection,
    )
    setattr(  # noqa: B010
        CloudFormationResponse,
        "update_termination_protection",
        response_update_termination_protection,
    )

    original_execute = CloudFormationBackend.execute_change_set

    @functools.wraps(original_execute)
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original_execute(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        _refresh_outputs(stack)
        if change_set.change_set_type == "UPDATE":
            _updated_now(stack)

    setattr(CloudFormationBackend, "execute_change_set", execute_change_set)  # noqa: B010

    original_stack_update = Stack.update

    @functools.wraps(original_stack_update)
    def stack_update(self: Any, *args: Any, **kwargs: Any) -> None:
        original_stack_update(self, *args, **kwargs)
        _updated_now(self)

    setattr(Stack, "update", stack_update)  # noqa: B010

    original_delete_resource = parsing.ResourceMap._delete_resource

    @functools.wraps(original_delete_resource)
    def delete_resource(self: Any, parsed_resource: Any, resource_json: Any) -> None:
        original_delete_resource(self, parsed_resource, resource_json)
        if getattr(self, "_amplify_updating", False):
            # moto's update keeps a removed resource parsed: a later update adding the same
            # logical id back would get the deleted object instead of creating a new one
            for logical_id, resource in list(self._parsed_resources.items()):
                if resource is parsed_resource:
                    del self._parsed_resources[logical_id]
        stack = _stack_by_id(self)
        if stack is not None:
            resource_event(stack, parsed_resource, "DELETE_COMPLETE")

    setattr(parsing.ResourceMap, "_delete_resource", delete_resource)  # noqa: B010
    original_map_update = parsing.ResourceMap.update

    @functools.wraps(original_map_update)
    def map_update(self: Any, *args: Any, **kwargs: Any) -> None:
        self._amplify_updating = True
        try:
            original_map_update(self, *args, **kwargs)
        finally:
            self._amplify_updating = False

    setattr(parsing.ResourceMap, "update", map_update)  # noqa: B010
    original_load_parameters = parsing.ResourceMap.load_parameters

    @functools.wraps(original_load_parameters)
    def load_parameters(self: Any) -> None:
        # an update whose template no longer declares a parameter drops its value, as
        # CloudFormation does (moto would look the parameter up in the new template)
        declared = self._template.get("Parameters", {})
        self.input_parameters = {k: v for k, v in self.input_parameters.items() if k in declared}
        self.resolved_parameters = {
            k: v
            for k, v in self.resolved_parameters.items()
            if k in declared or k.startswith("AWS::")
        }
        original_load_parameters(self)

    setattr(parsing.ResourceMap, "load_parameters", load_parameters)  # noqa: B010
    # a resource whose Condition is false is not in the stack (moto lists it as None)
    setattr(  # noqa: B010
        Stack,
        "stack_resources",
        property(lambda self: [r for r in self.resource_map.values() if r is not None]),
    )
    parsing.parse_and_create_resource = _with_resource_events(
        parsing.parse_and_create_resource, "CREATE"
    )
    parsing.parse_and_update_resource = _with_resource_events(
        parsing.parse_and_update_resource, "UPDATE"
    )
    rollback.install()
    s3_listing.install()
    _INSTALLED = True
