"""Rendering a stage's CloudFormation template from the Jinja2 templates in cfn/."""

from .ci_role import render_ci_role
from .rendering import error_page_keys

__all__ = ["error_page_keys", "render_ci_role"]
