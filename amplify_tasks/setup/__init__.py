"""`hosting.add` and `hosting.configure`: stages, their settings files, the walk-through."""

from .add import add_stage, existing_stages, preset_cloudfront, shape
from .configure import SECTIONS, StageChanges, configure_stage
from .walkthrough import walk

__all__ = [
    "SECTIONS",
    "StageChanges",
    "add_stage",
    "configure_stage",
    "existing_stages",
    "preset_cloudfront",
    "shape",
    "walk",
]
