"""Bucket-policy evaluation for requests that reach S3 from outside the bucket owner's
account, as CloudFront's are: an explicit Deny wins, else an explicit Allow is needed.
Principals are a service (``cloudfront.amazonaws.com`` behind Origin Access Control), an
origin access identity, or anonymous; conditions use the request's context keys
(``aws:SourceArn``, ``aws:SourceAccount``, ``aws:SecureTransport``) with the String, Arn,
Bool and Null operators and their ``IfExists`` forms. A condition the evaluator does not
know never holds, so an unknown Allow grants nothing.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

ALLOW, DENY, NEUTRAL = "Allow", "Deny", "Neutral"


@dataclass(frozen=True)
class Principal:
    """Who makes the request: a service, IAM ARNs (origin access identity) or nobody."""

    service: str | None = None
    aws: tuple[str, ...] = ()
    context: dict[str, str] = field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        return self.service is None and not self.aws


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _matches(patterns: Iterable[str], value: str, case_sensitive: bool = True) -> bool:
    for pattern in patterns:
        if case_sensitive:
            if fnmatch.fnmatchcase(value, pattern):
                return True
        elif fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def _principal_matches(spec: Any, principal: Principal) -> bool:
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    aws = _listed(spec.get("AWS"))
    if "*" in aws:
        return True
    if principal.service and principal.service in _listed(spec.get("Service")):
        return True
    return any(arn in aws for arn in principal.aws)


_Test = Callable[[str, str], bool]


_OPERATORS: dict[str, tuple[_Test, bool]] = {
    # name: (test of one value against one expected value, negated)
    "StringEquals": (lambda v, e: v == e, False),
    "StringNotEquals": (lambda v, e: v == e, True),
    "StringEqualsIgnoreCase": (lambda v, e: v.lower() == e.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, e: v.lower() == e.lower(), True),
    "StringLike": (fnmatch.fnmatchcase, False),
    "StringNotLike": (fnmatch.fnmatchcase, True),
    "ArnEquals": (lambda v, e: v == e, False),
    "ArnNotEquals": (lambda v, e: v == e, True),
    "ArnLike": (fnmatch.fnmatchcase, False),
    "ArnNotLike": (fnmatch.fnmatchcase, True),
    "Bool": (lambda v, e: v.lower() == e.lower(), False),
}


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
    actual = context.get(key.lower())
    if operator == "Null":
        wanted_missing = str(expected).lower() == "true"
        return (actual is None) == wanted_missing
    if_exists = operator.endswith("IfExists")
    name = operator.removesuffix("IfExists")
    if name not in _OPERATORS:
        return False
    if actual is None:
        return if_exists or _OPERATORS[name][1]
    test, negated = _OPERATORS[name]
    hit = any(test(actual, str(e)) for e in _listed(expected))
    return not hit if negated else hit


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, pairs in (conditions or {}).items()
        for key, expected in (pairs or {}).items()
    )


def _applies(statement: dict[str, Any], principal: Principal, action: str, resource: str) -> bool:
    if "Principal" in statement and not _principal_matches(statement["Principal"], principal):
        return False
    if "NotPrincipal" in statement and _principal_matches(statement["NotPrincipal"], principal):
        return False
    if "Action" in statement and not _matches(_listed(statement["Action"]), action, False):
        return False
    if "NotAction" in statement and _matches(_listed(statement["NotAction"]), action, False):
        return False
    if "Resource" in statement and not _matches(_listed(statement["Resource"]), resource):
        return False
    if "NotResource" in statement and _matches(_listed(statement["NotResource"]), resource):
        return False
    context = {k.lower(): v for k, v in principal.context.items()}
    return _conditions_hold(statement.get("Condition") or {}, context)


def evaluate(
    document: str | dict[str, Any] | None, principal: Principal, action: str, resource: str
) -> str:
    """ALLOW, DENY or NEUTRAL (no statement applies) for ``action`` on ``resource``."""
    if not document:
        return NEUTRAL
    policy = json.loads(document) if isinstance(document, str) else document
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    effects = {
        str(s.get("Effect"))
        for s in statements
        if isinstance(s, dict) and _applies(s, principal, action, resource)
    }
    if DENY in effects:
        return DENY
    return ALLOW if ALLOW in effects else NEUTRAL


def identity_arn(identity_path: str) -> str | None:
    """The IAM ARN of an origin access identity from ``origin-access-identity/cloudfront/ID``."""
    match = re.fullmatch(r"origin-access-identity/cloudfront/(?P<id>\w+)", identity_path.strip())
    if not match:
        return None
    return f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {match['id']}"
