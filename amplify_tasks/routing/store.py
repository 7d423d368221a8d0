"""The distribution's key value store as publish writes it: its entries (ListKeys, paged),
and an update applied as UpdateKeys calls of at most 50 keys, each with the ETag the last
one returned (IfMatch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .paths import StoreUpdate

if TYPE_CHECKING:
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient
    from mypy_boto3_cloudfront_keyvaluestore.type_defs import UpdateKeysRequestTypeDef

#: Puts plus deletes in one UpdateKeys call (CloudFront's limit).
BATCH_MAX_KEYS = 50
#: Keys per ListKeys page (CloudFront's maximum).
LIST_PAGE = 50


def read_entries(client: CloudFrontKeyValueStoreClient, arn: str) -> dict[str, str]:
    """Every key of the store and its value: ListKeys pages, each after the NextToken of
    the one before (botocore's paginator's loop, which the wire client does not have)."""
    entries: dict[str, str] = {}
    token = ""
    while True:
        page = (
            client.list_keys(KvsARN=arn, MaxResults=LIST_PAGE, NextToken=token)
            if token
            else client.list_keys(KvsARN=arn, MaxResults=LIST_PAGE)
        )
        for item in page.get("Items", ()):
            entries[item["Key"]] = item["Value"]
        following = page.get("NextToken") or ""
        if not following or following == token:
            return entries
        token = following


def apply_update(client: CloudFrontKeyValueStoreClient, arn: str, update: StoreUpdate) -> int:
    """Apply ``update`` in batches, starting from the store's current ETag; the number of
    UpdateKeys calls made."""
    batches = update.batches(BATCH_MAX_KEYS)
    if not batches:
        return 0
    etag = client.describe_key_value_store(KvsARN=arn)["ETag"]
    for puts, deletes in batches:
        request: UpdateKeysRequestTypeDef = {"KvsARN": arn, "IfMatch": etag}
        if puts:  # an empty list is left out: the API takes either alone
            request["Puts"] = [{"Key": k, "Value": v} for k, v in puts]
        if deletes:
            request["Deletes"] = [{"Key": k} for k in deletes]
        etag = client.update_keys(**request)["ETag"]
    return len(batches)
