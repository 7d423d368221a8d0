"""How a release reads: its plan as a dry run prints it (uploads, pool writes, copies, the
pointer move, what garbage collection would delete), the rows of the summary after it, and
the line of a release that did not go live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amplify_tasks.errors import AwsError
from amplify_tasks.ui import human_bytes, table

if TYPE_CHECKING:
    from amplify_tasks.aws import Refusal
    from amplify_tasks.releases.collect import GcResult
    from amplify_tasks.releases.execute import ReleaseResult
    from amplify_tasks.releases.gc import GcPlan
    from amplify_tasks.releases.plan import ReleasePlan, Transfer

#: Files listed per group of a dry run before the rest is counted.
SHOWN = 20


def _group(title: str, transfers: tuple[Transfer, ...], verbose: bool) -> list[str]:
    if not transfers:
        return []
    size = human_bytes(sum(t.entry.size for t in transfers))
    lines = [f"release {title}: {len(transfers)} file(s), {size}"]
    shown = transfers if verbose else transfers[:SHOWN]
    lines += table([f"  {t.reason}", t.path, human_bytes(t.entry.size)] for t in shown)
    if len(shown) < len(transfers):
        lines.append(f"  ... and {len(transfers) - len(shown)} more (--verbose lists them)")
    return lines


def plan_lines(plan: ReleasePlan, *, verbose: bool = False) -> list[str]:
    """The plan of a release, as a dry run prints it."""
    lines = _group("uploads", plan.uploads, verbose)
    lines += _group("pool writes", plan.pool_writes, verbose)
    lines += _group("copies from the live release", plan.copies, verbose)
    if plan.pooled:
        lines.append(f"release pool: {plan.pooled} fingerprinted file(s) already there")
    if plan.removed:
        lines.append(f"release drops {len(plan.removed)} file(s) of the live release:")
        lines += [f"  removed   {p}" for p in plan.removed[: None if verbose else SHOWN]]
    lines.append(key_set_line(plan))
    was = f"release {plan.previous.release}" if plan.previous else "no release (in place)"
    lines.append(f"pointer: live would move from {was} to release {plan.release_id}")
    return lines


def key_set_line(plan: ReleasePlan) -> str:
    """The release's key set as a dry run prints it: its keys, and how many are written."""
    m, keys = plan.manifest, plan.keys
    rules = f", {len(m.rule_keys)} routing rule key(s)" if m.rule_keys else ""
    held = len(keys.entries) - len(keys.puts)
    if not keys.puts:
        written = "the store holds it: only the pointer is written"
    else:
        written = f"{len(keys.puts)} key(s) to write" + (f", {held} held" if held else "")
    return f"release keys: set {m.keys} ({len(m.folders)} folder key(s){rules}): {written}"


def gc_lines(gc: GcPlan, *, dry_run: bool) -> list[str]:
    """What garbage collection would delete (or deleted)."""
    verb = "would delete" if dry_run else "deleted"
    if gc.empty:
        return ["garbage collection: nothing to delete"] if dry_run else []
    parts = []
    if gc.releases:
        parts.append(f"release(s) {', '.join(gc.releases)}")
    if gc.objects:
        parts.append(f"{len(gc.objects)} pool or in-place object(s)")
    if gc.store_keys:
        parts.append(f"{len(gc.store_keys)} store key(s)")
    return [f"garbage collection: {verb} {'; '.join(parts) or 'state objects'}"]


def result_rows(result: ReleaseResult, gc: GcResult | None) -> list[list[str]]:
    rows = [
        ["uploaded", str(len(result.uploaded))],
        ["pool written", str(len(result.pool_written))],
        ["copied", str(len(result.copied))],
        ["bytes sent", human_bytes(result.bytes_sent)],
    ]
    if result.error_pages:
        rows.append(["error pages", ", ".join(result.error_pages)])
    if gc is not None and (gc.releases or gc.objects):
        rows.append(["collected", f"{len(gc.releases)} release(s), {gc.objects} object(s)"])
    if result.failures:
        rows.append(["failed", str(len(result.failures))])
    return rows


def plan_rows(plan: ReleasePlan) -> list[list[str]]:
    return [
        ["to upload", str(len(plan.uploads))],
        ["to pool", str(len(plan.pool_writes))],
        ["to copy", str(len(plan.copies))],
        ["bytes to send", human_bytes(plan.bytes_to_send)],
    ]


def release_counts(plan: ReleasePlan, result: ReleaseResult | None) -> dict[str, int]:
    """The --json document's counts of a release (the plan's before it ran)."""
    if plan.identical:
        return {
            "uploaded": 0,
            "copied": 0,
            "deleted": 0,
            "unchanged": len(plan.manifest.files),
            "failed": 0,
        }
    if result is not None:
        uploaded, copied = len(result.uploaded) + len(result.pool_written), len(result.copied)
        failed = len(result.failures)
    else:
        uploaded, copied, failed = len(plan.uploads) + len(plan.pool_writes), len(plan.copies), 0
    return {
        "uploaded": uploaded,
        "copied": copied,
        "deleted": len(plan.removed),
        "unchanged": plan.pooled,
        "failed": failed,
    }


def release_bytes(plan: ReleasePlan, result: ReleaseResult | None) -> int:
    return (
        result.bytes_sent if result is not None else (0 if plan.identical else plan.bytes_to_send)
    )


def unfinished_line(result: ReleaseResult) -> str:
    """Why a release did not go live and what was written of it."""
    problems = [result.stopped] if result.stopped else []
    if result.failures:
        key, why = result.failures[0]
        problems.append(f"{len(result.failures)} upload(s) or copies failed (first: {key}: {why})")
    done = len(result.uploaded) + len(result.pool_written) + len(result.copied)
    return (
        f"{'; '.join(problems)}; {done} object(s) written, none of them live (the live "
        "release is unchanged): publish again to finish"
    )


def refused_as(release_id: str, *, live: bool = False) -> Refusal:
    """The one line of AWS refusing a write of release ``release_id`` (``live``: after it
    went live)."""

    def refused(exc: object) -> AwsError:
        from botocore.exceptions import ClientError

        from amplify_tasks.aws import refusal

        assert isinstance(exc, ClientError)
        state = (
            f"release {release_id} is live"
            if live
            else f"release {release_id} is not live, the live release is unchanged"
        )
        return AwsError(f"AWS refused {refusal(exc)}: {state}; publish again")

    return refused
