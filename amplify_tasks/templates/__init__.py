"""Rendering a stage's CloudFormation template from the Jinja2 templates in cfn/."""

__all__ = []
