"""The product code the benchmark uses, all of it here: the emulator's start and stop, and
the bucket emptying of `hosting.remove` (every object version and delete marker)."""

from amplify_tasks.local import control
from amplify_tasks.stack_remove import empty_bucket

__all__ = ["control", "empty_bucket"]
