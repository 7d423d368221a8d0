"""The key value store without botocore (amplify_tasks.kvswire), over real HTTP against the
emulator (which verifies every SigV4A signature): the four calls answer what botocore's
client answers, a stale IfMatch and a missing key are botocore's ClientErrors, ListKeys is
paged, a 5xx is retried, an unreadable answer is one line, other calls go to botocore; the
endpoint follows the rule set; and `inv publish` of a release stage with the environment's
credentials never loads botocore.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from edge_stacks import kvs_client
from kvs_wire_helpers import make_store, wire_store
from releases_site import V1, ReleaseSite
from test_cfnwire import ERROR_TYPES_ONLY, loaded_botocore

from amplify_tasks import aws
from amplify_tasks.errors import AwsError
from amplify_tasks.kvswire import SERVICE, AsymmetricSigner, routes
from amplify_tasks.local import control
from amplify_tasks.releases.store import is_conflict, write_keys
from amplify_tasks.routing.store import read_entries
from amplify_tasks.s3wire import Credentials


@pytest.fixture
def arn(aws_env: dict[str, str], unique_name: Callable[[], str]) -> str:
    return make_store(unique_name())


def without_metadata(answer: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(answer).items() if k != "ResponseMetadata"}


def test_every_call_answers_what_botocore_answers(emulator: control.Emulator, arn: str) -> None:
    wire, botocore = wire_store(emulator), kvs_client(emulator)
    emulator.reset_requests()
    described = wire.describe_key_value_store(KvsARN=arn)
    assert without_metadata(described) == without_metadata(
        botocore.describe_key_value_store(KvsARN=arn)
    )
    puts = [{"Key": "live", "Value": "r1"}, {"Key": "r1:d:/a b/ü", "Value": "1"}]
    updated = wire.update_keys(KvsARN=arn, IfMatch=described["ETag"], Puts=puts)
    assert (updated["ItemCount"], updated["TotalSizeInBytes"]) == (2, 19)
    assert updated["ETag"] != described["ETag"]
    for key in ("live", "r1:d:/a b/ü"):
        mine = wire.get_key(KvsARN=arn, Key=key)
        assert without_metadata(mine) == without_metadata(botocore.get_key(KvsARN=arn, Key=key))
    listed = wire.list_keys(KvsARN=arn, MaxResults=50)
    assert listed["Items"] == [{"Key": p["Key"], "Value": p["Value"]} for p in puts]
    deleted = wire.update_keys(KvsARN=arn, IfMatch=updated["ETag"], Deletes=[{"Key": "live"}])
    assert deleted["ItemCount"] == 1
    sent = [r["operation"] for r in emulator.requests(SERVICE)]  # each signature verified
    assert sent == ["DescribeKeyValueStore"] * 2 + ["UpdateKeys"] + ["GetKey"] * 4 + [
        "ListKeys",
        "UpdateKeys",
    ]


def test_a_stale_if_match_and_a_missing_key_are_botocores_errors(
    emulator: control.Emulator, arn: str
) -> None:
    wire, botocore = wire_store(emulator), kvs_client(emulator)
    refused: list[ClientError] = []
    for client in (wire, botocore):
        with pytest.raises(ClientError) as conflict:
            client.update_keys(KvsARN=arn, IfMatch="STALE", Puts=[{"Key": "k", "Value": "v"}])
        refused.append(conflict.value)
        with pytest.raises(ClientError) as missing:
            client.get_key(KvsARN=arn, Key="absent")
        refused.append(missing.value)
    for mine, theirs in ((refused[0], refused[2]), (refused[1], refused[3])):
        assert mine.response["Error"] == theirs.response["Error"]
        assert mine.operation_name == theirs.operation_name
        assert (
            mine.response["ResponseMetadata"]["HTTPStatusCode"]
            == (theirs.response["ResponseMetadata"]["HTTPStatusCode"])
        )
    assert is_conflict(refused[0]) and refused[0].response["Error"]["Code"] == "ConflictException"
    # the release writer reads the ETag, writes in batches of 50 and reports the calls
    assert write_keys(wire, arn, [(f"k{i:03}", "1") for i in range(120)]) == 3  # type: ignore[arg-type]


def test_list_keys_is_paged_as_botocores_paginator_pages_it(
    emulator: control.Emulator, arn: str
) -> None:
    wire = wire_store(emulator)
    write_keys(wire, arn, [(f"key/{i:03}", str(i)) for i in range(120)])  # type: ignore[arg-type]
    emulator.reset_requests()
    entries = read_entries(wire, arn)  # type: ignore[arg-type]
    assert entries == read_entries(kvs_client(emulator), arn)
    assert len(entries) == 120 and entries["key/007"] == "7"
    pages = emulator.requests(SERVICE, "ListKeys")
    assert len(pages) == 6  # 3 of 50 keys for each client


def test_a_5xx_is_retried_and_each_attempt_signed(emulator: control.Emulator, arn: str) -> None:
    pauses: list[float] = []
    wire = wire_store(emulator, pauses=pauses)
    emulator.reset_requests()
    emulator.inject_fault(503, service=SERVICE, operation="GetKey", count=2)
    with pytest.raises(ClientError) as missing:  # answered, after two 503s
        wire.get_key(KvsARN=arn, Key="live")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    tries = emulator.requests(SERVICE, "GetKey")
    assert [r.get("fault") for r in tries] == [503, 503, None] and len(pauses) == 2


def test_an_unreadable_answer_is_one_line(emulator: control.Emulator, arn: str) -> None:
    wire = wire_store(emulator)
    emulator.inject_fault(200, service=SERVICE, body="<html>a portal page</html>")
    with pytest.raises(AwsError) as line, aws.translate_errors():
        wire.describe_key_value_store(KvsARN=arn)
    assert "could not be read" in str(line.value) and "\n" not in str(line.value)
    emulator.inject_fault(400, service=SERVICE, body="Bad Request (a proxy)")
    with pytest.raises(ClientError) as plain:
        wire.describe_key_value_store(KvsARN=arn)
    assert plain.value.response["Error"] == {"Code": "400", "Message": "Bad Request (a proxy)"}
    emulator.inject_fault(400, service=SERVICE, body="Bad Request (a proxy)")
    with pytest.raises(ClientError) as theirs:
        kvs_client(emulator).describe_key_value_store(KvsARN=arn)
    assert theirs.value.response["Error"] == plain.value.response["Error"]


def test_other_calls_arguments_and_stores_go_to_botocore(
    emulator: control.Emulator, arn: str
) -> None:
    made: list[int] = []
    botocore = kvs_client(emulator)

    def factory() -> Any:
        made.append(1)
        return botocore

    wire = wire_store(emulator, botocore=factory)
    etag = wire.describe_key_value_store(KvsARN=arn)["ETag"]
    assert not made
    wire.put_key(KvsARN=arn, Key="k", Value="v", IfMatch=etag)  # not a call of the tool's
    assert made == [1]
    with pytest.raises(Exception, match="MaxResults"):  # botocore's validation: it sent it
        wire.list_keys(KvsARN=arn, MaxResults=500)
    other = "arn:aws-cn:cloudfront::123456789012:key-value-store/x"
    with pytest.raises(Exception, match="partition"):  # the rule set's own refusal
        wire.get_key(KvsARN=other, Key="k")
    assert made == [1]  # made once


def test_the_endpoint_follows_the_rule_set() -> None:
    arn = "arn:aws:cloudfront::123456789012:key-value-store/abc-1"
    aws_own = routes({}, "eu-west-1")
    assert aws_own is not None and not aws_own.configured
    target = aws_own.locate(arn)
    assert target is not None and target.via == ""
    assert target.host == "123456789012.cloudfront-kvs.global.api.aws"
    assert (
        target.path
        == "/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2Fabc-1"
    )
    mine = routes(
        {"CLOUDFRONT_KEYVALUESTORE": "http://127.0.0.1:9/base", "": "http://x:1"}, "us-east-1"
    )
    assert mine is not None and mine.via == "127.0.0.1:9"
    assert mine.locate(arn).host == "123456789012.127.0.0.1:9"  # type: ignore[union-attr]
    assert mine.locate(arn).path.startswith("/base/key-value-stores/")  # type: ignore[union-attr]
    remote = routes({"": "https://kvs.example.com"}, "us-east-1")
    assert remote is not None and remote.via == ""
    assert remote.locate(arn).host == "123456789012.kvs.example.com"  # type: ignore[union-attr]
    assert routes({}, "cn-north-1") is None and routes({}, "us-gov-west-1") is None
    assert aws_own.locate("arn:aws:cloudfront:us-east-1:123456789012:key-value-store/x") is None
    assert aws_own.locate("arn:aws:s3:::bucket") is None


def test_a_session_token_is_signed() -> None:
    headers = {"Host": "123456789012.cloudfront-kvs.global.api.aws"}
    creds = Credentials("AKID", "secret", "token/+=")
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    AsymmetricSigner(SERVICE).sign("GET", "/", {}, headers, creds, "20261203T091500Z", empty)
    assert headers["X-Amz-Security-Token"] == "token/+="
    assert headers["X-Amz-Region-Set"] == "*"
    assert headers["Authorization"].startswith(
        "AWS4-ECDSA-P256-SHA256 Credential=AKID/20261203/cloudfront-keyvaluestore/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-region-set;x-amz-security-token, Signature="
    )
    assert "secret" not in str(headers)


def test_a_release_publish_with_env_credentials_never_loads_botocore_or_awscrt(
    inv_project: Any, emulator: control.Emulator, unique_name: Callable[[str], str]
) -> None:
    site = ReleaseSite(inv_project, emulator, unique_name("kw"))
    site.publish()
    site.build({**V1, "index.html": "<!doctype html><title>v2</title>"})
    emulator.reset_requests()
    inv_project.env["PYTHONPROFILEIMPORTTIME"] = "1"
    done = site.publish()
    inv_project.env.pop("PYTHONPROFILEIMPORTTIME")
    loaded = loaded_botocore(done.stderr)
    assert set(loaded) <= ERROR_TYPES_ONLY, loaded  # the store's SigV4A: not by awscrt
    writes = emulator.requests(SERVICE, "UpdateKeys")
    assert writes and site.live() != ""


def test_botocores_store_client_takes_the_same_loopback_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """botocore's fallback reaches the store where the wire client does: the per-service
    endpoint first, as its HTTP proxy when it is a loopback http URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE", "http://127.0.0.1:2/")
    assert aws.loopback_proxies() == {"http": "http://127.0.0.1:2"}
    monkeypatch.delenv("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE")
    assert aws.loopback_proxies() == {"http": "http://127.0.0.1:1"}
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://kvs.example.com")
    assert aws.loopback_proxies() is None


def test_a_refused_loopback_endpoint_is_not_retried(aws_env: dict[str, str]) -> None:
    """The store's requests go through the loopback endpoint: its refusal is the loopback
    refusal RetryWatch stops at once, not ten attempts at ACCOUNT.127.0.0.1."""
    from botocore.exceptions import EndpointConnectionError

    from amplify_tasks.kvswire import env_client
    from amplify_tasks.s3wire import from_environ

    closed = control.free_port()
    access = from_environ(env={**aws_env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"})
    assert access is not None
    wire = env_client(access, lambda: None, watch=aws.retry_watch())  # type: ignore[arg-type,return-value]
    assert wire is not None
    pauses: list[float] = []
    wire.transport.sleep = pauses.append  # type: ignore[attr-defined]
    with pytest.raises(EndpointConnectionError, match=f"127.0.0.1:{closed}"):
        wire.get_key(KvsARN="arn:aws:cloudfront::123456789012:key-value-store/x", Key="live")
    assert pauses == []
