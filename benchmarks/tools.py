"""The tools the publish benchmark runs, each the way a user would run it: `inv publish` (on a
DEV stage, in place; and on a PROD stage, as releases), `aws s3 sync`, `s3cmd sync` and
`rclone sync --checksum`, and the launcher that measures one command's wall time and peak RSS.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
REGION = "us-east-1"
OURS = "amplify-tasks"
OURS_RELEASES = "amplify-tasks releases"
#: Every scenario; the release stage is measured on the two its target is about (its cold
#: publish, untimed, fills the bucket).
SCENARIOS = ("cold", "nochange", "rebuild", "prune")
RELEASE_SCENARIOS = ("nochange", "rebuild")
RCLONE_REMOTE = ":s3:bench-rclone"
RCLONE_MISSING = (
    "rclone: not installed, not measured (Debian: apt-get update && apt-get install rclone)"
)


@dataclass
class Tool:
    name: str
    bucket: str
    command: Callable[[Path, str], list[str]]
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[], None] | None = None  # makes the bucket itself (else the bench does)
    site: Path = Path()
    cwd: Path = Path()
    scenarios: tuple[str, ...] = SCENARIOS  # the ones measured


@dataclass(frozen=True)
class Endpoints:
    """Where the tools send their requests (through the proxies) and where the benchmark's
    own setup goes (straight to the servers)."""

    s3: str
    cloudformation: str
    setup: str  # the emulator itself: ours' first deploy, untimed
    s3_apart: bool  # S3 on a server of its own, not the emulator's


class ToolMaker:
    """Builds each tool's command line and environment for one benchmark run."""

    def __init__(self, work: Path, endpoints: Endpoints, base_env: dict[str, str]) -> None:
        self.work = work
        self.endpoints = endpoints
        self.base_env = base_env
        self.aws_env = self.env_for(endpoints.s3)

    def env_for(self, endpoint: str) -> dict[str, str]:
        return {
            **self.base_env,
            **CREDS,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def make(self, names: list[str]) -> list[Tool]:
        makers = {
            "ours": self.ours,
            "ours-releases": self.ours_releases,
            "aws": self.awscli,
            "s3cmd": self.s3cmd,
            "rclone": self.rclone,
        }
        tools = []
        for name in names:
            if name == "rclone" and not shutil.which("rclone"):
                print(RCLONE_MISSING)
                continue
            tools.append(makers[name]())
        return tools

    def ours(self) -> Tool:
        """A DEV stage (S3 website): the publish syncs the bucket's root in place."""
        return self._ours(OURS, "project", ["--no-cloudfront"], SCENARIOS)

    def ours_releases(self) -> Tool:
        """A stage with CloudFront, as PROD (CloudFront and its key value store on the
        emulator): every publish makes a release (HOSTING_RELEASES, on with CloudFront).
        Its smoke test is off: the emulator's CloudFront serves the emulator's S3, not
        SeaweedFS's (the DEV stage's smoke GET goes straight to the emulator's website)."""
        return self._ours(
            OURS_RELEASES,
            "project-releases",
            ["--cloudfront"],
            RELEASE_SCENARIOS,
            "HOSTING_SMOKE_TEST=false\n",
        )

    def _ours(
        self,
        name: str,
        folder: str,
        add: list[str],
        scenarios: tuple[str, ...],
        settings_extra: str = "",
    ) -> Tool:
        project = self.work / folder
        project.mkdir(exist_ok=True)
        (project / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
        # CloudFormation (the stack check of each publish), CloudFront and the key value
        # store on the emulator; S3, where it has a server of its own, there (botocore's
        # per-service endpoint variable)
        env = {**self.env_for(self.endpoints.cloudformation), "AMPLIFY_TASKS_PROGRESS": "plain"}
        if self.endpoints.s3_apart:
            env["AWS_ENDPOINT_URL_S3"] = self.endpoints.s3
        setup_env = {**self.env_for(self.endpoints.setup), "AMPLIFY_TASKS_PROGRESS": "plain"}
        inv = [sys.executable, "-m", "invoke"]

        def setup() -> None:
            def run(*args: str) -> str:
                done = subprocess.run(
                    [*inv, *args], cwd=project, env=setup_env, check=True, capture_output=True
                )
                return done.stdout.decode()

            run("hosting.add", "--stage", "bench", *add, "--yes")
            with (project / ".env.bench").open("a") as settings:
                # the prune scenario removes 5% of the files: above the default delete guard
                # (256) at scale, so the benchmark's stage allows them
                settings.write("\nHOSTING_DIST_DIR=dist\nHOSTING_MAX_DELETES=100000\n")
                settings.write(settings_extra)
            # The first deploy (untimed, all on the emulator) creates the stack and its bucket.
            run("publish", "--stage", "bench", "--skip-build", "--yes")
            status = run("hosting.status", "--stage", "bench", "--json")
            tool.bucket = json.loads(status)["outputs"]["bucket"]

        def command(site: Path, scenario: str) -> list[str]:
            return [*inv, "publish", "--stage", "bench", "--skip-build"]

        tool = Tool(name, "", command, env=env, setup=setup, scenarios=scenarios)
        tool.site, tool.cwd = project / "dist", project
        return tool

    def awscli(self) -> Tool:
        def command(site: Path, scenario: str) -> list[str]:
            cmd = [str(BIN / "aws"), "s3", "sync", str(site), "s3://bench-awscli/", "--no-progress"]
            return [*cmd, "--delete"] if scenario == "prune" else cmd

        return Tool("aws s3 sync", "bench-awscli", command, env=self.aws_env)

    def s3cmd(self) -> Tool:
        cfg = self.work / "s3cfg"
        host = self.endpoints.s3.removeprefix("http://")
        cfg.write_text(
            "[default]\n"
            f"access_key = {CREDS['AWS_ACCESS_KEY_ID']}\n"
            f"secret_key = {CREDS['AWS_SECRET_ACCESS_KEY']}\n"
            f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
            f"bucket_location = {REGION}\nsignature_v2 = False\n"
        )

        def command(site: Path, scenario: str) -> list[str]:
            cmd = [str(BIN / "s3cmd"), "-c", str(cfg), "--no-progress", "sync"]
            cmd += ["--delete-removed"] if scenario == "prune" else []
            return [*cmd, f"{site}/", "s3://bench-s3cmd/"]

        return Tool("s3cmd sync", "bench-s3cmd", command, env=self.aws_env)

    def rclone(self) -> Tool:
        env = {k: v for k, v in self.aws_env.items() if k != "AWS_CA_BUNDLE"}
        env.update(
            RCLONE_CONFIG=str(self.work / "rclone.conf"),
            RCLONE_S3_PROVIDER="Other",
            RCLONE_S3_ENDPOINT=self.endpoints.s3,
            RCLONE_S3_ACCESS_KEY_ID=CREDS["AWS_ACCESS_KEY_ID"],
            RCLONE_S3_SECRET_ACCESS_KEY=CREDS["AWS_SECRET_ACCESS_KEY"],
            RCLONE_S3_REGION=REGION,
            RCLONE_S3_FORCE_PATH_STYLE="true",
        )

        def command(site: Path, scenario: str) -> list[str]:
            return ["rclone", "sync", "--checksum", "--transfers", "16", str(site), RCLONE_REMOTE]

        return Tool("rclone sync --checksum", "bench-rclone", command, env=env)


# A small launcher process runs the command and reports its peak RSS. Measuring the
# command as our own child would count our memory too: Linux keeps the parent's high-water
# mark across fork and exec.
_LAUNCHER = (
    "import os,sys\n"
    "pid=os.fork()\n"
    "if pid==0:\n"
    "    os.execvp(sys.argv[2],sys.argv[2:])\n"
    "_,st,ru=os.wait4(pid,0)\n"
    "open(sys.argv[1],'w').write(f'{ru.ru_maxrss} {ru.ru_utime+ru.ru_stime}')\n"
    "sys.exit(os.waitstatus_to_exitcode(st))\n"
)


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    rss_mb: float  # peak RSS of the command's process
    cpu: float  # user + system CPU seconds of the command and the processes it waited for
    code: int
    tail: str  # the end of its output


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run one command under the launcher."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(rss_file), *cmd]
        start = time.perf_counter()
        proc = subprocess.run(launcher, env=env, cwd=cwd, capture_output=True, check=False)
        seconds = time.perf_counter() - start
        usage = (rss_file.read_text() if rss_file.exists() else "").split() or ["0", "0"]
    tail = (proc.stdout + proc.stderr).decode(errors="replace")[-2000:]
    return Run(seconds, int(usage[0]) / 1024, float(usage[1]), proc.returncode, tail)
