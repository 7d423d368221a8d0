"""The order of work of `inv publish`, calling the parts (stack, sync, cdn, hooks)."""

from .options import PublishOptions, resolve_stage
from .publisher import publish

__all__ = ["PublishOptions", "publish", "resolve_stage"]
