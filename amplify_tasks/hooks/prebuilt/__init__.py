"""The pre-built hooks: build, require-clean-git, export-outputs, smoke-test."""

from .registry import BUILTINS

__all__ = ["BUILTINS"]
