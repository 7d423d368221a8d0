"""CloudFront invalidation: the fewest paths that cover the changed and deleted keys, one
CreateInvalidation call with a unique caller reference, and our own poller for --wait.
"""

from __future__ import annotations

import secrets
import shlex
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

from .aws import refusal
from .errors import AwsError

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_cloudfront import CloudFrontClient

#: This many paths (or wildcards) under one folder merge into ``/folder/*``.
SIBLINGS_TO_MERGE = 5
#: More paths than this after merging become a single ``/*``.
MAX_PATHS = 15
#: Statuses of a finished invalidation (AWS says "Completed"; moto says "COMPLETED").
DONE_STATUSES = frozenset({"Completed", "COMPLETED"})


def _url_path(key: str) -> str:
    return "/" + quote(key, safe="/-_.~!$&'()+,;=:@")


def _parent(path: str) -> str:
    """The folder a path belongs to: ``/a/b.css`` -> ``/a/``, ``/a/`` -> ``/a/``,
    ``/a/*`` -> ``/``."""
    if path.endswith("/*"):
        path = path[:-2]
    elif path.endswith("/"):
        return path
    return path[: path.rstrip("/").rfind("/") + 1] or "/"


def _covered(path: str, wildcards: set[str]) -> bool:
    return any(path != w and path.startswith(w[:-1]) for w in wildcards)


def invalidation_paths(
    keys: Iterable[str],
    *,
    index_document: str = "index.html",
    siblings: int = SIBLINGS_TO_MERGE,
    max_paths: int = MAX_PATHS,
) -> list[str]:
    """The paths to invalidate for these changed or deleted keys (sorted; empty for none).

    ``x/index.html`` also invalidates ``/x/``; the root index also ``/``. Many siblings
    merge into their folder's wildcard; past ``max_paths`` the answer is ``["/*"]``.
    """
    paths: set[str] = set()
    for key in keys:
        key = key.lstrip("/")
        if not key:
            continue
        paths.add(_url_path(key))
        name = key.rsplit("/", 1)[-1]
        if name == index_document:
            paths.add(_url_path(key[: -len(name)]))
    if not paths:
        return []
    while True:
        groups: dict[str, set[str]] = {}
        for path in paths:
            groups.setdefault(_parent(path), set()).add(path)
        merged = {folder for folder, members in groups.items() if len(members) >= siblings}
        if not merged:
            break
        wildcards = {folder + "*" for folder in merged}
        if "/*" in wildcards:
            return ["/*"]
        paths = {p for p in paths if _parent(p) not in merged} | wildcards
        paths = {p for p in paths if not _covered(p, wildcards)}
    wildcards = {p for p in paths if p.endswith("*")}
    paths = {p for p in paths if not _covered(p, wildcards)}
    if len(paths) > max_paths:
        return ["/*"]
    return sorted(paths)


def caller_reference() -> str:
    """Unique per call, so two publishes in one second never collide."""
    return f"amplify-tasks-{time.time_ns()}-{secrets.token_hex(4)}"


def create_invalidation(
    cloudfront: CloudFrontClient, distribution_id: str, paths: list[str]
) -> str:
    """One CreateInvalidation call; returns the invalidation id."""
    resp = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": caller_reference(),
        },
    )
    return str(resp["Invalidation"]["Id"])


def invalidation_refused(exc: ClientError, distribution_id: str, paths: list[str]) -> AwsError:
    """The error of a refused CreateInvalidation: the files are published, but a rerun sees
    nothing changed and invalidates nothing, so it gives the command that does."""
    return AwsError(
        f"CloudFront refused {refusal(exc)}; what was uploaded is in the bucket, but cached "
        "copies may stay: invalidate them with `aws cloudfront create-invalidation "
        f"--distribution-id {distribution_id} --paths {' '.join(map(shlex.quote, paths))}`"
    )


def wait_invalidation(
    cloudfront: CloudFrontClient,
    distribution_id: str,
    invalidation_id: str,
    *,
    timeout: float = 900.0,
    interval: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Poll until the invalidation is done; returns its final status."""
    deadline = clock() + timeout
    while True:
        resp = cloudfront.get_invalidation(DistributionId=distribution_id, Id=invalidation_id)
        status = str(resp["Invalidation"]["Status"])
        if status in DONE_STATUSES:
            return status
        if clock() >= deadline:
            raise AwsError(
                f"invalidation {invalidation_id} of {distribution_id} still {status} after "
                f"{timeout:.0f} s: it goes on in the background; check it later with "
                f"`aws cloudfront get-invalidation --distribution-id {distribution_id} "
                f"--id {invalidation_id}`"
            )
        sleep(interval)
