"""Writing a release stage's key value store: keys in batches CloudFront accepts, each
conditional on the store's ETag (IfMatch), and the move of a pointer key as a compare and
swap: it moves only while it still holds what the caller planned against, in the same chain
of writes as the keys that must be there first (a release's folder keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from amplify_tasks.errors import PointerMovedError
from amplify_tasks.routing.paths import batched

from .state import read_key

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_cloudfront_keyvaluestore.type_defs import UpdateKeysRequestTypeDef

#: Puts plus deletes in one UpdateKeys call (CloudFront's limit).
BATCH_MAX_KEYS = 50
#: Attempts at one conditional write when the store's ETag keeps changing under it.
ATTEMPTS = 5
#: What CloudFront answers a write whose IfMatch is not the store's ETag.
CONFLICTS = frozenset({"ConflictException", "PreconditionFailed"})


def is_conflict(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in CONFLICTS


def store_etag(client: CloudFrontKeyValueStoreClient, arn: str) -> str:
    return str(client.describe_key_value_store(KvsARN=arn)["ETag"])


def _update(
    client: CloudFrontKeyValueStoreClient,
    arn: str,
    etag: str,
    puts: Sequence[tuple[str, str]],
    deletes: Sequence[str],
) -> str:
    request: UpdateKeysRequestTypeDef = {"KvsARN": arn, "IfMatch": etag}
    if puts:  # an empty list is left out: the API takes either alone
        request["Puts"] = [{"Key": k, "Value": v} for k, v in puts]
    if deletes:
        request["Deletes"] = [{"Key": k} for k in deletes]
    return str(client.update_keys(**request)["ETag"])


def write_keys(
    client: CloudFrontKeyValueStoreClient,
    arn: str,
    puts: Sequence[tuple[str, str]] = (),
    deletes: Sequence[str] = (),
) -> int:
    """Put and delete keys nobody else writes (a release's own), in batches; a batch whose
    ETag went stale is sent again with the new one. The number of UpdateKeys calls."""
    from botocore.exceptions import ClientError

    batches = batched([*puts, *deletes], BATCH_MAX_KEYS)
    if not batches:
        return 0
    calls = 0
    etag = store_etag(client, arn)
    for batch_puts, batch_deletes in batches:
        for attempt in range(ATTEMPTS):
            calls += 1
            try:
                etag = _update(client, arn, etag, batch_puts, batch_deletes)
                break
            except ClientError as exc:
                if not is_conflict(exc) or attempt == ATTEMPTS - 1:
                    raise
                etag = store_etag(client, arn)
    return calls


def move_pointer(
    client: CloudFrontKeyValueStoreClient,
    arn: str,
    key: str,
    value: str | None,
    expected: str | None,
    *,
    what: str,
    puts: Sequence[tuple[str, str]] = (),
    etag: str = "",
) -> int:
    """Set pointer ``key`` to ``value`` (None: delete it), only while it holds ``expected``
    (None: absent), after ``puts`` (keys nobody else writes: a release's key set), in
    batches, the pointer in the last one. The store's ETag is read, then the pointer; every
    batch is conditional on the ETag the one before returned, so when the last is accepted
    nobody wrote the store since the pointer was read. ``etag``: the store's ETag as read
    before ``expected`` was (the first attempt then reads neither again). When the ETag
    changed meanwhile, the key is read again: still ``expected``, the writes are tried
    again; moved, PointerMovedError (``what`` says what was left undone) and the pointer is
    not written. The number of UpdateKeys calls."""
    from botocore.exceptions import ClientError

    change: tuple[str, str] | str = key if value is None else (key, value)
    batches = batched([*puts, change], BATCH_MAX_KEYS)
    calls = 0
    for attempt in range(ATTEMPTS):
        current = expected  # as read after ``etag``, on the first attempt
        if attempt or not etag:
            etag = store_etag(client, arn)
            current = read_key(client, arn, key)
        if current != expected:
            raise PointerMovedError(
                f"pointer {key} moved during this run (it is now {_shown(current)}, was "
                f"{_shown(expected)}): {what}"
            )
        try:
            for batch_puts, batch_deletes in batches:
                calls += 1
                etag = _update(client, arn, etag, batch_puts, batch_deletes)
            return calls
        except ClientError as exc:
            if not is_conflict(exc) or attempt == ATTEMPTS - 1:
                raise
    return calls


def _shown(value: str | None) -> str:
    from .layout import parse_pointer

    pointer = parse_pointer(value)
    if pointer is not None:
        return f"release {pointer.release}"
    return "absent" if value is None else repr(value)
