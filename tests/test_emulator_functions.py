"""CloudFront Functions on the emulator, over real HTTP: stacks of the tests' own made with a
plain boto3 create_stack, their functions' JavaScript run by the distribution's preview
(event shape, rewrites, generated responses, the key value store read live, crypto, errors,
the compute budget), and the CloudFront API's function calls (10 KB limit, If-Match,
publishing, key value store associations).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import boto3
import pytest
from botocore.exceptions import ClientError
from edge_stacks import deploy, edge_template, get, kvs_client, put

from amplify_tasks.local import control

ECHO = """function handler(event) {
  return {
    statusCode: 200,
    statusDescription: 'OK',
    headers: {'content-type': {value: 'application/json'}},
    body: JSON.stringify(event),
  };
}"""

ROUTER = """import cf from 'cloudfront';
const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  if (request.uri === '/old') {
    return {statusCode: 301, statusDescription: 'Moved Permanently',
            headers: {location: {value: '/new'}}};
  }
  if (request.uri === '/config') {
    const config = await kvs.get('config', {format: 'json'});
    return {statusCode: 200, body: config.greeting};
  }
  if (request.uri === '/missing-key') {
    try {
      await kvs.get('no-such-key');
      return {statusCode: 200, body: 'found?'};
    } catch (e) {
      return {statusCode: 404, body: 'get threw'};
    }
  }
  if (request.uri === '/meta') {
    const meta = await kvs.meta();
    return {statusCode: 200, body: JSON.stringify(
      {keys: meta.keyCount, live: await kvs.exists('live'), none: await kvs.exists('none')})};
  }
  if (request.uri === '/') {
    request.uri = '/' + (await kvs.get('live')) + '/index.html';
  }
  return request;
}"""

STAMP = """function handler(event) {
  var response = event.response;
  response.headers['x-edge'] = {value: 'viewer-response ' + event.request.uri};
  response.cookies['seen'] = {value: '1', attributes: 'Path=/'};
  return response;
}"""


@pytest.fixture
def names(unique_name: Callable[[], str]) -> tuple[str, str]:
    return unique_name(), unique_name()


def test_viewer_request_event_has_the_documented_shape(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": ECHO}))
    status, headers, body = get(
        out["url"],
        "/a/b.html?x=1&x=2&y=a%20b&flag",
        headers={"X-Custom": "v", "Cookie": "c1=v1; c2=v2"},
    )
    assert status == 200
    assert headers["content-type"] == "application/json"
    event = json.loads(body)
    assert event["version"] == "1.0"
    assert event["context"]["eventType"] == "viewer-request"
    assert event["context"]["distributionId"] == out["DistributionId"]
    assert event["context"]["distributionDomainName"].endswith(".cloudfront.net")
    assert event["viewer"] == {"ip": "127.0.0.1"}
    request = event["request"]
    assert (request["method"], request["uri"]) == ("GET", "/a/b.html")
    assert request["querystring"] == {
        "x": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}]},
        "y": {"value": "a%20b"},
        "flag": {"value": ""},
    }
    assert request["headers"]["x-custom"] == {"value": "v"}
    assert request["headers"]["host"]["value"] == out["url"].removeprefix("http://")
    assert "cookie" not in request["headers"]
    assert request["cookies"] == {"c1": {"value": "v1"}, "c2": {"value": "v2"}}
    assert "response" not in event
    # a generated response skips the origin and the headers CloudFront adds from it
    assert headers["x-cache"] == "FunctionGeneratedResponse from cloudfront"


def test_rewrite_redirect_viewer_response_and_live_key_value_store(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    template = edge_template(
        bucket, functions={"viewer-request": ROUTER, "viewer-response": STAMP}, kvs=True
    )
    out = deploy(emulator, stack, template)
    put(bucket, "r1/index.html", b"<h1>release 1</h1>")
    put(bucket, "r2/index.html", b"<h1>release 2</h1>")
    store = kvs_client(emulator)
    etag = store.describe_key_value_store(KvsARN=out["StoreArn"])["ETag"]
    etag = store.update_keys(
        KvsARN=out["StoreArn"],
        IfMatch=etag,
        Puts=[{"Key": "live", "Value": "r1"}, {"Key": "config", "Value": '{"greeting": "hi"}'}],
    )["ETag"]

    status, headers, body = get(out["url"], "/")
    assert (status, body) == (200, b"<h1>release 1</h1>")
    # the viewer-response function sees the request as the viewer sent it (AWS documents
    # it as "the actual request that CloudFront received from the viewer")
    assert headers["x-edge"] == "viewer-response /"
    assert headers["set-cookie"] == "seen=1; Path=/"

    store.put_key(KvsARN=out["StoreArn"], Key="live", Value="r2", IfMatch=etag)
    assert get(out["url"], "/")[2] == b"<h1>release 2</h1>"  # no redeploy

    status, headers, body = get(out["url"], "/old")
    assert (status, headers["location"], body) == (301, "/new", b"")
    assert "x-edge" not in headers  # a generated response goes out as it is
    assert get(out["url"], "/config")[::2] == (200, b"hi")
    assert get(out["url"], "/missing-key")[::2] == (404, b"get threw")
    assert json.loads(get(out["url"], "/meta")[2]) == {"keys": 2, "live": True, "none": False}

    # the request log shows each store call of a request, in order
    emulator.reset_requests()
    get(out["url"], "/meta")
    get(out["url"], "/missing-key")
    calls = emulator.requests("cloudfront-functions")
    assert [(c["operation"], c["key"]) for c in calls] == [
        ("meta", ""),
        ("exists", "live"),
        ("exists", "none"),
        ("get", "no-such-key"),
    ]
    assert {c["function"] for c in calls} == {f"{bucket}-viewer-request"}


def test_a_function_that_throws_answers_503(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    code = """function handler(event) {
  if (event.request.uri !== '/ok') throw new Error('boom');
  return event.request;
}"""
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": code}))
    put(bucket, "ok", b"fine")
    status, headers, body = get(out["url"], "/boom")
    assert status == 503
    assert headers["x-cache"] == "FunctionExecutionError from cloudfront"
    assert b"The CloudFront function associated with the CloudFront distribution" in body
    assert get(out["url"], "/ok")[::2] == (200, b"fine")


def test_a_function_past_its_budget_answers_503_and_the_next_request_runs(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    code = """async function handler(event) {
  await null;
  while (event.request.uri === '/spin') {}
  return event.request;
}"""
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": code}))
    put(bucket, "ok", b"fine")
    started = time.monotonic()
    assert get(out["url"], "/spin")[0] == 503
    assert time.monotonic() - started < 15
    assert get(out["url"], "/ok")[::2] == (200, b"fine")


def test_a_function_returning_nothing_usable_answers_502(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    code = (
        "function handler(event) { return {statusCode: 200, headers: {connection: {value: 'x'}}}; }"
    )
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": code}))
    status, headers, _ = get(out["url"], "/")
    assert status == 502
    assert headers["x-cache"] == "FunctionValidationError from cloudfront"


def test_crypto_querystring_and_base64_in_a_function(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    code = """import crypto from 'crypto';
import { parse } from 'querystring';
function handler(event) {
  const text = decodeURIComponent(event.request.querystring.text.value);
  const body = {
    md5: crypto.createHash('md5').update(text).digest('hex'),
    sha1: crypto.createHash('sha1').update(text).digest('base64'),
    sha256: crypto.createHash('sha256').update(text).digest('hex'),
    hmac: crypto.createHmac('sha256', 'secret').update(text).digest('base64url'),
    parsed: parse('a=1&b=x%20y&a=2'),
    b64: btoa('hello'), plain: atob('aGVsbG8='),
  };
  return {statusCode: 200, body: JSON.stringify(body)};
}"""
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": code}))
    text = "héllo wörld " * 20
    status, _, body = get(out["url"], "/?text=" + "".join(f"%{b:02X}" for b in text.encode()))
    assert status == 200
    result = json.loads(body)
    raw = text.encode()
    assert result["md5"] == hashlib.md5(raw).hexdigest()
    assert result["sha1"] == base64.b64encode(hashlib.sha1(raw).digest()).decode()
    assert result["sha256"] == hashlib.sha256(raw).hexdigest()
    mac = hmac.new(b"secret", raw, "sha256").digest()
    assert result["hmac"] == base64.urlsafe_b64encode(mac).decode().rstrip("=")
    assert result["parsed"] == {"a": ["1", "2"], "b": "x y"}
    assert (result["b64"], result["plain"]) == ("aGVsbG8=", "hello")


CONFIG = {"Comment": "test", "Runtime": "cloudfront-js-2.0"}


def test_function_code_over_10_kb_is_refused(
    aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    cf = boto3.client("cloudfront")
    name = unique_name()
    small = b"function handler(event) { return event.request; }"
    too_big = small + b"\n//" + b"x" * (10 * 1024 - len(small) - 2)
    assert len(too_big) == 10 * 1024 + 1
    with pytest.raises(ClientError) as refused:
        cf.create_function(Name=name, FunctionConfig=CONFIG, FunctionCode=too_big)
    assert refused.value.response["Error"]["Code"] == "FunctionSizeLimitExceeded"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    created = cf.create_function(Name=name, FunctionConfig=CONFIG, FunctionCode=too_big[:-1])
    with pytest.raises(ClientError, match="FunctionSizeLimitExceeded"):
        cf.update_function(
            Name=name, IfMatch=created["ETag"], FunctionConfig=CONFIG, FunctionCode=too_big
        )
    assert cf.get_function(Name=name)["FunctionCode"].read() == too_big[:-1]


def test_a_stack_with_a_function_over_10_kb_rolls_back(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    code = "function handler(event) { return event.request; }\n//" + "x" * 10240
    template = edge_template(bucket, functions={"viewer-request": code})
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Function0"]
    assert "FunctionSizeLimitExceeded" in failed[0]["ResourceStatusReason"]
    with pytest.raises(ClientError, match=r"Not Found"):
        boto3.client("s3").head_bucket(Bucket=bucket)  # what was made is gone
    assert "Outputs" not in cfn.describe_stacks(StackName=stack)["Stacks"][0]
    cfn.delete_stack(StackName=stack)
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=stack)


def test_update_and_publish_with_if_match_and_the_preview_runs_the_live_code(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    first = "function handler(e) { return {statusCode: 200, body: 'first'}; }"
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": first}))
    cf = boto3.client("cloudfront")
    name = f"{bucket}-viewer-request"
    etag = cf.describe_function(Name=name)["ETag"]
    second = b"function handler(e) { return {statusCode: 200, body: 'second'}; }"
    updated = cf.update_function(
        Name=name, IfMatch=etag, FunctionConfig=CONFIG, FunctionCode=second
    )
    with pytest.raises(ClientError, match="PreconditionFailed"):
        cf.publish_function(Name=name, IfMatch=etag)
    assert get(out["url"], "/")[2] == b"first"  # DEVELOPMENT code does not serve
    assert cf.get_function(Name=name, Stage="LIVE")["FunctionCode"].read() == first.encode()
    published = cf.publish_function(Name=name, IfMatch=updated["ETag"])
    assert published["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    assert get(out["url"], "/")[2] == b"second"


def test_key_value_store_associations_are_kept(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    out = deploy(
        emulator, stack, edge_template(bucket, functions={"viewer-request": ECHO}, kvs=True)
    )
    cf = boto3.client("cloudfront")
    config = cf.describe_function(Name=f"{bucket}-viewer-request")["FunctionSummary"][
        "FunctionConfig"
    ]
    assert config["KeyValueStoreAssociations"] == {
        "Quantity": 1,
        "Items": [{"KeyValueStoreARN": out["StoreArn"]}],
    }
    store = cf.create_key_value_store(Name=f"{bucket}-api")["KeyValueStore"]
    with_store = {
        **CONFIG,
        "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": store["ARN"]}]},
    }
    created = cf.create_function(
        Name=f"{bucket}-api", FunctionConfig=with_store, FunctionCode=ECHO.encode()
    )
    assert created["FunctionSummary"]["FunctionConfig"]["KeyValueStoreAssociations"]["Items"] == [
        {"KeyValueStoreARN": store["ARN"]}
    ]


def test_a_change_set_growing_a_function_over_10_kb_rolls_back(
    emulator: control.Emulator, aws_env: dict[str, str], names: tuple[str, str]
) -> None:
    stack, bucket = names
    small = "function handler(e) { return {statusCode: 200, body: 'small'}; }"
    out = deploy(emulator, stack, edge_template(bucket, functions={"viewer-request": small}))
    big = edge_template(bucket, functions={"viewer-request": small + "\n//" + "x" * 10240})
    cfn = boto3.client("cloudformation")
    cfn.create_change_set(
        StackName=stack, ChangeSetName="grow", ChangeSetType="UPDATE", TemplateBody=json.dumps(big)
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="grow")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert [e["LogicalResourceId"] for e in failed] == ["Function0"]
    assert "FunctionSizeLimitExceeded" in failed[0]["ResourceStatusReason"]
    assert get(out["url"], "/")[::2] == (200, b"small")  # the function is unchanged
    template = cfn.get_template(StackName=stack)["TemplateBody"]
    code = template["Resources"]["Function0"]["Properties"]["FunctionCode"]
    assert code == small
