"""The pre-built `smoke-test` hook (post-publish): GET the site until it answers with HTML."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from amplify_tasks.errors import HookError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.hooks.output import emit
from amplify_tasks.settings import Settings

if TYPE_CHECKING:
    from amplify_tasks.stack import StackOutputs

#: The longest a single smoke-test request may take, in seconds.
SMOKE_REQUEST_TIMEOUT = 10.0

#: Bytes of the root document read to decide whether it is HTML.
SMOKE_SNIFF_BYTES = 4096
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")


@dataclass(frozen=True)
class Fetched:
    """One smoke-test response: status, content type and the start of the body."""

    status: int
    content_type: str
    head: bytes


def fetch(url: str, timeout: float) -> Fetched:
    """GET ``url``; an HTTP error status is a result, a connection failure raises OSError."""
    request = urllib.request.Request(url, headers={"User-Agent": "amplify-tasks smoke-test"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            ctype = resp.headers.get("Content-Type", "")
            return Fetched(resp.status, ctype, resp.read(SMOKE_SNIFF_BYTES))
    except urllib.error.HTTPError as exc:
        ctype = exc.headers.get("Content-Type", "") if exc.headers else ""
        return Fetched(exc.code, ctype, exc.read(SMOKE_SNIFF_BYTES) if exc.fp else b"")


def looks_like_html(result: Fetched) -> bool:
    """A text/html (or XHTML) type; an untyped body is sniffed for a doctype or <html>."""
    ctype = result.content_type.split(";")[0].strip().lower()
    if ctype in _HTML_TYPES:
        return True
    if ctype not in _UNTYPED:
        return False
    start = result.head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def smoke_check(
    url: str,
    timeout: float,
    *,
    fetcher: Callable[[str, float], Fetched] = fetch,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Fetched:
    """Fetch ``url`` until a 2xx answer or ``timeout`` seconds pass; the answer must be HTML.

    Raises HookError naming the URL and the last status (or connection error).
    """
    deadline = clock() + timeout
    attempts, delay = 0, 0.5
    while True:
        attempts += 1
        remaining = max(deadline - clock(), 0.1)
        try:
            result = fetcher(url, min(SMOKE_REQUEST_TIMEOUT, remaining))
            last = f"status {result.status}"
        except OSError as exc:
            result, last = None, f"no answer ({exc})"
        if result is not None and 200 <= result.status < 300:
            if not looks_like_html(result):
                raise HookError(
                    f"GET {url} returned {result.status} with "
                    f"{result.content_type or 'no content type'}, not an HTML page: check the "
                    "index document setting and that it was uploaded as text/html"
                )
            return result
        if clock() + delay > deadline:
            raise HookError(
                f"GET {url} gave {last} after {attempts} attempt(s) in "
                f"{timeout:g}s: check that the index document was uploaded, or raise "
                "HOSTING_SMOKE_TIMEOUT (HOSTING_SMOKE_TEST=false turns the test off)"
            )
        sleep(delay)
        delay = min(delay * 2, 5.0)


def site_url(outputs: StackOutputs | Mapping[str, object] | None) -> str:
    """The URL users reach the site at (under the emulator, the distribution's preview)."""
    from amplify_tasks.stack import working_url

    if outputs is not None and not isinstance(outputs, Mapping):
        return working_url(outputs)
    from amplify_tasks.hooks.document import as_mapping

    data = as_mapping(outputs) or {}
    return str(data.get("site_url") or "")


def smoke_enabled(settings: Settings | None, args: Mapping[str, object]) -> bool:
    return settings is not None and settings.smoke_test


def run_smoke_test(ctx: HookContext) -> None:
    """GET the site URL with retries up to HOSTING_SMOKE_TIMEOUT; fail on non-2xx or non-HTML."""
    if ctx.error is not None:
        return  # the publish failed: its error is what to read, not a test that did not run
    if ctx.arg("dry_run"):
        emit("smoke-test", "dry run: the site is not fetched")
        return
    url = site_url(ctx.outputs)
    if not url:
        emit("smoke-test", "the stack names no site URL: nothing to fetch")
        return
    from amplify_tasks.local.control import is_loopback_url
    from amplify_tasks.stack import emulator_endpoint, reachable_url

    try:
        target = reachable_url(ctx.outputs, url) if _is_outputs(ctx.outputs) else url
    except HookError as exc:
        raise HookError(f"{ctx.event} hook 'smoke-test' failed: {exc}") from None
    if emulator_endpoint() and not is_loopback_url(target):
        emit("smoke-test", f"{url} is not on loopback while AWS_ENDPOINT_URL is: skipped")
        return
    timeout = float(ctx.require_settings().smoke_timeout)
    try:
        result = smoke_check(target, timeout)
    except HookError as exc:
        raise HookError(f"{ctx.event} hook 'smoke-test' failed: {exc}") from None
    via = f" (at {target})" if target != url else ""
    emit("smoke-test", f"GET {url}{via} -> {result.status} {result.content_type}")


def _is_outputs(outputs: object) -> TypeGuard[StackOutputs]:
    from amplify_tasks.stack import StackOutputs

    return isinstance(outputs, StackOutputs)
