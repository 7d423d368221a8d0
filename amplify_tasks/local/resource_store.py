"""Properties of the CloudFormation resources moto has no API for (cache and response headers
policies), readable via /_amplify_tasks/resources and by the distribution previews.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class ResourceStore:
    """Properties of resources moto has no API for, readable via /_amplify_tasks/resources."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, resource_type: str, resource_id: str, properties: dict[str, Any]) -> None:
        with self.lock:
            self.items.setdefault(resource_type, {})[resource_id] = {
                "Id": resource_id,
                "Properties": properties,
                "LastModifiedTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }

    def delete(self, resource_type: str, resource_id: str) -> None:
        with self.lock:
            self.items.get(resource_type, {}).pop(resource_id, None)

    def get(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        with self.lock:
            return dict(self.items.get(resource_type, {}).get(resource_id) or {})

    def listing(self, resource_type: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(v) for v in self.items.get(resource_type, {}).values()]


STORE = ResourceStore()
