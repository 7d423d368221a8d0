"""Shared fixtures: one loopback emulator per test session, an AWS environment pointing at
it, unique resource names, and a temp project that runs `inv` as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from amplify_tasks.local import control

#: Environment variables that would steer boto3 away from the emulator or its dummy keys.
_AWS_VARS_TO_DROP = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CA_BUNDLE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[control.Emulator]:
    """One emulator for the whole session on a free loopback port; always stopped."""
    state_dir = tmp_path_factory.mktemp("emulator-state")
    emu = control.start(state_dir, control.free_port())
    try:
        emu.add_credentials("testing", "testing")  # the key value store verifies signatures
        yield emu
    finally:
        control.stop(state_dir)


@pytest.fixture
def aws_env(
    emulator: control.Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any
) -> dict[str, str]:
    """Point boto3 (in this process and in subprocesses) at the emulator with dummy keys."""
    for name in _AWS_VARS_TO_DROP:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.mktemp("aws-config")
    values = {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "XDG_CACHE_HOME": str(empty / "cache"),  # the rendered-template records
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """A factory of unique lowercase names: ``unique_name()`` -> ``t-1a2b3c4d5e``."""

    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


@dataclass
class InvProject:
    """A temp project whose tasks.py imports our namespace; ``run`` calls `inv` there."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def add_stage(self, stage: str, app_name: str, files: dict[str, str]) -> InvProject:
        """Write ``files``, then `inv hosting.add --stage STAGE --yes` for app ``app_name``,
        with plain progress output and no smoke test."""
        self.env["HOSTING_APP_NAME"] = app_name
        self.env["AMPLIFY_TASKS_PROGRESS"] = "plain"
        self.env["HOSTING_SMOKE_TEST"] = "false"
        for rel, text in files.items():
            self.write(rel, text)
        self.run("hosting.add", "--stage", stage, "--yes")
        return self

    def run(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        timeout: float = 240,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=self.root,
            env=self.env,
            input=input,
            text=True,
            capture_output=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"inv {' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result


@pytest.fixture
def inv_project(tmp_path: Path, aws_env: dict[str, str]) -> InvProject:
    """A temp project (tasks.py = our namespace) with the emulator's AWS environment."""
    project = InvProject(root=tmp_path / "project", env=dict(aws_env))
    project.write("tasks.py", "from amplify_tasks import namespace as ns\n")
    return project


@pytest.fixture(autouse=True)
def _no_stage_lock_outlives_its_test() -> Iterator[None]:
    """A stage lock's heartbeat left running would keep writing to its bucket during later
    tests: every test gives back the locks it took."""
    import threading

    before = {t for t in threading.enumerate() if t.name == "stage-lock"}
    yield
    left = [
        t
        for t in threading.enumerate()
        if t.name == "stage-lock" and t.is_alive() and t not in before
    ]
    assert not left, f"{len(left)} stage lock heartbeat(s) still running after the test"
