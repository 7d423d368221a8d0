"""The product code the benchmark uses, all of it here: the emulator's start and stop, and
the bucket emptying of `hosting.remove` (every object version and delete marker), which
file names are fingerprinted, and where the package lives."""

from pathlib import Path

import amplify_tasks
from amplify_tasks.local import control
from amplify_tasks.stack.bucket import empty_bucket
from amplify_tasks.sync.content import is_fingerprinted

#: The package folder (the benchmark byte-compiles it before the runs).
PACKAGE = Path(amplify_tasks.__file__).parent

__all__ = ["PACKAGE", "control", "empty_bucket", "is_fingerprinted"]
