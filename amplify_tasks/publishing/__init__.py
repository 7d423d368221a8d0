"""The order of work of `inv publish`, calling the parts (stack, sync, cdn, hooks)."""

from .document import append_step_summary, publish_document
from .options import PublishOptions, resolve_stage
from .publisher import Publisher, publish
from .summary import PublishSummary

__all__ = [
    "PublishOptions",
    "PublishSummary",
    "Publisher",
    "append_step_summary",
    "publish",
    "publish_document",
    "resolve_stage",
]
