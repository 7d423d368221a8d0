"""Change sets that say, as CloudFormation does, whether a modification replaces a resource.

moto's change sets list Add / Modify / Remove rows with no ``Replacement``. CloudFormation
gives every Modify row one: ``True`` when a property whose update requires replacement
changes (a bucket's ``BucketName``), ``Conditional`` when that depends on a value known only
at deploy time (an intrinsic function), else ``False``. This patch adds it for the types
listed below, inside the emulator process only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

#: Properties whose change replaces the resource ("Update requires: Replacement"), by type.
REPLACING_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::S3::Bucket": ("BucketName",),
}


_INSTALLED = False


def replacement(resource_type: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """ "True", "Conditional" or "False" for a Modify of a listed type; "" for others."""
    names = REPLACING_PROPERTIES.get(resource_type)
    if names is None:
        return ""
    verdict = "False"
    for name in names:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, (dict, list)) or isinstance(after, (dict, list)):
            verdict = "Conditional"
        else:
            return "True"
    return verdict


def _properties(template: Mapping[str, Any], logical_id: str) -> Mapping[str, Any]:
    resource = (template.get("Resources") or {}).get(logical_id) or {}
    props = resource.get("Properties") if isinstance(resource, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def install() -> None:
    """Patch moto's ChangeSet.diff (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cloudformation.models import ChangeSet

    original = ChangeSet.diff

    @functools.wraps(original)
    def diff(self: Any) -> list[Any]:
        changes: list[Any] = original(self)
        deployed = self.stack.template_dict or {}
        for change in changes:
            if change.action != "Modify":
                continue
            lid = change.logical_resource_id
            verdict = replacement(
                change.resource_type,
                _properties(deployed, lid),
                _properties(self.template_dict, lid),
            )
            if verdict:
                change.replacement = verdict
                change.scope = ["Properties"]
        return changes

    setattr(ChangeSet, "diff", diff)  # noqa: B010
    _INSTALLED = True
