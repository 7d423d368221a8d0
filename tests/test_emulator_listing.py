"""The emulator lists a versioned bucket as S3 does: a folder whose objects were all deleted
(their latest versions delete markers) is no common prefix any more."""

from __future__ import annotations

from collections.abc import Callable

import boto3

from amplify_tasks.local import control


def test_a_folder_emptied_in_a_versioned_bucket_is_no_prefix(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = unique_name("listing")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("_r/a/index.html", "_r/a/docs/x.html", "_r/b/index.html", "top.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    gone = [{"Key": "_r/a/index.html"}, {"Key": "_r/a/docs/x.html"}]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": gone})

    v2 = s3.list_objects_v2(Bucket=bucket, Prefix="_r/", Delimiter="/")
    assert [p["Prefix"] for p in v2.get("CommonPrefixes", [])] == ["_r/b/"]
    v1 = s3.list_objects(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in v1.get("CommonPrefixes", [])] == ["_r/"]
    assert [o["Key"] for o in v1.get("Contents", [])] == ["top.txt"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="_r/a/")
    assert len(versions.get("DeleteMarkers", [])) == 2  # the history is kept
