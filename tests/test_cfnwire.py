"""The stack check without botocore (amplify_tasks.cfnwire, s3wire.environ): over real HTTP
against the emulator, DescribeStacks and GetTemplate answer what botocore's client answers,
refusals are botocore's ClientErrors and the same one-line errors, requests are signed as
botocore signs them, throttling is retried; the environment decides when botocore is not
needed, and a no-change `inv publish` with the environment's credentials never loads it.
"""

from __future__ import annotations

import http.server
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from amplify_tasks import aws
from amplify_tasks.cfnwire import WireCloudFormation, env_client
from amplify_tasks.errors import AwsError
from amplify_tasks.s3wire import Credentials, Endpoint, Signer, Transport, from_environ
from amplify_tasks.stack.events import describe
from tests.loopback_server import serving_on_loopback
from tests.stacks import website_template
from tests.test_publish_imports import NOT_ON_A_PUBLISH, imported


def wire_cfn(botocore: Any = None) -> WireCloudFormation:
    access = from_environ()
    assert access is not None, "the emulator's environment is enough for the wire client"
    made = env_client(access, lambda: botocore)
    assert isinstance(made, WireCloudFormation)
    return made


@pytest.fixture
def stack(aws_env: dict[str, str], unique_name: Callable[[str], str]) -> Iterator[str]:
    """A stack (one website bucket) created through botocore's client; deleted after."""
    cfn = aws.client("cloudformation")
    name = unique_name("cfnwire")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(website_template(name)),
        Parameters=[],
        Tags=[{"Key": "app", "Value": "x"}],
    )
    try:
        yield name
    finally:
        cfn.delete_stack(StackName=name)


def without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_describe_stacks_answers_what_botocore_answers(stack: str) -> None:
    botocore = aws.client("cloudformation")
    mine = wire_cfn().describe_stacks(StackName=stack)
    theirs = botocore.describe_stacks(StackName=stack)
    assert without_metadata(mine) == without_metadata(dict(theirs))
    found = mine["Stacks"][0]  # type: ignore[index]
    assert found["StackName"] == stack and found["Outputs"][0]["OutputKey"] == "WebsiteURL"
    assert isinstance(found["EnableTerminationProtection"], bool)
    assert found["CreationTime"].tzinfo is not None
    assert mine["ResponseMetadata"]["HTTPStatusCode"] == 200  # type: ignore[index]


def test_get_template_decodes_json_as_botocore_does(stack: str) -> None:
    botocore = aws.client("cloudformation")
    mine = wire_cfn().get_template(StackName=stack, TemplateStage="Original")
    theirs = botocore.get_template(StackName=stack, TemplateStage="Original")
    assert without_metadata(mine) == without_metadata(dict(theirs))
    assert mine["TemplateBody"] == website_template(stack)


def test_a_missing_stack_is_botocores_client_error(aws_env: dict[str, str]) -> None:
    cfn = wire_cfn()
    assert describe(cfn, "no-such-stack-here") is None  # type: ignore[arg-type]
    with pytest.raises(ClientError) as mine:
        cfn.get_template(StackName="no-such-stack-here")
    with pytest.raises(ClientError) as theirs:
        aws.client("cloudformation").get_template(StackName="no-such-stack-here")
    for key in ("Code", "Message", "Type"):
        assert mine.value.response["Error"].get(key) == theirs.value.response["Error"].get(key)
    assert mine.value.operation_name == "GetTemplate"
    lines = []
    for exc in (mine.value, theirs.value):
        with pytest.raises(AwsError) as error, aws.translate_errors():
            raise exc
        lines.append(str(error.value))
    assert lines[0] == lines[1] and "\n" not in lines[0]


def test_other_calls_and_arguments_go_to_botocore(stack: str) -> None:
    made: list[int] = []
    botocore = aws.client("cloudformation")

    def factory() -> Any:
        made.append(1)
        return botocore

    cfn = WireCloudFormation(wire_cfn().transport, factory)
    cfn.describe_stacks(StackName=stack)
    assert not made
    with pytest.raises(ParamValidationError):  # botocore's check: botocore sent it
        cfn.describe_stacks(StackName=stack, NextToken="")
    assert made == [1]
    assert "StackSummaries" in cfn.list_stacks()  # type: ignore[operator]
    assert made == [1]  # made once


def test_requests_are_signed_as_botocore_signs_them() -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    date = "20261203T091500Z"
    body = b"Action=DescribeStacks&Version=2010-05-15&StackName=a%2Fb"
    headers = {
        "Host": "cloudformation.eu-west-1.amazonaws.com",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    }
    creds = Credentials("AKID", "secret", "token/+=")
    mine = dict(headers)
    import hashlib

    payload = hashlib.sha256(body).hexdigest()
    Signer("eu-west-1", "cloudformation").sign("POST", "/", {}, mine, creds, date, payload)
    request = AWSRequest(
        method="POST",
        url="https://cloudformation.eu-west-1.amazonaws.com/",
        data=body,
        headers=dict(headers),
    )
    request.context["timestamp"] = date
    signer = SigV4Auth(BotoCredentials("AKID", "secret", "token/+="), "cloudformation", "eu-west-1")
    request.headers["X-Amz-Date"] = date
    request.headers["X-Amz-Security-Token"] = "token/+="
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    assert mine["Authorization"].endswith(f"Signature={signature}")
    assert "X-Amz-Content-SHA256" not in mine  # botocore sends it to S3 only


class Throttling(http.server.BaseHTTPRequestHandler):
    """Answers Throttling (query protocol) to the first request, then a DescribeStacks."""

    seen: list[str] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self.seen.append(self.headers.get("Authorization", ""))
        ns = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"'
        if len(self.seen) == 1:
            status, body = (
                400,
                (
                    f"<ErrorResponse {ns}><Error><Type>Sender</Type><Code>Throttling</Code>"
                    "<Message>Rate exceeded</Message></Error>"
                    "<RequestId>r1</RequestId></ErrorResponse>"
                ),
            )
        else:
            status, body = (
                200,
                (
                    f"<DescribeStacksResponse {ns}><DescribeStacksResult><Stacks><member>"
                    "<StackName>s</StackName><StackStatus>CREATE_COMPLETE</StackStatus>"
                    "<Outputs/></member></Stacks></DescribeStacksResult><ResponseMetadata>"
                    "<RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>"
                ),
            )
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


def test_throttling_is_retried_and_each_attempt_signed() -> None:
    Throttling.seen = []
    pauses: list[float] = []
    with serving_on_loopback(Throttling) as url:
        endpoint = Endpoint("http", url.removeprefix("http://"), "", "us-east-1", True)
        transport = Transport(
            endpoint,
            lambda: Credentials("a", "b"),
            max_pool=2,
            sleep=pauses.append,
            service="cloudformation",
        )
        answer = WireCloudFormation(transport, lambda: None).describe_stacks(StackName="s")  # type: ignore[arg-type,return-value]
    assert answer["Stacks"] == [{"StackName": "s", "StackStatus": "CREATE_COMPLETE", "Outputs": []}]
    assert answer["ResponseMetadata"]["RequestId"] == "r2"  # type: ignore[index]
    assert len(Throttling.seen) == 2 and len(pauses) == 1
    assert all("/cloudformation/aws4_request" in a for a in Throttling.seen)


BASE = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "eu-west-1"}


def test_the_environment_decides_when_botocore_is_not_needed(tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {**BASE, "AWS_CONFIG_FILE": str(config)}
    access = from_environ(env=env)
    assert access is not None and access.credentials == Credentials("a", "b", None)
    cfn = access.endpoint("cloudformation")
    assert cfn is not None and (cfn.scheme, cfn.netloc, cfn.region) == (
        "https",
        "cloudformation.eu-west-1.amazonaws.com",
        "eu-west-1",
    )
    s3 = access.endpoint("s3")
    assert s3 is not None and s3.netloc == "s3.eu-west-1.amazonaws.com" and not s3.path_style
    # the stack's region first, then AWS_REGION, then AWS_DEFAULT_REGION
    assert from_environ("us-west-2", env=env).region == "us-west-2"  # type: ignore[union-attr]
    del env["AWS_REGION"]
    assert from_environ(env={**env, "AWS_DEFAULT_REGION": "ap-south-1"}).region == "ap-south-1"  # type: ignore[union-attr]
    # a session token, per-service endpoints before the shared one, unless ignored
    env = {
        **BASE,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SESSION_TOKEN": "t",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9/",
        "AWS_ENDPOINT_URL_S3": "http://localhost:8333",
    }
    access = from_environ(env=env)
    assert access is not None and access.credentials.token == "t"
    assert access.endpoint("s3").netloc == "localhost:8333"  # type: ignore[union-attr]
    assert access.endpoint("cloudformation").netloc == "127.0.0.1:9"  # type: ignore[union-attr]
    ignored = from_environ(env={**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})
    assert ignored.endpoint("s3").netloc == "s3.eu-west-1.amazonaws.com"  # type: ignore[union-attr]
    # a harmless shared config keeps the wire; anything more leaves it to botocore
    config.write_text("[default]\nregion = us-east-1\noutput = json\n[profile other]\nx = 1\n")
    assert from_environ(env={**BASE, "AWS_CONFIG_FILE": str(config)}) is not None
    config.write_text("[default]\nendpoint_url = http://127.0.0.1:1\n")
    assert from_environ(env={**BASE, "AWS_CONFIG_FILE": str(config)}) is None
    config.unlink()


@pytest.mark.parametrize(
    "change",
    [
        {"AWS_SECRET_ACCESS_KEY": ""},
        {"AWS_ACCESS_KEY_ID": ""},
        {"AWS_REGION": ""},
        {"AWS_PROFILE": "dev"},
        {"AWS_USE_FIPS_ENDPOINT": "true"},
        {"AWS_CA_BUNDLE": "/etc/ssl/x.pem"},
        {"AWS_CREDENTIAL_EXPIRATION": "2026-12-03T10:00:00Z"},
    ],
)
def test_what_the_environment_does_not_settle_is_botocores(
    change: dict[str, str], tmp_path: Path
) -> None:
    env = {**BASE, "AWS_CONFIG_FILE": str(tmp_path / "none"), **change}
    assert from_environ(env=env) is None


def test_outside_the_commercial_partition_botocore_sends_the_stack_check(tmp_path: Path) -> None:
    env = {**BASE, "AWS_REGION": "cn-north-1", "AWS_CONFIG_FILE": str(tmp_path / "none")}
    access = from_environ(env=env)
    assert access is not None and access.endpoint("cloudformation") is None
    assert access.endpoint("s3") is None


#: botocore.exceptions (3 ms: the error types the tool catches) and what it imports.
ERROR_TYPES_ONLY = {
    "botocore",
    "botocore.exceptions",
    "botocore.vendored",
    "botocore.vendored.requests",
    "botocore.vendored.requests.exceptions",
    "botocore.vendored.requests.packages",
    "botocore.vendored.requests.packages.urllib3",
    "botocore.vendored.requests.packages.urllib3.exceptions",
}


def loaded_botocore(stderr: str) -> list[str]:
    """The botocore modules `-X importtime` (PYTHONPROFILEIMPORTTIME) saw imported."""
    names = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name.split(".")[0] in ("botocore", "awscrt", "urllib3", "boto3"):
                names.append(name)
    return names


def test_a_no_change_publish_with_env_credentials_never_loads_botocore(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.add_stage("dev", unique_name("nb"), {"dist/index.html": "<h1>hi</h1>"})
    inv_project.run("publish", "--stage", "dev", "--skip-build")
    inv_project.env["PYTHONPROFILEIMPORTTIME"] = "1"
    again = inv_project.run("publish", "--stage", "dev", "--skip-build")
    inv_project.env.pop("PYTHONPROFILEIMPORTTIME")
    # not even botocore.exceptions: the error types are imported once a request failed
    assert loaded_botocore(again.stderr) == []
    # nor our modules it does not call (what it calls is seen: the list is a real one)
    seen = imported(again.stderr)
    assert {"amplify_tasks.stack.deploy", "amplify_tasks.routing.files"} <= seen
    assert seen & NOT_ON_A_PUBLISH == set()
    # with a profile named, botocore finds everything, as before
    inv_project.env["AWS_PROFILE"] = "default"
    inv_project.write(".aws-config", "[default]\nregion = us-east-1\n")
    inv_project.env["AWS_CONFIG_FILE"] = str(inv_project.root / ".aws-config")
    inv_project.env["PYTHONPROFILEIMPORTTIME"] = "1"
    profiled = inv_project.run("publish", "--stage", "dev", "--skip-build")
    assert "botocore.session" in loaded_botocore(profiled.stderr)
