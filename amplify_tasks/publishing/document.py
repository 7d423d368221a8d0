"""What a publish did as data: the body of `inv publish --json`'s document
(schemas/publish.schema.json), and the Markdown of a CI step summary made from the document.
"""

from __future__ import annotations

from collections.abc import Mapping

from amplify_tasks.ui import human_bytes

from .summary import PublishSummary


def publish_document(summary: PublishSummary) -> dict[str, object]:
    """The publish's own keys of its --json document; on a dry run the counts and bytes are
    what the publish would do. Optional keys are left out while they have no value."""
    plan, result = summary.plan, summary.result
    sent = result.bytes_sent if result else (plan.bytes_to_send if plan else 0)
    if summary.release_plan is not None:
        from .release_lines import release_bytes

        sent = release_bytes(summary.release_plan, summary.release_result)
    document: dict[str, object] = {
        "stage": summary.stage,
        "dry_run": summary.dry_run,
        "site_url": summary.site_url,
        "bucket": plan.bucket if plan is not None else summary.release_bucket,
        "counts": publish_counts(summary),
        "bytes_sent": sent,
        "seconds": round(summary.seconds, 3),
        "invalidation_id": summary.invalidation_id,
        "notes": list(summary.notes),
    }
    optional: dict[str, object | None] = {  # one line a key; None leaves it out
        "release": {"id": summary.release_id, "previous": summary.previous_release}
        if summary.release_id
        else None,
        "preview": dict(summary.preview) if summary.preview else None,
        "preview_url": summary.preview["url"] if summary.preview else None,
    }
    document.update({key: value for key, value in optional.items() if value is not None})
    return document


def publish_counts(summary: PublishSummary) -> dict[str, int]:
    """Files uploaded, copied (headers fixed), deleted, unchanged and failed; on a dry run
    (or before the sync started) the plan's. A release counts its uploads and pool writes
    as uploaded, its copies from the live release as copied."""
    plan, result = summary.plan, summary.result
    if summary.release_plan is not None:
        from .release_lines import release_counts

        return release_counts(summary.release_plan, summary.release_result)
    if result is not None:
        return {
            "uploaded": len(result.uploaded),
            "copied": len(result.copied),
            "deleted": len(result.deleted),
            "unchanged": result.unchanged,
            "failed": len(result.failures),
        }
    if plan is None:
        return dict.fromkeys(("uploaded", "copied", "deleted", "unchanged", "failed"), 0)
    return {
        "uploaded": len(plan.uploads),
        "copied": len(plan.copies),
        "deleted": 0 if plan.deletes_blocked else len(plan.deletes),
        "unchanged": plan.unchanged,
        "failed": 0,
    }


def step_summary(document: Mapping[str, object]) -> str:
    """A short Markdown summary of a publish document (for GITHUB_STEP_SUMMARY)."""
    stage, ok = document.get("stage") or "?", bool(document.get("ok"))
    head = "Dry run of" if document.get("dry_run") else "Published"
    title = f"{head} stage `{stage}`" if ok else f"Publish of stage `{stage}` failed"
    counts = document.get("counts")
    counted = counts if isinstance(counts, Mapping) else {}
    release = document.get("release")
    rows = [
        ("Site", str(document.get("site_url") or "")),
        ("Preview", str(document.get("preview_url") or "")),
        ("Release", _release(release) if isinstance(release, Mapping) else ""),
        *((name.capitalize(), str(counted[name])) for name in counted if counted[name]),
        ("Bytes sent", human_bytes(int(str(document.get("bytes_sent") or 0)))),
        ("Time", f"{float(str(document.get('seconds') or 0)):.1f} s"),
        ("Invalidation", str(document.get("invalidation_id") or "")),
    ]
    lines = [f"### {title}", "", "| | |", "|---|---|"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in rows if value]
    error = document.get("error")
    if isinstance(error, Mapping):
        lines += ["", f"**{error.get('kind')}**: {_cell(str(error.get('message')))}"]
    return "\n".join(lines) + "\n\n"


def _release(release: Mapping[str, object]) -> str:
    previous = release.get("previous")
    return f"`{release.get('id')}`" + (f" (previous: `{previous}`)" if previous else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


#: The file a GitHub Actions step appends its Markdown summary to.
STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def append_step_summary(document: Mapping[str, object]) -> None:
    """Append the step summary to the file GITHUB_STEP_SUMMARY names (when it is set); a
    file that cannot be written is said on stderr and does not fail the publish."""
    import os
    import sys

    path = os.environ.get(STEP_SUMMARY_ENV, "")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(step_summary(document))
    except OSError as exc:
        sys.stderr.write(f"note: the step summary was not written to {path} ({exc.strerror})\n")
