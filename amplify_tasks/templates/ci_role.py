"""The CI role stack's template (cfn/ci-role.json.j2) rendered from its variables."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .rendering import environment, render_named

if TYPE_CHECKING:
    from amplify_tasks.project import Project

#: The CI role stack's main template.
CI_ROLE_TEMPLATE = "ci-role.json.j2"


def render_ci_role(project: Project, variables: dict[str, object]) -> str:
    """The CI role stack's template as sorted JSON (a project's templates folder may
    override it like any other)."""
    text = render_named(environment(project), CI_ROLE_TEMPLATE, variables)
    return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
