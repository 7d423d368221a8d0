"""The bucket's listing a publish's sync plans from (and its routing step reads): the one
prefetched during the deploy when the sync goes to the bucket it listed, else a new one.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from amplify_tasks.sync import RemoteObject

    #: A bucket's objects by key, as the listing found them.
    Listing = dict[str, RemoteObject]


def listing_for(
    bucket: str | None,
    prefetched: Future[tuple[str, Listing]] | None,
    pool: Executor,
    s3: S3Client,
) -> Future[Listing] | None:
    """The listing of ``bucket``, under way on ``pool``; ``prefetched`` is (the bucket it
    listed, its listing). It does not wait, so the sync scans meanwhile."""
    if not bucket:
        return None
    from amplify_tasks.sync import list_remote

    if prefetched is None:
        return pool.submit(list_remote, s3, bucket)
    listed = prefetched

    def listing() -> Listing:
        try:
            found, objects = listed.result()
        except Exception:
            found = ""  # listed again here, where an error is explained
        return objects if found == bucket else list_remote(s3, bucket)

    return pool.submit(listing)
