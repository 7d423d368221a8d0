"""Which AWS calls the tool makes and the least-privilege IAM policy of a stage, both from
one table (``calls``)."""

from .calls import ALLOWANCES, CALLS, PROVISIONING, Call, Provisioning, Scope
from .policy import POLICY_VERSION, StageResources, actions_by_scope, policy_document
from .readme import BEGIN, END, permissions_markdown
from .stage import stage_resources

__all__ = [
    "ALLOWANCES",
    "BEGIN",
    "CALLS",
    "END",
    "POLICY_VERSION",
    "PROVISIONING",
    "Call",
    "Provisioning",
    "Scope",
    "StageResources",
    "actions_by_scope",
    "permissions_markdown",
    "policy_document",
    "stage_resources",
]
