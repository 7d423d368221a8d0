"""The companion stack's template: the certificate alone, in us-east-1, for a stage whose
stack is in another region.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from amplify_tasks.settings import Settings

from .rendering import context, environment, render_named

if TYPE_CHECKING:
    from amplify_tasks.project import Project

#: The companion stack's main template.
CERTIFICATE_TEMPLATE = "certificate.json.j2"


def render_certificate(project: Project, settings: Settings) -> str:
    """The companion stack's template (the certificate in us-east-1) as sorted JSON."""
    variables = {**context(settings), "certificate_condition": ""}
    text = render_named(environment(project), CERTIFICATE_TEMPLATE, variables)
    return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
