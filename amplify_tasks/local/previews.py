"""Preview HTTP servers on loopback ports: one per website bucket (S3 website semantics)
and one per distribution (default root object, custom error responses, index rewrite).
"""

from __future__ import annotations

import threading
from typing import Any


class PreviewRegistry:
    """The preview servers running in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for entry in self.entries.values()]


REGISTRY = PreviewRegistry()
