"""The emulator's control surface over real HTTP: request log, fault injection, and the
`inv local.up/status/down` tasks run as a user would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from amplify_tasks.errors import EmulatorError
from amplify_tasks.local import control


def _s3(attempts: int = 3) -> Any:
    return boto3.client(
        "s3", config=Config(retries={"mode": "standard", "total_max_attempts": attempts})
    )


def test_one_put_is_one_put_object_record(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket = unique_name()
    s3 = _s3()
    s3.create_bucket(Bucket=bucket)
    emulator.reset_requests()
    s3.put_object(Bucket=bucket, Key="dir/a.txt", Body=b"hello")
    s3.copy_object(Bucket=bucket, Key="b.txt", CopySource=f"{bucket}/dir/a.txt")
    s3.list_objects_v2(Bucket=bucket)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b.txt"}]})
    mine = [r for r in emulator.requests(service="s3") if r["bucket"] == bucket]
    assert [r["operation"] for r in mine] == [
        "PutObject",
        "CopyObject",
        "ListObjectsV2",
        "DeleteObjects",
    ]
    put = mine[0]
    assert (put["key"], put["bytes"], put["method"]) == ("dir/a.txt", 5, "PUT")
    assert emulator.requests(operation="PutObject")[0]["key"] == "dir/a.txt"


def test_multipart_and_query_protocol_operations_are_named(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket = unique_name()
    s3 = _s3()
    s3.create_bucket(Bucket=bucket)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")
    part = s3.upload_part(
        Bucket=bucket, Key="big", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 10
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    aborted = s3.create_multipart_upload(Bucket=bucket, Key="gone")
    s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=aborted["UploadId"])
    s3.head_bucket(Bucket=bucket)
    s3.head_object(Bucket=bucket, Key="big")
    s3.get_object(Bucket=bucket, Key="big")
    s3.list_objects(Bucket=bucket)
    s3.list_object_versions(Bucket=bucket)
    s3.delete_object(Bucket=bucket, Key="big")
    boto3.client("cloudformation").list_stacks()
    boto3.client("cloudfront").list_distributions()
    ops = [(r["service"], r["operation"]) for r in emulator.requests()]
    for expected in [
        ("s3", "CreateMultipartUpload"),
        ("s3", "UploadPart"),
        ("s3", "CompleteMultipartUpload"),
        ("s3", "AbortMultipartUpload"),
        ("s3", "HeadBucket"),
        ("s3", "HeadObject"),
        ("s3", "GetObject"),
        ("s3", "ListObjects"),
        ("s3", "ListObjectVersions"),
        ("s3", "DeleteObject"),
        ("cloudformation", "ListStacks"),
        ("cloudfront", "ListDistributions"),
    ]:
        assert expected in ops


def test_fault_fails_the_next_matching_put_only(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket = unique_name()
    s3 = _s3(attempts=1)
    s3.create_bucket(Bucket=bucket)
    emulator.inject_fault(500, method="PUT", path_regex=f"^/{bucket}/")
    try:
        with pytest.raises(ClientError) as err:
            s3.put_object(Bucket=bucket, Key="a", Body=b"1")
        assert err.value.response["Error"]["Code"] == "InternalError"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    finally:
        emulator.clear_faults()
    records = [r for r in emulator.requests(operation="PutObject") if r["bucket"] == bucket]
    assert [r.get("fault") for r in records] == [500, None]


def test_fault_after_lets_requests_through_first(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket = unique_name()
    s3 = _s3(attempts=1)
    s3.create_bucket(Bucket=bucket)
    emulator.inject_fault(503, operation="PutObject", path_regex=bucket, after=1, count=1)
    try:
        s3.put_object(Bucket=bucket, Key="first", Body=b"1")
        with pytest.raises(ClientError) as err:
            s3.put_object(Bucket=bucket, Key="second", Body=b"1")
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        s3.put_object(Bucket=bucket, Key="third", Body=b"1")
    finally:
        emulator.clear_faults()


def test_a_delay_only_fault_answers_late_and_does_not_fail(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    bucket = unique_name()
    s3 = _s3(attempts=1)
    s3.create_bucket(Bucket=bucket)
    emulator.inject_fault(0, method="PUT", path_regex=f"^/{bucket}/", count=2, delay=0.4)
    try:
        started = time.monotonic()
        for key in ("a", "b"):
            s3.put_object(Bucket=bucket, Key=key, Body=b"1")
        slow = time.monotonic() - started
        started = time.monotonic()
        s3.put_object(Bucket=bucket, Key="c", Body=b"1")
        fast = time.monotonic() - started
    finally:
        emulator.clear_faults()
    assert slow >= 0.8 and fast < 0.4
    assert s3.get_object(Bucket=bucket, Key="b")["Body"].read() == b"1"
    records = [r for r in emulator.requests(operation="PutObject") if r["bucket"] == bucket]
    assert [r.get("fault") for r in records] == [None, None, None]


def test_start_refuses_a_taken_port(tmp_path: Any, emulator: control.Emulator) -> None:
    with pytest.raises(EmulatorError, match=f"port {emulator.port} .* --port"):
        control.start(tmp_path / "state", emulator.port)


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def test_inv_local_up_status_down(inv_project: Any) -> None:
    port = control.free_port()
    up = inv_project.run("local.up", "--port", str(port))
    assert f"http://127.0.0.1:{port}" in up.stdout
    assert "export AWS_ENDPOINT_URL=" in up.stdout
    pid = int((inv_project.root / ".amplify-tasks" / "emulator.pid").read_text())
    try:
        again = inv_project.run("local.up", "--port", str(port), check=False)
        assert again.returncode != 0
        assert re.search(r"^error: an emulator already runs", again.stderr, re.M)
        assert "Traceback" not in again.stderr
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
        boto3.client("cloudformation", endpoint_url=f"http://127.0.0.1:{port}").create_stack(
            StackName="site",
            TemplateBody=json.dumps(
                {
                    "Resources": {
                        "Site": {
                            "Type": "AWS::S3::Bucket",
                            "Properties": {
                                "BucketName": "preview-site",
                                "WebsiteConfiguration": {"IndexDocument": "index.html"},
                            },
                        }
                    }
                }
            ),
        )
        s3.head_bucket(Bucket="preview-site")
        status = inv_project.run("local.status")
        assert f"http://127.0.0.1:{port}" in status.stdout
        assert f"pid {pid}" in status.stdout
        assert re.search(r"preview website preview-site: http://127\.0\.0\.1:\d+", status.stdout)
    finally:
        down = inv_project.run("local.down")
    assert "emulator stopped" in down.stdout
    assert _gone(pid)
    assert not (inv_project.root / ".amplify-tasks" / "emulator.pid").exists()
    assert "not running" in inv_project.run("local.status").stdout


def test_importing_control_does_not_import_moto() -> None:
    code = "import sys, amplify_tasks.local.control; print('moto' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_start_without_moto_names_the_extra(tmp_path: Path, monkeypatch: Any) -> None:
    real = control.importlib.util.find_spec
    monkeypatch.setattr(
        control.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "moto" else real(name, *a),
    )
    with pytest.raises(EmulatorError, match=r"pip install 'amplify-tasks\[local\]'"):
        control.start(tmp_path / "state")
    assert not (tmp_path / "state" / "emulator.pid").exists()


def test_a_cloudformation_record_names_the_stack_it_is_about(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    name = unique_name()
    emulator.reset_requests()
    with pytest.raises(ClientError):
        boto3.client("cloudformation").describe_stacks(StackName=name)
    boto3.client("cloudformation").list_stacks()
    records = [(r["operation"], r["stack"]) for r in emulator.requests()]
    assert records == [("DescribeStacks", name), ("ListStacks", None)]


def test_route53_rest_operations_are_named_as_botocore_names_them(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    route53 = boto3.client("route53")
    emulator.reset_requests()
    zone = route53.create_hosted_zone(Name=f"{unique_name()}.example", CallerReference="r")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    route53.list_hosted_zones_by_name(DNSName="example")
    route53.get_hosted_zone(Id=zone_id)
    route53.list_resource_record_sets(HostedZoneId=zone_id)
    route53.get_change(Id=zone["ChangeInfo"]["Id"].rsplit("/", 1)[-1])
    assert [r["operation"] for r in emulator.requests() if r["service"] == "route53"] == [
        "CreateHostedZone",
        "ListHostedZonesByName",
        "GetHostedZone",
        "ListResourceRecordSets",
        "GetChange",
    ]
