"""The dist folder's scan and hashing, started while the stack is checked: the hash cache it
reads and, once the publish is over, writes (not on a dry run), and whether the sync may plan
from that scan (no user hook can have changed the folder since).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.project import Project

if TYPE_CHECKING:
    from amplify_tasks.sync import HashCache, Hasher, HeaderRules


#: The hook events that run between the scan (during the deploy) and the sync's plan.
BETWEEN_SCAN_AND_PLAN = ("post-deploy", "pre-sync")


class AheadHashing:
    """Scans ``dist`` and hashes what the cache does not know, on ``pool``."""

    def __init__(
        self,
        project: Project,
        dist: Path,
        pool: Executor,
        ignore: Callable[[str], bool],
        rules: HeaderRules,
    ) -> None:
        from amplify_tasks.sync import HashCache, hash_ahead

        self.project = project
        self.cache: HashCache | None = None  # read on the pool, with the scan

        def scan() -> Hasher:
            self.cache = HashCache.load(project.state_dir, dist)
            return hash_ahead(dist, pool, ignore, rules, self.cache)

        self.future: Future[Hasher] = pool.submit(scan)

    def rescan(self, user_hooks: bool) -> bool:
        """Whether the sync scans the folder again: a user hook ran since this scan."""
        if not user_hooks:
            return False
        from amplify_tasks.hooks import has_user_hooks

        return has_user_hooks(self.project, BETWEEN_SCAN_AND_PLAN)

    def save(self) -> None:
        if self.cache is not None:
            self.cache.save()
