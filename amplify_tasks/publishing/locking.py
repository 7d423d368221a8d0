"""The stage lock of one publish: taken once the stage's bucket is known, moved when the
deploy replaced the bucket, given back at the end (after a success, a failure or Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks import aws

from .options import Out

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.lock import Holder, StageLock
    from amplify_tasks.settings import Settings
    from amplify_tasks.sync import Guard


class LockKeeper:
    """Holds a publish's stage lock; does nothing when not ``enabled`` (a dry run)."""

    def __init__(
        self,
        s3: Callable[[], S3Client],
        stage: str,
        root: Path,
        *,
        out: Out,
        enabled: bool = True,
    ) -> None:
        self.s3, self.stage, self.root, self.out, self.enabled = s3, stage, root, out, enabled
        self.held: StageLock | None = None
        self._holder: Future[Holder] | None = None

    def prepare(self, pool: Executor) -> None:
        """Find out on ``pool`` who the lock will name (git's commit takes a process)."""
        if self.enabled:
            from amplify_tasks.lock import Holder

            self._holder = pool.submit(Holder.here, "publish", self.root)

    def hold(self, bucket: str, settings: Settings) -> None:
        """Hold the stage's lock in ``bucket`` (not before the bucket exists); a lock held in
        another bucket, which the deploy replaced, is given back first."""
        if not self.enabled or not bucket:
            return
        if self.held is not None:
            if self.held.bucket == bucket:
                return
            self.release()
        from amplify_tasks.lock import Holder, StageLock

        lock = StageLock(
            self.s3(),
            bucket,
            self.stage,
            self._holder.result() if self._holder else Holder.here("publish", self.root),
            out=self.out,
            timeout=settings.lock_timeout,
        )
        with aws.translate_errors():
            lock.acquire()
        self.held = lock

    def release(self) -> None:
        """Give the lock back, if one is held."""
        if self.held is not None:
            self.held.release()
            self.held = None

    @property
    def guard(self) -> Guard | None:
        """The sync's guard: a reason to stop once the lock was lost (None without a lock)."""
        return self.held.lost if self.held is not None else None
