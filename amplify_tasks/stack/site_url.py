"""Where a published site opens: the stack's site URL, or on the loopback emulator the
preview URL of its distribution, so that no URL we print or fetch leaves loopback.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from amplify_tasks.errors import EmulatorError

if TYPE_CHECKING:
    from .outputs import StackOutputs


def emulator_endpoint() -> str:
    """AWS_ENDPOINT_URL when it points at a loopback emulator, else ''."""
    from amplify_tasks.local.control import is_loopback_url

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    return endpoint if endpoint and is_loopback_url(endpoint) else ""


def working_url(outputs: StackOutputs) -> str:
    """The URL that serves the site: the custom domain's, else CloudFront's https URL, else
    the website URL; under the emulator, a distribution's loopback preview URL instead of
    its cloudfront.net name."""
    url = str(getattr(outputs, "site_url", "") or "")
    distribution = str(getattr(outputs, "distribution_id", "") or "")
    endpoint = emulator_endpoint()
    if getattr(outputs, "domain_url", ""):
        return url  # the custom domain: what it reaches is ``reachable_url``'s question
    if distribution and endpoint:
        return _preview_url(endpoint, distribution) or url
    return url


#: Preview URLs found, by (endpoint, distribution id): the emulator is asked once per
#: process, not once for the summary and again for the smoke test.
_PREVIEWS: dict[tuple[str, str], str] = {}


def _preview_url(endpoint: str, distribution: str) -> str:
    """A distribution's preview URL from the emulator ('' when it has none)."""
    from amplify_tasks.local.control import at_endpoint

    known = _PREVIEWS.get((endpoint, distribution))
    emulator = at_endpoint(endpoint)
    if known is not None or emulator is None:
        return known or ""
    try:
        found = _PREVIEWS[(endpoint, distribution)] = emulator.preview_url(distribution)
    except EmulatorError:
        return ""
    return found


def preview_of(distribution: str) -> str:
    """The emulator's preview URL of a distribution ('' off the emulator or without one)."""
    endpoint = emulator_endpoint()
    return _preview_url(endpoint, distribution) if endpoint and distribution else ""
