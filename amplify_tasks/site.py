"""Where a published site opens: the stack's site URL, or on the loopback emulator the
preview URL of its distribution, so that no URL we print or fetch leaves loopback.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import EmulatorError


def emulator_endpoint() -> str:
    """AWS_ENDPOINT_URL when it points at a loopback emulator, else ''."""
    from .local.control import is_loopback_url

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    return endpoint if endpoint and is_loopback_url(endpoint) else ""


def working_url(outputs: Any) -> str:
    """The URL that serves the site: CloudFront's https URL, else the website URL; under the
    emulator, a distribution's loopback preview URL instead of its cloudfront.net name."""
    from .local.control import at_endpoint

    url = str(getattr(outputs, "site_url", "") or "")
    distribution = str(getattr(outputs, "distribution_id", "") or "")
    emulator = at_endpoint(emulator_endpoint())
    if distribution and emulator is not None:
        try:
            return emulator.preview_url(distribution)
        except EmulatorError:
            return url
    return url
