"""Which paths a publish invalidates: the changed and deleted keys of the sync, only with -c
and only on a stage with a distribution; otherwise a note in the summary says why not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .options import Out, PublishOptions
from .summary import PublishSummary

if TYPE_CHECKING:
    from amplify_tasks.settings import Settings
    from amplify_tasks.stack import StackOutputs


def invalidation_target(
    summary: PublishSummary,
    settings: Settings,
    outputs: StackOutputs | None,
    options: PublishOptions,
    stage: str,
    out: Out = print,
) -> tuple[str, list[str]] | None:
    """The distribution and the paths to invalidate, or None (with a note when it matters).
    A release stage needs none: a release's URIs are cache keys of their own."""
    from amplify_tasks.cdn import invalidation_paths

    if settings.uses_releases:
        if options.invalidate:
            out(
                "no invalidation: releases need none (a release is served under cache keys "
                "of its own)"
            )
        return None
    plan, result = summary.plan, summary.result
    if plan is None or (result is None and not options.dry_run):
        return None
    if result is not None:
        keys = [*result.changed_keys, *result.deleted]
    else:
        keys = [c.key for c in plan.changes] + ([] if plan.deletes_blocked else list(plan.deletes))
    distribution = outputs.distribution_id if outputs is not None else ""
    paths = invalidation_paths(keys, index_document=settings.index_document)
    if not options.invalidate:
        if distribution and paths:
            summary.notes.append(
                f"CloudFront may serve cached copies of {len(paths)} path(s) for up to "
                f"{settings.default_ttl} s: publish with -c to invalidate them"
            )
        return None
    if not distribution and not (options.dry_run and settings.cloudfront):
        summary.notes.append(f"no invalidation: stage {stage} has no CloudFront distribution")
        return None
    if not paths:
        summary.notes.append("no invalidation: nothing changed")
        return None
    summary.invalidation_paths = paths
    return distribution, paths
