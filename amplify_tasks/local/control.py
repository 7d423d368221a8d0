"""Start, stop and talk to the emulator process from tasks and tests, with plain urllib;
importing this module does not import moto.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EmulatorError

#: The port `inv local.up` uses when --port is not given (LocalStack's, so tools know it).
DEFAULT_PORT = 4566
HOST = "127.0.0.1"
PID_FILE = "emulator.pid"
PORT_FILE = "emulator.port"
LOG_FILE = "emulator.log"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


@dataclass
class Emulator:
    """A running emulator: its port, process id and HTTP endpoint, plus its control API."""

    port: int
    pid: int
    state_dir: Path | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    # -- control API --------------------------------------------------------------------
    def _call(self, method: str, route: str, payload: Any = None, timeout: float = 10) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(
            f"{self.endpoint}/_amplify_tasks/{route}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise EmulatorError(
                f"emulator control call {method} {route} failed ({exc.code}): {detail}"
            ) from exc
        except OSError as exc:
            raise EmulatorError(
                f"cannot reach the emulator at {self.endpoint} ({exc}): start it with "
                "`inv local.up`"
            ) from exc

    def healthy(self) -> bool:
        try:
            self._call("GET", "health", timeout=2)
        except EmulatorError:
            return False
        return True

    def requests(
        self, service: str | None = None, operation: str | None = None
    ) -> list[dict[str, Any]]:
        """Every request recorded since the last reset, oldest first."""
        records: list[dict[str, Any]] = self._call("GET", "requests")
        return [
            r
            for r in records
            if (service is None or r["service"] == service)
            and (operation is None or r["operation"] == operation)
        ]

    def reset_requests(self) -> None:
        self._call("DELETE", "requests")

    def inject_fault(
        self,
        status: int = 500,
        *,
        method: str | None = None,
        path_regex: str | None = None,
        count: int = 1,
        after: int = 0,
        service: str | None = None,
        operation: str | None = None,
        code: str | None = None,
        message: str | None = None,
        delay: float = 0.0,
        body: str | None = None,
    ) -> None:
        """The next ``count`` matching requests (after ``after`` pass) get ``status``, after
        ``delay`` seconds (``status=0`` only delays them), with an AWS error document
        (``code``, ``message``) or, given ``body``, that plain text."""
        spec = {
            "status": status,
            "method": method,
            "path_regex": path_regex,
            "count": count,
            "after": after,
            "service": service,
            "operation": operation,
            "code": code,
            "message": message,
            "delay": delay,
            "body": body,
        }
        self._call("POST", "faults", spec)

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def add_credentials(self, access_key: str, secret_key: str) -> None:
        """Make the emulator verify the SigV4A signatures of ``access_key``'s key value store
        requests with ``secret_key`` (kept in its memory only)."""
        self._call(
            "POST", "credentials", {"AccessKeyId": access_key, "SecretAccessKey": secret_key}
        )

    def age_object(self, bucket: str, key: str, seconds: float) -> None:
        """Move an object's Last-Modified ``seconds`` back (it looks that much older)."""
        self._call("POST", "age", {"bucket": bucket, "key": key, "seconds": seconds})

    def previews(self) -> list[dict[str, Any]]:
        """Preview servers: {kind, bucket, distribution_id, url}."""
        result: list[dict[str, Any]] = self._call("GET", "previews")
        return result

    def preview_url(self, distribution_id: str) -> str:
        """The loopback URL serving a distribution like CloudFront would."""
        for entry in self.previews():
            if entry["kind"] == "distribution" and entry["distribution_id"] == distribution_id:
                return str(entry["url"])
        raise EmulatorError(
            f"no preview for distribution {distribution_id}: create it through a stack first"
        )

    def resources(self, resource_type: str) -> list[dict[str, Any]]:
        """Properties the emulator keeps for a CloudFormation type moto has no API for."""
        result: list[dict[str, Any]] = self._call("GET", f"resources/{resource_type}")
        return result


# -- process management -------------------------------------------------------------------
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_url(url: str) -> bool:
    """True for an http(s) URL whose host is a loopback address."""
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS
    except ValueError:
        return False


def loopback_proxies(endpoint: str | None) -> dict[str, str] | None:
    """botocore ``Config(proxies=...)`` for a client of ``cloudfront-keyvaluestore`` when
    ``endpoint`` is the loopback emulator, else None. That API's endpoint rules put the
    store's account id in front of the endpoint's host (``ACCOUNT.127.0.0.1``), a name
    nothing resolves; with the emulator as its HTTP proxy the request reaches it anyway."""
    if not endpoint or not is_loopback_url(endpoint):
        return None
    return {"http": endpoint.rstrip("/")}


def at_endpoint(endpoint: str) -> Emulator | None:
    """The emulator behind a loopback AWS_ENDPOINT_URL (its control API), else None."""
    from urllib.parse import urlsplit

    if not is_loopback_url(endpoint):
        return None
    port = urlsplit(endpoint).port
    return Emulator(port=port, pid=0) if port else None


def _files(state_dir: Path) -> tuple[Path, Path, Path]:
    return state_dir / PID_FILE, state_dir / PORT_FILE, state_dir / LOG_FILE


def _remove_files(state_dir: Path) -> None:
    pid_file, port_file, _ = _files(state_dir)
    for path in (pid_file, port_file):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def status(state_dir: Path) -> Emulator | None:
    """The emulator recorded in ``state_dir`` if its process still runs; stale files go."""
    pid_file, port_file, _ = _files(Path(state_dir))
    try:
        pid = int(pid_file.read_text().strip())
        port = int(port_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        _remove_files(Path(state_dir))
        return None
    return Emulator(port=port, pid=pid, state_dir=Path(state_dir))


def _require_moto() -> None:
    missing = [m for m in ("moto", "werkzeug", "flask") if importlib.util.find_spec(m) is None]
    if missing:
        raise EmulatorError(
            f"the emulator needs {', '.join(missing)}: pip install 'amplify-tasks[local]'"
        )


def start(state_dir: Path, port: int | None = None, timeout: float = 30) -> Emulator:
    """Spawn the emulator in its own session, record it in ``state_dir``, wait until healthy."""
    state_dir = Path(state_dir)
    _require_moto()
    running = status(state_dir)
    if running is not None:
        raise EmulatorError(
            f"an emulator already runs at {running.endpoint} (pid {running.pid}): "
            "stop it with `inv local.down` or use it"
        )
    port = free_port() if port is None else int(port)
    if port_in_use(port):
        raise EmulatorError(
            f"port {port} on {HOST} is already in use: stop what listens there or "
            "pick another with --port"
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    pid_file, port_file, log_file = _files(state_dir)
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "amplify_tasks.local.server", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=str(state_dir),
        )
    pid_file.write_text(f"{proc.pid}\n")
    port_file.write_text(f"{port}\n")
    emulator = Emulator(port=port, pid=proc.pid, state_dir=state_dir, _proc=proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _remove_files(state_dir)
            tail = log_file.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise EmulatorError(
                f"the emulator exited with status {proc.returncode} ({tail[0]}): see {log_file}"
            )
        if emulator.healthy():
            return emulator
        time.sleep(0.1)
    stop(state_dir)
    raise EmulatorError(
        f"the emulator did not answer on {emulator.endpoint} within {timeout:.0f}s: see {log_file}"
    )


def stop(state_dir: Path, timeout: float = 10) -> bool:
    """Stop the recorded emulator and its process group; False if none was running."""
    state_dir = Path(state_dir)
    pid_file, _, _ = _files(state_dir)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        _remove_files(state_dir)
        return False
    if not _alive(pid):
        _reap(pid)
        _remove_files(state_dir)
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _reap(pid)
            if not _alive(pid):
                break
            time.sleep(0.05)
        else:
            continue
        break
    if _alive(pid):
        raise EmulatorError(f"emulator process {pid} did not stop: kill it with `kill -9 {pid}`")
    _remove_files(state_dir)
    return True
