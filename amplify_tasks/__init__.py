"""amplify-tasks: invoke task collections for static hosting on AWS (S3, CloudFront).

Import ``hosting``, ``publish``, ``local`` or the whole ``namespace`` into a tasks.py.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .tasks import hosting, local, namespace, publish

__all__ = ["__version__", "hosting", "local", "namespace", "publish"]
