"""Where a published site opens: the stack's site URL, or on the loopback emulator the
preview URL of its distribution, so that no URL we print or fetch leaves loopback.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
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


#: Preview URLs found or being found, by (endpoint, distribution id): the emulator is asked
#: once per process, not once for the summary and again for the smoke test (a second
#: asker waits for the first).
_PREVIEWS: dict[tuple[str, str], Future[str]] = {}
_PREVIEWS_LOCK = threading.Lock()


def _preview_url(endpoint: str, distribution: str) -> str:
    """A distribution's preview URL from the emulator ('' when it has none)."""
    from amplify_tasks.local.control import at_endpoint

    emulator = at_endpoint(endpoint)
    if emulator is None:
        return ""
    with _PREVIEWS_LOCK:
        known = _PREVIEWS.get((endpoint, distribution))
        if known is None:
            asked = _PREVIEWS[(endpoint, distribution)] = Future()
    if known is not None:
        return known.result()
    try:
        found = emulator.preview_url(distribution)
    except BaseException as exc:
        with _PREVIEWS_LOCK:
            del _PREVIEWS[(endpoint, distribution)]  # asked again next time
        asked.set_result("")  # a waiter goes on without it
        if isinstance(exc, EmulatorError):
            return ""
        raise
    asked.set_result(found)
    return found


def preview_of(distribution: str) -> str:
    """The emulator's preview URL of a distribution ('' off the emulator or without one)."""
    endpoint = emulator_endpoint()
    return _preview_url(endpoint, distribution) if endpoint and distribution else ""
