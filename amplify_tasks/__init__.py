"""amplify-tasks: invoke task collections for static hosting on AWS (S3, CloudFront).

Import ``hosting``, ``publish``, ``local`` or the whole ``namespace`` into a tasks.py.
"""

from __future__ import annotations

__version__ = "0.1.0"

# The emulator package amplify_tasks.local is loaded first, so that the name ``local`` below
# stays bound to the task collection: later imports of amplify_tasks.local.* find the package
# in sys.modules and leave this attribute alone.
from . import local as _emulator_package  # noqa: F401
from .tasks import hosting, local, namespace, publish

__all__ = ["__version__", "hosting", "local", "namespace", "publish"]
