"""CloudFront Functions run as JavaScript in an embedded V8 (the ``mini-racer`` package): one
engine context per published function version, a fresh instance of the function's code and a
fresh event per request, the associated key value store read live (each request sees the
store as of its start; its calls go to the emulator's request log), a wall-clock budget per
request.

The runtime (``runtime/runtime.js``, ``runtime/crypto.js``) provides what CloudFront Functions
runtime 2.0 documents: async/await, ``atob``/``btoa``, ``console``, and the modules
``cloudfront`` (``cf.kvs()`` with ``get``, ``exists``, ``meta``), ``crypto`` (``createHash``,
``createHmac``: md5, sha1, sha256) and ``querystring``. V8 runs the code as a script, not a
module: the ``import`` statements of those modules are rewritten into ``require`` calls on
the same line (``import cf from 'cloudfront'`` -> ``const cf = require('cloudfront')``), and
the code is wrapped in a function called once per request, so line numbers in errors stay
those of the source.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from . import kvs
from .function_store import LiveFunction

#: A generous stand-in for CloudFront's compute budget (about a millisecond of CPU).
TIMEOUT_SECONDS = 1.0
#: The engine's heap limit per context (CloudFront allows 2 MB of function memory).
MEMORY_LIMIT_BYTES = 64 * 1024 * 1024
V8_FLAGS = ("--single-threaded", "--allow-natives-syntax")

#: Store calls of one request: (function name, [(method, key), ...]). The emulator's request
#: log installs itself here (CloudFront shows these calls only as a bill per million).
StoreReads = Callable[[str, list[tuple[str, str]]], None]
STORE_READS: list[StoreReads] = []

_IMPORT = re.compile(
    r"""\bimport\s+(?P<clause>[\w$]+|\*\s+as\s+[\w$]+|\{[^}]*\})\s+from\s+(?P<q>['"])(?P<module>[\w-]+)(?P=q)\s*;?"""
)


class FunctionFailed(Exception):
    """The function threw, returned nothing usable, or ran past its budget."""

    def __init__(self, message: str, logs: list[str] | None = None) -> None:
        super().__init__(message)
        self.logs = list(logs or [])


def _binding(clause: str) -> str:
    clause = clause.strip()
    if clause.startswith("*"):
        return clause.split()[-1]
    if clause.startswith("{"):
        names = [part.strip() for part in clause[1:-1].split(",") if part.strip()]
        pairs = [re.sub(r"\s+as\s+", ": ", name) for name in names]
        return "{ " + ", ".join(pairs) + " }"
    return clause


def transform(code: str) -> str:
    """The function's code as a script: module imports become ``require`` bindings."""
    return _IMPORT.sub(lambda m: f"const {_binding(m['clause'])} = require('{m['module']}');", code)


def wrap(code: str) -> str:
    """The code as a factory of its handler, one instance per call (line 1 stays line 1)."""
    return (
        "globalThis.__amplifyFunction = function () { "
        + transform(code)
        + "\n;return typeof handler === 'function' ? handler : undefined; };"
    )


def _runtime_source() -> str:
    folder = resources.files(__package__).joinpath("runtime")
    return "\n".join(folder.joinpath(name).read_text() for name in ("runtime.js", "crypto.js"))


_ENGINE_LOCK = threading.Lock()
_ENGINE_READY = False


def _new_racer() -> Any:
    """A fresh V8 context with the runtime loaded (V8 is started once, with our flags)."""
    global _ENGINE_READY
    from py_mini_racer import LibAlreadyInitializedError, MiniRacer, init_mini_racer

    with _ENGINE_LOCK:
        if not _ENGINE_READY:
            try:
                init_mini_racer(flags=V8_FLAGS)
            except LibAlreadyInitializedError as exc:
                raise RuntimeError(
                    "V8 was started before the emulator's functions with other flags"
                ) from exc
            _ENGINE_READY = True
    racer = MiniRacer()
    racer.set_hard_memory_limit(MEMORY_LIMIT_BYTES)
    racer.eval(_runtime_source(), timeout_sec=10)
    return racer


def _store_json(arn: str, snapshot: kvs.Snapshot) -> str:
    return json.dumps(
        {
            "arn": arn,
            "id": arn.rsplit("/", 1)[-1],
            "created": snapshot.created.isoformat(),
            "lastUpdated": snapshot.last_modified.isoformat(),
            "items": snapshot.items,
        }
    )


@dataclass
class FunctionRuntime:
    """The engine context of one published function version; one request at a time."""

    live: LiveFunction
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    racer: Any = None
    error: str | None = None
    kvs_etag: str | None = None

    def _context(self) -> Any:
        if self.racer is None and self.error is None:
            racer = _new_racer()
            try:
                racer.eval(wrap(self.live.code), timeout_sec=TIMEOUT_SECONDS)
            except Exception as exc:
                self.error = f"{self.live.name}: the code does not compile: {exc}"
                racer.close()
                return None
            self.racer = racer
        return self.racer

    def _load_store(self, racer: Any) -> None:
        if not self.live.kvs_arns:
            return
        arn = self.live.kvs_arns[0]
        try:
            snapshot = kvs.REGISTRY.find(arn).snapshot()
        except kvs.KvsError:  # the store is gone: cf.kvs() throws
            if self.kvs_etag is not None:
                racer.call("__amplifySetKvs", "null", timeout_sec=10)
                self.kvs_etag = None
            return
        if snapshot.etag != self.kvs_etag:
            racer.call("__amplifySetKvs", _store_json(arn, snapshot), timeout_sec=10)
            self.kvs_etag = snapshot.etag

    def _discard(self) -> None:
        """After a timeout or the memory limit the context's state is unknown: start anew.
        Closing stops whatever JavaScript still runs there; it waits a moment so the
        engine's answer to the cancelled call finds its event loop still open."""
        if self.racer is not None:
            closer = threading.Timer(0.2, self.racer.close)
            closer.daemon = True
            closer.start()
        self.racer, self.kvs_etag = None, None

    def run(self, event: dict[str, Any]) -> Any:
        """The handler's result (a request or response object) for ``event``."""
        from py_mini_racer import JSOOMException, JSTimeoutException

        with self.lock:
            racer = self._context()
            if racer is None:
                raise FunctionFailed(str(self.error))
            try:
                self._load_store(racer)
                state = racer.call("__amplifyRun", event, timeout_sec=TIMEOUT_SECONDS)
            except JSTimeoutException as exc:
                self._discard()
                raise FunctionFailed(
                    f"{self.live.name}: ran longer than {TIMEOUT_SECONDS:g} s"
                ) from exc
            except JSOOMException as exc:
                self._discard()
                raise FunctionFailed(f"{self.live.name}: ran out of memory") from exc
            except Exception as exc:
                raise FunctionFailed(f"{self.live.name}: {exc}") from exc
        reads = [(str(m), str(k)) for m, k in state.get("reads") or []]
        for sink in STORE_READS:
            sink(self.live.name, reads)
        logs = [str(line) for line in state.get("logs") or []]
        for line in logs:
            print(f"[function {self.live.name}] {line}", file=sys.stderr, flush=True)
        if "error" in state:
            raise FunctionFailed(f"{self.live.name}: {state['error']}", logs)
        return state.get("value")

    def close(self) -> None:
        with self.lock:
            self._discard()


class Runtimes:
    """The engine context of each function's current published version."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_arn: dict[str, FunctionRuntime] = {}

    def get(self, live: LiveFunction) -> FunctionRuntime:
        with self.lock:
            current = self.by_arn.get(live.arn)
            if current is not None and current.live.version == live.version:
                return current
            runtime = FunctionRuntime(live)
            self.by_arn[live.arn] = runtime
        if current is not None:
            current.close()
        return runtime

    def forget(self, arn: str) -> None:
        """The function is deleted: free its engine context."""
        with self.lock:
            current = self.by_arn.pop(arn, None)
        if current is not None:
            current.close()


RUNTIMES = Runtimes()
