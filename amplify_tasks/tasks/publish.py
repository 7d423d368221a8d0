"""`inv publish`: deploy the backend, build, sync the dist folder, invalidate CloudFront."""

from __future__ import annotations

from typing import Any

from ..errors import HostingError
from ._edge import hosting_task


@hosting_task(help={"stage": "stage to publish (a .env.<stage> must exist)"})
def publish(c: Any, stage: str = "") -> None:
    """Publish the backend and the frontend of a stage."""
    raise HostingError("publish is not built yet in this version")
