"""An unreachable endpoint fails fast: a refused connection on loopback is not retried (the
emulator is not running), and elsewhere a line says what is being retried once a host has
failed for a few seconds (the notice's logic with an injected clock; no test leaves loopback).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

from amplify_tasks import aws
from amplify_tasks.errors import AwsError
from amplify_tasks.local import control
from amplify_tasks.retrying import RetryWatch

REMOTE = "https://cloudformation.us-east-1.amazonaws.com"
OPERATION = SimpleNamespace(name="DescribeStacks")


def refused_at(url: str) -> EndpointConnectionError:
    return EndpointConnectionError(
        endpoint_url=url, error=ConnectionRefusedError(111, "Connection refused")
    )


def unreachable(url: str) -> EndpointConnectionError:
    return EndpointConnectionError(endpoint_url=url, error=OSError(101, "Network is unreachable"))


@pytest.fixture
def nowhere(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """AWS_ENDPOINT_URL on a loopback port nothing listens on."""
    endpoint = f"http://127.0.0.1:{control.free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    return endpoint


def test_a_refused_loopback_connection_is_not_retried(nowhere: str) -> None:
    cfn = aws.client("cloudformation")
    sends: list[str] = []
    cfn.meta.events.register("before-send", lambda **kw: sends.append(kw["request"].url))
    started = time.monotonic()
    with pytest.raises(AwsError) as err, aws.translate_errors():
        cfn.describe_stacks()
    assert time.monotonic() - started < 5
    assert len(sends) == 1
    assert f"AWS_ENDPOINT_URL={nowhere}: is the emulator running?" in str(err.value)


def test_cli_with_a_wrong_endpoint_port_fails_within_seconds(nowhere: str, tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    (tmp_path / ".env.dev").write_text("HOSTING_CLOUDFRONT=false\n")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "hosting.status", "--stage", "dev"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f'error: cannot reach AWS: Could not connect to the endpoint URL: "{nowhere}/" '
        f"(AWS_ENDPOINT_URL={nowhere}: is the emulator running? try `inv local.up`)"
    ]
    assert elapsed < 5, f"{elapsed:.1f} s"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_host_failing_for_a_few_seconds_gets_one_line_saying_what_is_retried() -> None:
    clock, lines = Clock(), []
    watch = RetryWatch(10, notice_after=3.0, clock=clock, out=lines.append)
    endpoint = SimpleNamespace(host=REMOTE)
    for attempts, at in ((1, 100.0), (2, 101.0), (3, 102.9)):
        clock.now = at
        assert watch(attempts, unreachable(REMOTE), endpoint, OPERATION) is None
    assert lines == []
    clock.now = 103.2
    assert watch(4, unreachable(REMOTE), endpoint, OPERATION) is None
    assert lines == [
        f'note: Could not connect to the endpoint URL: "{REMOTE}"; retrying DescribeStacks '
        "(attempt 5 of 10, Ctrl-C stops)"
    ]
    clock.now = 110.0
    watch(5, refused_at(REMOTE), endpoint, OPERATION)  # refused off loopback: retried
    assert len(lines) == 1  # one line per host


def test_the_notice_clock_starts_again_when_the_host_answers() -> None:
    clock, lines = Clock(), []
    watch = RetryWatch(10, clock=clock, out=lines.append)
    endpoint = SimpleNamespace(host=REMOTE)
    watch(1, unreachable(REMOTE), endpoint, OPERATION)
    clock.now += 2
    watch(1, None, endpoint, OPERATION, response=({}, {}))  # an answer
    clock.now += 2
    watch(1, unreachable(REMOTE), endpoint, OPERATION)
    clock.now += 2
    watch(2, unreachable(REMOTE), endpoint, OPERATION)
    assert lines == []
    clock.now += 1.5
    watch(3, unreachable(REMOTE), endpoint, OPERATION)
    assert len(lines) == 1


def test_a_connect_timeout_is_noticed_at_once_and_the_last_attempt_not_at_all() -> None:
    lines: list[str] = []
    watch = RetryWatch(3, clock=Clock(), out=lines.append)
    timeout = ConnectTimeoutError(endpoint_url=REMOTE)
    assert watch(3, timeout, SimpleNamespace(host=REMOTE), OPERATION) is None
    assert lines == []
    assert watch(1, timeout, SimpleNamespace(host=REMOTE), OPERATION) is None
    assert lines == [
        f'note: Connect timeout on endpoint URL: "{REMOTE}"; retrying DescribeStacks '
        "(attempt 2 of 3, Ctrl-C stops)"
    ]


def test_only_a_refused_connection_on_loopback_stops_the_retries() -> None:
    watch = RetryWatch(10, clock=Clock(), out=lambda _line: None)
    local = "http://127.0.0.1:4566"
    assert watch(1, refused_at(local), SimpleNamespace(host=local), OPERATION) is False
    assert watch(1, unreachable(local), SimpleNamespace(host=local), OPERATION) is None
    assert watch(1, refused_at(REMOTE), SimpleNamespace(host=REMOTE), OPERATION) is None
