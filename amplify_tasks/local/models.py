"""Our CloudFormation resource models for moto: S3 buckets and policies and the CloudFront
types, backed by moto's own S3 and CloudFront backends.
"""

from __future__ import annotations

import threading
from typing import Any


class ResourceStore:
    """Properties of resources moto has no API for, readable via /_amplify_tasks/resources."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, dict[str, dict[str, Any]]] = {}

    def listing(self, resource_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(v) for v in self.items.get(resource_type, {}).values()]


STORE = ResourceStore()


def install() -> None:
    """Make moto's CloudFormation use our models."""
