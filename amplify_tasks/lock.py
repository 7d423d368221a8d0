"""The per-stage lock: one object in the stage's bucket (``sync.LOCK_KEY``) that a publish
creates before it changes anything and deletes when it ends, so two publishes of one stage
never interleave.

It is created with S3's conditional write (``IfNoneMatch="*"``: of two creators one wins), and
says who holds it. The holder rewrites it every ``HEARTBEAT`` seconds, conditional on its ETag
(``IfMatch``). A lock not written for ``STALE_AFTER`` seconds, by S3's clock, is abandoned and
is taken over by a conditional overwrite. It is released by a delete conditional on its ETag,
so a publish never deletes a lock that is no longer its own. Waiting uses an injectable clock
and sleep; the heartbeat runs on a thread of its own.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from .aws import client_error
from .errors import AwsError, LockError

#: Seconds between two writes of a held lock.
HEARTBEAT = 30.0


#: A lock not written for this long (seconds, by S3's clock) is abandoned: it is taken over.
STALE_AFTER = 300.0


#: How long a publish waits for a held lock by default (HOSTING_LOCK_TIMEOUT), in seconds.
DEFAULT_TIMEOUT = 120


#: Seconds between two looks at a held lock while waiting for it.
POLL = 2.0


#: The errors S3 answers a conditional request with when its condition does not hold.
CONFLICTS = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"})

#: The errors of a read of a lock that is not there.
MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _lock_key() -> str:
    from amplify_tasks.sync import LOCK_KEY

    return LOCK_KEY


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def git_output(root: Path, *args: str) -> str:
    """The output of ``git -C root ARGS`` ('' when git is missing or fails)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_commit(root: Path | None) -> str:
    """The short commit of the git work tree at ``root`` ('' outside git or without git)."""
    return git_output(root, "rev-parse", "--short", "HEAD") if root is not None else ""


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return "unknown"


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: user, host, process, git commit, task, since when (their clock)."""

    user: str
    host: str
    pid: int
    commit: str
    task: str
    since: str
    token: str  # tells this holder's lock from another one of the same process

    @classmethod
    def here(cls, task: str, root: Path | None = None) -> Holder:
        """This process, about to run ``task`` in the project at ``root``."""
        return cls(
            user=_user(),
            host=socket.gethostname(),
            pid=os.getpid(),
            commit=git_commit(root),
            task=task,
            since=_now_iso(),
            token=secrets.token_hex(16),
        )

    def describe(self) -> str:
        commit = f", commit {self.commit}" if self.commit else ""
        return f"{self.user}@{self.host} (pid {self.pid}{commit}, {self.task} since {self.since})"

    def body(self, beat: int = 0) -> bytes:
        """The lock's body at its ``beat``-th write (each write has an ETag of its own)."""
        data = {**self.__dict__, "format": 1, "heartbeat": _now_iso(), "beat": beat}
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def parse(cls, body: bytes) -> Holder:
        """The holder a lock's body names (fields it lacks read as '?')."""
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        pid = data.get("pid")
        return cls(
            user=str(data.get("user", "?")),
            host=str(data.get("host", "?")),
            pid=pid if isinstance(pid, int) else 0,
            commit=str(data.get("commit", "")),
            task=str(data.get("task", "?")),
            since=str(data.get("since", "?")),
            token=str(data.get("token", "")),
        )


@dataclass(frozen=True)
class Held:
    """A lock as read from the bucket: its holder, its ETag and how long ago it was last
    written, by S3's clock (its Date header against the object's Last-Modified)."""

    holder: Holder
    etag: str
    age: float


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _server_age(headers: dict[str, Any]) -> float:
    try:
        written = parsedate_to_datetime(str(headers["last-modified"]))
        now = parsedate_to_datetime(str(headers["date"]))
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, (now - written).total_seconds())


@contextlib.contextmanager
def _s3_errors(stage: str, bucket: str) -> Iterator[None]:
    """A refused lock request (not a conflict) as one line naming what to allow."""
    try:
        yield
    except Exception as failure:
        exc = client_error(failure)
        if exc is None or _code(exc) in CONFLICTS:
            raise
        err = exc.response.get("Error", {})
        raise AwsError(
            f"S3 {exc.operation_name} of the lock of stage {stage} in bucket {bucket} failed "
            f"({err.get('Code', '')}: {err.get('Message', '')}): allow s3:GetObject, "
            f"s3:PutObject and s3:DeleteObject on {bucket}/{_lock_key()}"
        ) from exc


def inspect(s3: Any, bucket: str) -> Held | None:
    """The stage's lock as it is in ``bucket`` (one GET), or None when it is not locked."""
    try:
        resp = s3.get_object(Bucket=bucket, Key=_lock_key())
    except Exception as exc:
        if (error := client_error(exc)) is not None and _code(error) in MISSING:
            return None
        raise
    headers = resp.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return Held(Holder.parse(resp["Body"].read()), str(resp["ETag"]), _server_age(headers))


def break_lock(s3: Any, bucket: str, held: Held) -> bool:
    """Delete the lock if it is still ``held`` (conditional on its ETag); False when it has
    changed or gone since it was read."""
    try:
        s3.delete_object(Bucket=bucket, Key=_lock_key(), IfMatch=held.etag)
    except Exception as exc:
        if (error := client_error(exc)) is not None and _code(error) in CONFLICTS:
            return False
        raise
    return True


class StageLock:
    """The lock of one stage, in its bucket: ``acquire`` (waiting up to ``timeout`` seconds,
    taking over an abandoned lock), a heartbeat while held, ``release``."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        stage: str,
        holder: Holder,
        *,
        out: Callable[[str], None] = print,
        timeout: float = DEFAULT_TIMEOUT,
        stale_after: float = STALE_AFTER,
        heartbeat: float = HEARTBEAT,
        poll: float = POLL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.s3, self.bucket, self.stage, self.holder = s3, bucket, stage, holder
        self.out = out
        self.timeout, self.stale_after = timeout, stale_after
        self.heartbeat, self.poll = heartbeat, poll
        self.clock, self.sleep = clock, sleep
        self.etag = ""  # of our lock object while we hold it
        self._beats = 0  # writes of it so far
        self._lost = ""
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # -- taking it --------------------------------------------------------------------------
    def acquire(self) -> None:
        """Take the lock. While another run holds it, wait (saying who) up to ``timeout``;
        an abandoned lock is taken over (saying so); then LockError naming the holder."""
        deadline = self.clock() + self.timeout
        first_seen: dict[str, tuple[float, float]] = {}  # ETag -> (its age, our clock) then
        told = ""
        vanished = 0
        while True:
            if self._put(IfNoneMatch="*"):
                break
            held = self._read()
            if held is None:  # released between our two requests: try again at once
                vanished += 1
                if vanished % 3 == 0:
                    self.sleep(self.poll)
                continue
            age0, at = first_seen.setdefault(held.etag, (held.age, self.clock()))
            age = max(held.age, age0 + self.clock() - at)
            if age >= self.stale_after:
                if self._put(IfMatch=held.etag):
                    self.out(
                        f"stage {self.stage}: the lock of {held.holder.describe()} was not "
                        f"renewed for {age:.0f} s (abandoned after {self.stale_after:.0f} s): "
                        "taken over"
                    )
                    break
                continue  # renewed or taken meanwhile: look again
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise LockError(self._busy(held.holder))
            if told != held.holder.token:
                told = held.holder.token
                self.out(
                    f"stage {self.stage} is locked by {held.holder.describe()}, renewed "
                    f"{age:.0f} s ago: waiting up to {remaining:.0f} s (HOSTING_LOCK_TIMEOUT)"
                )
            self.sleep(min(self.poll, remaining))
        self._start_heartbeat()

    def _busy(self, holder: Holder) -> str:
        return (
            f"stage {self.stage} is locked by {holder.describe()}; waited {self.timeout:.0f} s: "
            "publish again once it is done, wait longer with HOSTING_LOCK_TIMEOUT, or, if it "
            f"no longer runs, remove the lock with `inv hosting.unlock --stage {self.stage}`"
        )

    def _put(self, **condition: str) -> bool:
        """Write our lock under ``condition``; False when the condition does not hold."""
        self._beats += 1
        try:
            with _s3_errors(self.stage, self.bucket):
                resp = self.s3.put_object(
                    Bucket=self.bucket,
                    Key=_lock_key(),
                    Body=self.holder.body(self._beats),
                    ContentType="application/json",
                    CacheControl="no-store",
                    **condition,
                )
        except Exception as exc:
            if (error := client_error(exc)) is not None and _code(error) in CONFLICTS:
                return False
            raise
        with self._guard:
            self.etag = str(resp["ETag"])
        return True

    def _read(self) -> Held | None:
        with _s3_errors(self.stage, self.bucket):
            return inspect(self.s3, self.bucket)

    # -- holding it -------------------------------------------------------------------------
    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._beat = threading.Thread(target=self._beating, name="stage-lock", daemon=True)
        self._beat.start()

    def _beating(self) -> None:
        while not self._stop.wait(self.heartbeat):
            if not self.renew():
                return

    def renew(self) -> bool:
        """Rewrite the lock, conditional on its ETag; False (and ``lost`` says why) when it
        is no longer ours. A request that fails otherwise is tried at the next beat."""
        with self._guard:
            etag = self.etag
        if not etag or self._lost:
            return False
        try:
            if self._put(IfMatch=etag):
                return True
        except Exception:
            return True  # S3 unreachable for a moment: the lock is still ours
        try:
            held = self._read()
        except Exception:
            held = None
        who = f"taken over by {held.holder.describe()}" if held else "removed"
        self._lost = (
            f"the lock of stage {self.stage} was {who} while this {self.holder.task} ran: "
            "it stopped there"
        )
        return False

    def lost(self) -> str:
        """Why the lock is no longer ours ('' while it is): the sync's guard."""
        return self._lost

    # -- giving it back ---------------------------------------------------------------------
    def release(self) -> None:
        """Stop the heartbeat and delete the lock if it is still ours; never raises, says
        what it could not do."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=30)
        with self._guard:
            etag, self.etag = self.etag, ""
        if not etag or self._lost:
            return
        try:
            deleted = break_lock(self.s3, self.bucket, Held(self.holder, etag, 0.0))
        except Exception as exc:
            self.out(
                f"warning: the lock of stage {self.stage} was not released ({exc}): it counts "
                f"as abandoned after {self.stale_after:.0f} s, or remove it with "
                f"`inv hosting.unlock --stage {self.stage}`"
            )
            return
        if not deleted:
            self.out(f"warning: the lock of stage {self.stage} had been taken over meanwhile")

    def __enter__(self) -> StageLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
