"""The emulator does S3's conditional requests as S3 does, over HTTP: a create with
If-None-Match on an existing key and a write or delete with a stale If-Match answer 412, an
If-Match on a missing key 404; and its control API can delay a request and age an object.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from amplify_tasks import aws


@pytest.fixture
def bucket(aws_env: dict[str, str], unique_name: Callable[[str], str]) -> tuple[Any, str]:
    s3 = aws.client("s3")
    name = unique_name("cond")
    s3.create_bucket(Bucket=name)
    return s3, name


def refused(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_if_none_match_creates_once(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    s3.put_object(Bucket=name, Key="k", Body=b"first", IfNoneMatch="*")
    again = refused(lambda: s3.put_object(Bucket=name, Key="k", Body=b"second", IfNoneMatch="*"))
    assert again == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"first"


def test_if_match_writes_only_over_that_etag(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    first = s3.put_object(Bucket=name, Key="k", Body=b"1")["ETag"]
    second = s3.put_object(Bucket=name, Key="k", Body=b"2", IfMatch=first)["ETag"]
    stale = refused(lambda: s3.put_object(Bucket=name, Key="k", Body=b"3", IfMatch=first))
    assert stale == (412, "PreconditionFailed")
    missing = refused(lambda: s3.put_object(Bucket=name, Key="gone", Body=b"x", IfMatch=first))
    assert missing == (404, "NoSuchKey")
    assert s3.get_object(Bucket=name, Key="k")["ETag"] == second


def test_a_delete_with_if_match_deletes_only_that_etag(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    first = s3.put_object(Bucket=name, Key="k", Body=b"1")["ETag"]
    second = s3.put_object(Bucket=name, Key="k", Body=b"2")["ETag"]
    stale = refused(lambda: s3.delete_object(Bucket=name, Key="k", IfMatch=first))
    assert stale == (412, "PreconditionFailed")
    s3.delete_object(Bucket=name, Key="k", IfMatch=second)
    assert refused(lambda: s3.delete_object(Bucket=name, Key="k", IfMatch=second))[0] == 404


def test_in_a_versioned_bucket_a_deleted_key_can_be_created_again(
    bucket: tuple[Any, str],
) -> None:
    s3, name = bucket
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    etag = s3.put_object(Bucket=name, Key="k", Body=b"1", IfNoneMatch="*")["ETag"]
    s3.delete_object(Bucket=name, Key="k", IfMatch=etag)  # leaves a delete marker
    s3.put_object(Bucket=name, Key="k", Body=b"2", IfNoneMatch="*")
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"2"


def test_a_delay_only_fault_slows_a_request_that_then_succeeds(
    emulator: Any, bucket: tuple[Any, str]
) -> None:
    s3, name = bucket
    emulator.inject_fault(0, method="PUT", path_regex=f"^/{name}/slow", delay=0.6)
    started = time.monotonic()
    s3.put_object(Bucket=name, Key="slow", Body=b"x")
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    s3.put_object(Bucket=name, Key="slow", Body=b"y")  # the fault was used up
    assert time.monotonic() - started < 0.6
    assert s3.get_object(Bucket=name, Key="slow")["Body"].read() == b"y"


def test_an_object_can_be_made_to_look_older(emulator: Any, bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    before = s3.head_object(Bucket=name, Key="k")["LastModified"]
    emulator.age_object(name, "k", 600)
    after = s3.head_object(Bucket=name, Key="k")["LastModified"]
    assert 599 <= (before - after).total_seconds() <= 601
