"""The IAM policy document of one stage, generated from the table in ``calls``: one statement
per stage resource, with every action the tool (or CloudFormation on its behalf) needs there,
each on that resource's ARN only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .calls import CALLS, PROVISIONING, Scope

#: IAM's policy language version.
POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class StageResources:
    """What a stage's policy names: its account and region and the physical ids of the
    resources of its stack (empty when the stage has no such resource)."""

    account: str
    region: str
    stack_name: str
    bucket: str
    partition: str = "aws"
    kvs_arn: str = ""
    distribution_id: str = ""
    function_arn: str = ""
    cache_policy_id: str = ""
    origin_access_id: str = ""
    certificate_arn: str = ""
    hosted_zone_id: str = ""
    #: more stacks of the stage (a custom domain's certificate stack in us-east-1): their ARNs
    more_stacks: tuple[str, ...] = field(default_factory=tuple)

    def arns(self) -> dict[Scope, tuple[str, ...]]:
        """The ARNs of every scope the stage has a resource for."""
        p, acct = self.partition, self.account
        cloudfront = f"arn:{p}:cloudfront::{acct}"
        found: dict[Scope, tuple[str, ...]] = {
            Scope.STACK: (
                f"arn:{p}:cloudformation:{self.region}:{acct}:stack/{self.stack_name}/*",
                *self.more_stacks,
            ),
            Scope.BUCKET: (f"arn:{p}:s3:::{self.bucket}",),
            Scope.OBJECTS: (f"arn:{p}:s3:::{self.bucket}/*",),
        }
        optional = {
            Scope.STORE: self.kvs_arn,
            Scope.DISTRIBUTION: self.distribution_id
            and f"{cloudfront}:distribution/{self.distribution_id}",
            Scope.FUNCTION: self.function_arn,
            Scope.CACHE_POLICY: self.cache_policy_id
            and f"{cloudfront}:cache-policy/{self.cache_policy_id}",
            Scope.ORIGIN_ACCESS: self.origin_access_id
            and f"{cloudfront}:origin-access-control/{self.origin_access_id}",
            Scope.CERTIFICATE: self.certificate_arn,
            Scope.HOSTED_ZONE: self.hosted_zone_id
            and f"arn:{p}:route53:::hostedzone/{self.hosted_zone_id}",
        }
        found.update({scope: (arn,) for scope, arn in optional.items() if arn})
        if Scope.HOSTED_ZONE in found:
            found[Scope.CHANGES] = (f"arn:{p}:route53:::change/*",)
            found[Scope.ANY] = ("*",)
        return found


def actions_by_scope(have: Mapping[Scope, object]) -> dict[Scope, tuple[str, ...]]:
    """The actions of the table the stage needs, sorted, per scope it has a resource for."""
    wanted: dict[Scope, set[str]] = {}
    entries: list[tuple[Scope, Scope | None, tuple[str, ...]]]
    entries = [(c.scope, c.when, (c.action,)) for c in CALLS]
    entries += [(p.scope, p.when, p.actions) for p in PROVISIONING]
    for scope, when, actions in entries:
        if scope in have and (when or scope) in have:
            wanted.setdefault(scope, set()).update(actions)
    return {scope: tuple(sorted(wanted[scope])) for scope in Scope if scope in wanted}


def _sid(scope: Scope) -> str:
    return "".join(part.capitalize() for part in scope.name.split("_"))


def policy_document(resources: StageResources) -> dict[str, object]:
    """The stage's IAM policy: one Allow statement per resource scope, no wildcard action."""
    arns = resources.arns()
    statements: list[dict[str, object]] = [
        {
            "Sid": _sid(scope),
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": list(arns[scope]) if len(arns[scope]) > 1 else arns[scope][0],
        }
        for scope, actions in actions_by_scope(arns).items()
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}
