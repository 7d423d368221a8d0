"""What botocore's connection retries may cost: a refused connection on loopback (the
emulator is not running) is not retried at all, and elsewhere a line says what is being
retried once a host has failed for a few seconds, instead of half a minute of silence.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.endpoint import Endpoint
    from botocore.model import OperationModel

#: Seconds a host may keep failing to connect before a line says it is being retried.
NOTICE_AFTER = 3.0


def _write_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def refused(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) is a refused TCP connection."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        wrapped = getattr(current, "kwargs", {}).get("error")
        todo += [wrapped if isinstance(wrapped, BaseException) else None]
        todo += [current.__cause__, current.__context__]
    return False


def _host(endpoint: Endpoint | None) -> str:
    return str(getattr(endpoint, "host", "") or "")


class RetryWatch:
    """A ``needs-retry`` handler registered before botocore's own. It answers only to stop
    a retry (False); otherwise it says nothing (None) and botocore decides."""

    def __init__(
        self,
        max_attempts: int,
        *,
        notice_after: float = NOTICE_AFTER,
        clock: Callable[[], float] = time.monotonic,
        out: Callable[[str], None] = _write_stderr,
    ) -> None:
        self.max_attempts = max_attempts
        self.notice_after = notice_after
        self.clock = clock
        self.out = out
        self.lock = threading.Lock()
        self.failing_since: dict[str, float] = {}
        self.noticed: set[str] = set()

    def __call__(
        self,
        attempts: int = 1,
        caught_exception: BaseException | None = None,
        endpoint: Endpoint | None = None,
        operation: OperationModel | None = None,
        **_kwargs: object,
    ) -> bool | None:
        name = str(getattr(operation, "name", "") or "the request")
        return self.check(_host(endpoint), name, attempts, caught_exception)

    def check(
        self, host: str, name: str, attempts: int, caught_exception: BaseException | None
    ) -> bool | None:
        """The decision for one attempt at ``name`` on ``host`` that failed with
        ``caught_exception`` (None: it was answered): False stops retrying, None lets the
        retrying client decide."""
        if caught_exception is None or not _failed_to_connect(caught_exception):
            with self.lock:
                self.failing_since.pop(host, None)  # it answered
            return None
        if refused(caught_exception) and _on_loopback(host):
            return False
        if attempts >= self.max_attempts:
            return None  # botocore gives up now; the error says why
        now = self.clock()
        with self.lock:
            since = self.failing_since.setdefault(host, now)
            slow = _timed_out(caught_exception)
            if host in self.noticed or (now - since < self.notice_after and not slow):
                return None
            self.noticed.add(host)
        self.out(
            f"note: {caught_exception}; retrying {name} "
            f"(attempt {attempts + 1} of {self.max_attempts}, Ctrl-C stops)"
        )
        return None


def _failed_to_connect(exc: BaseException) -> bool:
    """botocore's connection and HTTP client errors (botocore.exceptions is imported only
    once a request failed: an answered request needs none of its classes)."""
    from botocore.exceptions import ConnectionError, HTTPClientError

    return isinstance(exc, (ConnectionError, HTTPClientError))


def _timed_out(exc: BaseException) -> bool:
    from botocore.exceptions import ConnectTimeoutError

    return isinstance(exc, ConnectTimeoutError)


def _on_loopback(host: str) -> bool:
    from amplify_tasks.local.control import is_loopback_url

    return is_loopback_url(host)
