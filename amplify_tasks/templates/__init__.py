"""Rendering a stage's CloudFormation template from the Jinja2 templates in cfn/."""

from .ci_role import render_ci_role
from .domain import companion_of
from .rendering import error_page_keys

__all__ = ["companion_of", "error_page_keys", "render_ci_role"]
