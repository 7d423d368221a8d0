"""CloudFront KeyValueStores on the emulator over real HTTP: the control plane (CloudFront API
and AWS::CloudFront::KeyValueStore) and the data plane through a real boto3
``cloudfront-keyvaluestore`` client (SigV4A, the emulator as its HTTP proxy): ETags and
If-Match, pagination, AWS's limits, the request log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from edge_stacks import kvs_client
from test_local_cfn import create_stack

from amplify_tasks.local import control


@pytest.fixture
def store(aws_env: dict[str, str], unique_name: Callable[[], str]) -> dict[str, Any]:
    """A store made with the CloudFront API."""
    created = boto3.client("cloudfront").create_key_value_store(Name=unique_name(), Comment="t")
    return dict(created["KeyValueStore"])


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_control_plane_create_describe_list_delete(
    aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    cf = boto3.client("cloudfront")
    name = unique_name()
    created = cf.create_key_value_store(Name=name, Comment="releases")
    arn = created["KeyValueStore"]["ARN"]
    assert arn.startswith("arn:aws:cloudfront::123456789012:key-value-store/")
    described = cf.describe_key_value_store(Name=name)
    assert described["KeyValueStore"]["Comment"] == "releases"
    assert described["ETag"]
    listed = [s["Name"] for s in cf.list_key_value_stores()["KeyValueStoreList"]["Items"]]
    assert name in listed
    cf.delete_key_value_store(Name=name, IfMatch=described["ETag"])
    with pytest.raises(ClientError) as gone:
        cf.describe_key_value_store(Name=name)
    assert error_of(gone) == ("EntityNotFound", 404)


def test_data_plane_etags_and_if_match(emulator: control.Emulator, store: dict[str, Any]) -> None:
    kvs = kvs_client(emulator)
    arn = store["ARN"]
    described = kvs.describe_key_value_store(KvsARN=arn)
    assert (described["KvsARN"], described["ItemCount"], described["Status"]) == (arn, 0, "READY")
    first = described["ETag"]
    put = kvs.put_key(KvsARN=arn, Key="live", Value="r1", IfMatch=first)
    assert (put["ItemCount"], put["TotalSizeInBytes"]) == (1, len("live") + len("r1"))
    assert put["ETag"] != first
    with pytest.raises(ClientError) as stale:
        kvs.put_key(KvsARN=arn, Key="live", Value="r2", IfMatch=first)
    assert error_of(stale) == ("ConflictException", 409)
    assert kvs.get_key(KvsARN=arn, Key="live")["Value"] == "r1"  # the refused put changed nothing
    with pytest.raises(ClientError) as stale_delete:
        kvs.delete_key(KvsARN=arn, Key="live", IfMatch=first)
    assert error_of(stale_delete) == ("ConflictException", 409)
    assert kvs.describe_key_value_store(KvsARN=arn)["ETag"] == put["ETag"]

    updated = kvs.update_keys(
        KvsARN=arn,
        IfMatch=put["ETag"],
        Puts=[{"Key": "live", "Value": "r2"}, {"Key": "previous", "Value": "r1"}],
        Deletes=[{"Key": "nothing-there"}],
    )
    assert updated["ItemCount"] == 2
    got = kvs.get_key(KvsARN=arn, Key="live")
    assert (got["Key"], got["Value"], got["ItemCount"]) == ("live", "r2", 2)
    deleted = kvs.delete_key(KvsARN=arn, Key="previous", IfMatch=updated["ETag"])
    assert deleted["ItemCount"] == 1
    with pytest.raises(ClientError) as missing:
        kvs.get_key(KvsARN=arn, Key="previous")
    assert error_of(missing) == ("ResourceNotFoundException", 404)


def test_list_keys_pages_of_10_by_default(
    emulator: control.Emulator, store: dict[str, Any]
) -> None:
    kvs = kvs_client(emulator)
    arn = store["ARN"]
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    puts = [{"Key": f"key-{n:02}", "Value": str(n)} for n in range(23)]
    kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=puts)
    first = kvs.list_keys(KvsARN=arn)
    assert [i["Key"] for i in first["Items"]] == [f"key-{n:02}" for n in range(10)]
    assert first["NextToken"]
    pages = list(
        kvs.get_paginator("list_keys").paginate(KvsARN=arn, PaginationConfig={"PageSize": 7})
    )
    assert [len(p["Items"]) for p in pages] == [7, 7, 7, 2]
    assert [i["Value"] for p in pages for i in p["Items"]] == [str(n) for n in range(23)]


def test_limits_as_aws_enforces_them(emulator: control.Emulator, store: dict[str, Any]) -> None:
    kvs = kvs_client(emulator)
    arn = store["ARN"]
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    with pytest.raises(ClientError) as long_key:
        kvs.put_key(KvsARN=arn, Key="k" * 513, Value="v", IfMatch=etag)
    assert error_of(long_key) == ("ValidationException", 400)
    with pytest.raises(ClientError) as big_value:
        kvs.put_key(KvsARN=arn, Key="k", Value="v" * 1025, IfMatch=etag)
    assert error_of(big_value) == ("ValidationException", 400)
    etag = kvs.put_key(KvsARN=arn, Key="k" * 512, Value="v" * 1024, IfMatch=etag)["ETag"]
    # fill the store to just under 5 MB with 1.5 KB entries, 50 per update
    value = "v" * 1024
    total = 512 + 1024
    batch = 0
    while total + 50 * (512 + 1024) <= 5 * 1024 * 1024:
        puts = [{"Key": f"{batch:05}-{n:02}".ljust(512, "k"), "Value": value} for n in range(50)]
        etag = kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=puts)["ETag"]
        total += 50 * (512 + 1024)
        batch += 1
    assert kvs.describe_key_value_store(KvsARN=arn)["TotalSizeInBytes"] == total
    over = [{"Key": f"over-{n:02}".ljust(512, "k"), "Value": value} for n in range(50)]
    with pytest.raises(ClientError) as full:
        kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=over)
    assert error_of(full) == ("ServiceQuotaExceededException", 402)
    assert kvs.describe_key_value_store(KvsARN=arn)["TotalSizeInBytes"] == total
    with pytest.raises(ClientError) as too_many:
        kvs.update_keys(KvsARN=arn, IfMatch=etag, Deletes=[{"Key": str(n)} for n in range(51)])
    assert error_of(too_many) == ("ValidationException", 400)


def test_an_unknown_store_is_not_found(emulator: control.Emulator, store: dict[str, Any]) -> None:
    kvs = kvs_client(emulator)
    unknown = store["ARN"].rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as missing:
        kvs.describe_key_value_store(KvsARN=unknown)
    assert error_of(missing) == ("ResourceNotFoundException", 404)


def test_the_request_log_names_the_data_plane_calls(
    emulator: control.Emulator, store: dict[str, Any]
) -> None:
    kvs = kvs_client(emulator)
    emulator.reset_requests()
    etag = kvs.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
    kvs.put_key(KvsARN=store["ARN"], Key="a/b c", Value="1", IfMatch=etag)
    calls = [(r["operation"], r["key"]) for r in emulator.requests("cloudfront-keyvaluestore")]
    assert calls == [("DescribeKeyValueStore", None), ("PutKey", "a/b c")]


def test_cloudformation_key_value_store_with_an_import_source(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket, name = unique_name(), unique_name()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    items = [{"key": "live", "value": "r7"}] + [{"key": f"k{n}", "value": "x"} for n in range(79)]
    data = {"data": items}
    s3.put_object(Bucket=bucket, Key="kvs.json", Body=json.dumps(data).encode())
    template = {
        "Resources": {
            "Store": {
                "Type": "AWS::CloudFront::KeyValueStore",
                "Properties": {
                    "Name": name,
                    "Comment": "imported",
                    "ImportSource": {
                        "SourceType": "S3",
                        "SourceArn": f"arn:aws:s3:::{bucket}/kvs.json",
                    },
                },
            }
        },
        "Outputs": {
            "Ref": {"Value": {"Ref": "Store"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Store", "Arn"]}},
            "Id": {"Value": {"Fn::GetAtt": ["Store", "Id"]}},
            "Status": {"Value": {"Fn::GetAtt": ["Store", "Status"]}},
        },
    }
    outputs = create_stack(unique_name(), template)
    assert outputs["Ref"] == name
    assert outputs["Arn"].endswith(f":key-value-store/{outputs['Id']}")
    assert outputs["Status"] == "READY"
    kvs = kvs_client(emulator)
    assert kvs.get_key(KvsARN=outputs["Arn"], Key="live")["Value"] == "r7"
    assert kvs.describe_key_value_store(KvsARN=outputs["Arn"])["ItemCount"] == 80


def test_loopback_proxies_only_for_a_loopback_endpoint() -> None:
    assert control.loopback_proxies("http://127.0.0.1:4566/") == {"http": "http://127.0.0.1:4566"}
    assert control.loopback_proxies("http://localhost:4566") == {"http": "http://localhost:4566"}
    assert control.loopback_proxies("https://cloudfront-kvs.global.api.aws") is None
    assert control.loopback_proxies(None) is None
