"""What a publish did, as the lines printed at its end, its plan as a listing, and the
check that turns a partial sync into an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.errors import DeleteLimitError, SyncError
from amplify_tasks.ui import human_bytes, table

if TYPE_CHECKING:
    from amplify_tasks.releases.collect import GcResult
    from amplify_tasks.releases.execute import ReleaseResult
    from amplify_tasks.releases.plan import ReleasePlan
    from amplify_tasks.sync import SyncPlan, SyncResult


@dataclass
class PublishSummary:
    """What a publish did (or, on a dry run, would do)."""

    stage: str
    dry_run: bool = False
    site_url: str = ""
    plan: SyncPlan | None = None
    result: SyncResult | None = None
    invalidation_id: str = ""
    invalidation_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped the publish
    #: on a release stage: the release made live ('' for none) and the one live before it
    release_id: str = ""
    previous_release: str = ""
    release_plan: ReleasePlan | None = None
    release_result: ReleaseResult | None = None
    release_gc: GcResult | None = None
    release_bucket: str = ""  # the bucket a release stage's publish planned against
    #: a preview's publish: {name, url, expires, release, protected}
    preview: dict[str, str] | None = None

    @property
    def reported(self) -> bool:
        """Whether there is a plan to report (the publish got as far as planning)."""
        return self.plan is not None or self.release_plan is not None

    def preview_hook_info(self) -> dict[str, str] | None:
        """``{"name", "url", "expires"}`` of a preview's publish (hooks get it), else None."""
        if self.preview is None:
            return None
        return {k: self.preview[k] for k in ("name", "url", "expires")}

    def release_info(self) -> dict[str, str] | None:
        """``{"id", "previous"}`` of a release stage's publish (hooks get it), else None."""
        if self.release_plan is None:
            return None
        return {"id": self.release_id, "previous": self.previous_release}

    def planned(self) -> int:
        """The changes and deletes the plan was to carry out."""
        plan = self.plan
        if plan is None:
            return 0
        return len(plan.changes) + (0 if plan.deletes_blocked else len(plan.deletes))

    def done(self) -> int:
        """The changes and deletes that were carried out."""
        result = self.result
        if result is None:
            return 0
        return len(result.uploaded) + len(result.copied) + len(result.deleted)

    def not_done(self) -> int:
        failed = len(self.result.failures) if self.result is not None else 0
        return max(0, self.planned() - self.done() - failed)

    def head(self) -> str:
        if self.interrupted and self.dry_run:
            return f"interrupted: dry run of stage {self.stage} after {self.seconds:.1f} s"
        if self.interrupted:
            return (
                f"interrupted: stage {self.stage} after {self.seconds:.1f} s, {self.done()} of "
                f"{self.planned()} changes done, {self.not_done()} not done"
            )
        head = "dry run of" if self.dry_run else "published"
        return f"{head} stage {self.stage} in {self.seconds:.1f} s"

    def lines(self) -> list[str]:
        plan, result = self.plan, self.result
        out = [self.head()]
        rows: list[list[str]] = []
        if self.site_url:
            rows.append(["site", self.site_url])
        if self.release_plan is not None:
            return (
                out
                + ["  " + line for line in table(rows + self._release_rows())]
                + (self.notes + self._live_line())
            )
        if result is not None:
            rows += [
                ["uploaded", str(len(result.uploaded))],
                ["unchanged", str(result.unchanged)],
                ["headers fixed", str(len(result.copied))],
                ["deleted", str(len(result.deleted))],
                ["bytes sent", human_bytes(result.bytes_sent)],
            ]
            if result.failures:
                rows.append(["failed", str(len(result.failures))])
            if self.interrupted:
                rows.append(["not done", str(self.not_done())])
        elif plan is not None:
            rows += [
                ["to upload", str(len(plan.uploads))],
                ["unchanged", str(plan.unchanged)],
                ["headers to fix", str(len(plan.copies))],
                ["to delete", str(len(plan.deletes))],
                ["bytes to send", human_bytes(plan.bytes_to_send)],
            ]
        if self.invalidation_id:
            rows.append(["invalidation", self.invalidation_id])
        elif self.dry_run and self.invalidation_paths:
            rows.append(["invalidation", " ".join(self.invalidation_paths)])
        return out + ["  " + line for line in table(rows)] + self.notes + self._resume()

    def _release_rows(self) -> list[list[str]]:
        from .release_lines import plan_rows, result_rows

        if self.release_result is not None:
            return result_rows(self.release_result, self.release_gc)
        if self.release_plan is not None and not self.release_plan.identical:
            return plan_rows(self.release_plan)
        return []

    def _live_line(self) -> list[str]:
        if self.preview:
            p = self.preview
            lock = ", password protected" if p["protected"] == "yes" else ""
            return [
                f"preview {p['name']} shows release {p['release']} until {p['expires']}{lock} "
                "(the live release is unchanged):",
                f"  {p['url']}",
            ]
        if self.release_id:
            return [f"release {self.release_id} is live"]
        return []

    def _resume(self) -> list[str]:
        """After Ctrl-C: what a new publish does about what was not done."""
        if not self.interrupted or self.dry_run or not self.not_done():
            return []
        deleted = self.result is not None and self.result.deleted
        stale = self.plan is not None and self.plan.deletes and not deleted
        return [
            "publish again to finish: only what is still missing is sent"
            + ("; no stale object was deleted" if stale else "")
        ]


def format_plan(plan: SyncPlan, *, verbose: bool = True) -> list[str]:
    """The sync plan, one file per line with its reason, in upload order."""
    from amplify_tasks.sync import PHASE_NAMES

    lines: list[str] = []
    for phase, changes in plan.phases():
        lines.append(f"sync {PHASE_NAMES[phase]}:")
        rows = [[f"  {c.reason}", c.key, human_bytes(c.size), c.cache_control] for c in changes]
        lines += table(rows) if verbose else [f"  {len(changes)} files"]
    if plan.deletes:
        guard = " (over the delete limit: none would be deleted)" if plan.deletes_blocked else ""
        lines.append(f"sync deletes{guard}:")
        sizes = plan.delete_sizes
        lines += [f"  stale     {k}  ({human_bytes(sizes.get(k, 0))})" for k in plan.deletes]
    if plan.empty:
        lines.append(f"sync: nothing to do ({plan.unchanged} files unchanged)")
    return lines


def check_sync(summary: PublishSummary, stage: str) -> None:
    """SyncError for a sync that failed part-way or left stale objects behind the guard; it
    says what was done before it stopped, counted."""
    from amplify_tasks.sync import MANIFEST_KEY

    plan, result = summary.plan, summary.result
    if result is None or plan is None:
        return
    if result.failures or result.stopped:
        changes = [(k, why) for k, why in result.failures if k != MANIFEST_KEY]
        record = [why for k, why in result.failures if k == MANIFEST_KEY]
        problems = [result.stopped] if result.stopped else []
        if changes:
            key, why = changes[0]
            total = len(plan.changes) + len(plan.deletes)
            problems.append(f"{len(changes)} of {total} changes failed (first: {key}: {why})")
        if record:
            problems.append(f"the header record {MANIFEST_KEY} was not written ({record[0]})")
        done = done_counts(plan, result)
        raise SyncError(
            f"{'; '.join(problems)}; {done}: publish again to finish, only what is still "
            "missing is sent"
        )
    if result.deletes_blocked:
        raise DeleteLimitError(
            f"{result.deletes_blocked} stale objects exceed the delete limit of stage {stage} "
            f"(HOSTING_MAX_DELETES={plan.max_deletes}); none were deleted, the uploads stay: "
            f"set HOSTING_MAX_DELETES={result.deletes_blocked} or more in .env.{stage} "
            "and publish again"
        )


def done_counts(plan: SyncPlan, result: SyncResult) -> str:
    """What a sync did and did not start, counted: ``done: 3 uploaded, 750 deleted``."""
    done = [
        f"{n} {what}"
        for n, what in (
            (len(result.uploaded), "uploaded"),
            (len(result.copied), "headers fixed"),
            (len(result.deleted), "deleted"),
        )
        if n
    ]
    text = f"done: {', '.join(done)}" if done else "nothing was uploaded, fixed or deleted"
    stale = set(plan.deletes)
    tried = len(result.deleted) + sum(1 for key, _ in result.failures if key in stale)
    waiting = [
        f"{n} {what}"
        for n, what in (
            (result.not_attempted, "uploads or fixes"),
            (0 if plan.deletes_blocked else len(stale) - tried, "deletes"),
        )
        if n
    ]
    return text + (f"; not started: {', '.join(waiting)}" if waiting else "")
