"""Publish benchmark: `inv publish` side by side with `aws s3 sync`, `s3cmd sync` and
`rclone sync --checksum` on the same loopback emulator, with requests, bytes and peak RSS.

Run: `make bench` or `python benchmarks/publish_bench.py [--files N] [--runs R]`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sitegen import SiteSpec, prune, rebuild, write_site  # noqa: E402

from amplify_tasks.local import control  # noqa: E402
from amplify_tasks.stack.bucket import empty_bucket  # noqa: E402

SCENARIOS = ("cold", "nochange", "rebuild", "prune")
BIN = Path(sys.executable).parent
CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
REGION = "us-east-1"


@dataclass
class Measure:
    tool: str
    scenario: str
    run: int
    seconds: float
    max_rss_mb: float
    requests: dict[str, int]
    bytes_sent: int
    exit_code: int
    expected_changes: int = 0
    remote_keys: int = 0  # the site's keys in the bucket before the run

    @property
    def puts(self) -> int:
        return sum(self.requests.get(op, 0) for op in ("PutObject", "UploadPart"))


@dataclass
class Tool:
    name: str
    bucket: str
    command: Callable[[Path, str], list[str]]
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[], None] | None = None
    site: Path = Path()
    cwd: Path = Path()


# A small launcher process runs the command and reports its peak RSS. Measuring the
# command as our own child would count our memory too: Linux keeps the parent's high-water
# mark across fork and exec.
_LAUNCHER = (
    "import os,sys\n"
    "pid=os.fork()\n"
    "if pid==0:\n"
    "    os.execvp(sys.argv[2],sys.argv[2:])\n"
    "_,st,ru=os.wait4(pid,0)\n"
    "open(sys.argv[1],'w').write(str(ru.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(st))\n"
)


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall time, peak RSS (MB) of the command's process, exit code and its output tail."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(rss_file), *cmd]
        start = time.perf_counter()
        proc = subprocess.run(launcher, env=env, cwd=cwd, capture_output=True, check=False)
        seconds = time.perf_counter() - start
        rss_kb = int(rss_file.read_text() or 0) if rss_file.exists() else 0
    tail = (proc.stdout + proc.stderr).decode(errors="replace")[-2000:]
    return seconds, rss_kb / 1024, proc.returncode, tail


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.emulator = control.start(work / "state", port=args.port or None)
        self.endpoint = self.emulator.endpoint
        self.base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AWS_") and not k.startswith("HOSTING_")
        }
        self.aws_env = {
            **self.base_env,
            **CREDS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }
        self.results: list[Measure] = []

    # -- the tools ------------------------------------------------------------------
    def tools(self) -> list[Tool]:
        makers = {"ours": self.ours, "aws": self.awscli, "s3cmd": self.s3cmd, "rclone": self.rclone}
        tools = []
        for name in self.args.tools.split(","):
            if name == "rclone" and not shutil.which("rclone"):
                print("note: rclone is not installed (apt-get install rclone); skipped")
                continue
            tools.append(makers[name]())
        return tools

    def ours(self) -> Tool:
        project = self.work / "project"
        project.mkdir(exist_ok=True)
        (project / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
        env = {**self.aws_env, "AMPLIFY_TASKS_PROGRESS": "plain"}

        def setup() -> None:
            inv = [sys.executable, "-m", "invoke"]
            add = [*inv, "hosting.add", "--stage", "bench", "--no-cloudfront", "--yes"]
            subprocess.run(add, cwd=project, env=env, check=True, capture_output=True)
            with (project / ".env.bench").open("a") as settings:
                # the prune scenario removes 5% of the files: above the default delete guard
                # (256) at scale, so the benchmark's stage allows them
                settings.write("\nHOSTING_DIST_DIR=dist\nHOSTING_MAX_DELETES=100000\n")
            # The first deploy (untimed) creates the stack and its bucket.
            first = [*inv, "publish", "--stage", "bench", "--skip-build", "--yes"]
            subprocess.run(first, cwd=project, env=env, check=True, capture_output=True)
            status = [*inv, "hosting.status", "--stage", "bench", "--json"]
            out = subprocess.run(
                status, cwd=project, env=env, check=True, capture_output=True, text=True
            )
            tool.bucket = json.loads(out.stdout)["outputs"]["bucket"]

        def command(site: Path, scenario: str) -> list[str]:
            return [sys.executable, "-m", "invoke", "publish", "--stage", "bench", "--skip-build"]

        tool = Tool("amplify-tasks", "", command, env=env, setup=setup)
        tool.site, tool.cwd = project / "dist", project
        return tool

    def awscli(self) -> Tool:
        def command(site: Path, scenario: str) -> list[str]:
            cmd = [str(BIN / "aws"), "s3", "sync", str(site), "s3://bench-awscli/", "--no-progress"]
            return [*cmd, "--delete"] if scenario == "prune" else cmd

        return Tool("aws s3 sync", "bench-awscli", command, env=self.aws_env)

    def s3cmd(self) -> Tool:
        cfg = self.work / "s3cfg"
        host = self.endpoint.removeprefix("http://")
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
            RCLONE_S3_ENDPOINT=self.endpoint,
            RCLONE_S3_ACCESS_KEY_ID=CREDS["AWS_ACCESS_KEY_ID"],
            RCLONE_S3_SECRET_ACCESS_KEY=CREDS["AWS_SECRET_ACCESS_KEY"],
            RCLONE_S3_REGION=REGION,
            RCLONE_S3_FORCE_PATH_STYLE="true",
        )

        def command(site: Path, scenario: str) -> list[str]:
            return [
                "rclone",
                "sync",
                "--checksum",
                "--transfers",
                "16",
                str(site),
                ":s3:bench-rclone",
            ]

        return Tool("rclone sync --checksum", "bench-rclone", command, env=env)

    # -- the scenarios ------------------------------------------------------------------
    def s3(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, **_boto_creds())

    def empty_bucket(self, bucket: str) -> None:
        """Every object version and delete marker, as `hosting.remove` empties a bucket."""
        empty_bucket(self.s3(), bucket)

    def measure(
        self, tool: Tool, scenario: str, run: int, expected: int, remote_keys: int = 0
    ) -> Measure:
        self.emulator.reset_requests()
        seconds, rss, code, tail = run_measured(
            tool.command(tool.site, scenario), tool.env, tool.cwd
        )
        records = self.emulator.requests()
        ops = Counter(
            r["operation"]
            for r in records
            if r.get("service") == "s3" and r.get("bucket") in (tool.bucket, None)
        )
        other = Counter(r["operation"] for r in records if r.get("service") not in ("s3", None))
        sent = sum(int(r.get("bytes") or 0) for r in records)
        m = Measure(
            tool.name,
            scenario,
            run,
            seconds,
            rss,
            dict(ops + other),
            sent,
            code,
            expected,
            remote_keys,
        )
        if code != 0:
            print(f"  ! {tool.name} {scenario} exited {code}: {tail.strip()[-400:]}")
        print(
            f"  {tool.name:24} {scenario:9} run {run}: {seconds:6.2f}s "
            f"puts={m.puts:5} rss={rss:6.1f}MB bytes={sent}"
        )
        self.results.append(m)
        return m

    def prepare(self, tools: list[Tool], spec: SiteSpec) -> None:
        """Each tool gets the same site in a folder of its own, and its bucket."""
        for tool in tools:
            if tool.cwd == Path():
                tool.cwd = self.work / tool.bucket
            if tool.site == Path():
                tool.site = tool.cwd / "dist"
            write_site(tool.site, spec)
            if tool.setup is not None:
                tool.setup()
            else:
                self.s3().create_bucket(Bucket=tool.bucket)

    def run_all(self, tools: list[Tool]) -> None:
        """Every scenario, run by run, the tools taking turns within a run, so that a slow
        spell of the machine falls on all of them alike. The trees change the same way
        (same seeds) for every tool."""
        for run in range(self.args.runs):
            for tool in tools:
                self.empty_bucket(tool.bucket)
                self.measure(tool, "cold", run, len(list(tool.site.rglob("*.*"))))
        for run in range(self.args.runs):
            for tool in tools:
                self.measure(tool, "nochange", run, 0, _count(tool.site))
        for run in range(self.args.runs):
            for tool in tools:
                keys = _count(tool.site)
                changed = rebuild(tool.site, 0.01, seed=100 + run)
                self.measure(tool, "rebuild", run, len(changed), keys)
        for run in range(self.args.runs):
            for tool in tools:
                keys = _count(tool.site)
                gone = prune(tool.site, 0.05, seed=200 + run)
                self.measure(tool, "prune", run, len(gone), keys)


def _count(site: Path) -> int:
    return sum(1 for p in site.rglob("*") if p.is_file())


#: Our fixed reads per publish besides the listing pages: one one-key listing request (it
#: brings the header manifest's ETag), and on CloudFormation one DescribeStacks (the bucket's
#: listing starts while the stack is checked, from the same DescribeStacks) and one GetTemplate.
FIXED_S3_READS = 1
FIXED_CFN_READS = {"DescribeStacks": 1, "GetTemplate": 1}


def minimum_s3_requests(m: Measure) -> int:
    """Listing pages + one PUT per changed file + ceil(deleted / 1000) DeleteObjects + ours."""
    pages = max(1, math.ceil(m.remote_keys / 1000))
    puts = m.expected_changes if m.scenario == "rebuild" else 0
    deletes = math.ceil(m.expected_changes / 1000) if m.scenario == "prune" else 0
    return pages + puts + deletes + FIXED_S3_READS


def _boto_creds() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDS["AWS_SECRET_ACCESS_KEY"],
    }


def median(results: list[Measure], tool: str, scenario: str, attr: str) -> float:
    values = [getattr(m, attr) for m in results if m.tool == tool and m.scenario == scenario]
    return statistics.median(values) if values else math.nan


def report(results: list[Measure], files: int) -> list[tuple[str, bool, str]]:
    tools = list(dict.fromkeys(m.tool for m in results))
    peers = [t for t in tools if t != "amplify-tasks"]
    print(f"\nmedian wall time, {files} files (ratio = amplify-tasks / peer)\n")
    header = f"{'scenario':9} | " + " | ".join(f"{t:>24}" for t in tools)
    print(header)
    print("-" * len(header))
    for sc in SCENARIOS:
        ours = median(results, "amplify-tasks", sc, "seconds")
        cells = []
        for t in tools:
            v = median(results, t, sc, "seconds")
            puts = median(results, t, sc, "puts")
            cell = f"{v:6.2f}s {int(puts):5}P"
            if t != "amplify-tasks" and v:
                cell += f" x{ours / v:4.2f}"
            cells.append(f"{cell:>24}")
        print(f"{sc:9} | " + " | ".join(cells))
    print()
    checks: list[tuple[str, bool, str]] = []
    best = {
        sc: min((median(results, t, sc, "seconds") for t in peers), default=math.nan)
        for sc in SCENARIOS
    }
    for sc, label in (("rebuild", "rebuild"), ("nochange", "no change"), ("cold", "cold")):
        ours = median(results, "amplify-tasks", sc, "seconds")
        detail = f"{ours:.2f}s vs {best[sc]:.2f}s"
        checks.append((f"{label}: <= 1.0x best peer", ours <= best[sc], detail))
    ours_rebuild = [m for m in results if m.tool == "amplify-tasks" and m.scenario == "rebuild"]
    checks.append(
        (
            "rebuild: PUTs == changed files",
            all(m.puts == m.expected_changes for m in ours_rebuild),
            ", ".join(f"{m.puts}/{m.expected_changes}" for m in ours_rebuild),
        )
    )
    ours_nochange = [m for m in results if m.tool == "amplify-tasks" and m.scenario == "nochange"]
    checks.append(("no change: zero PUTs", all(m.puts == 0 for m in ours_nochange), ""))
    warm = [
        m
        for m in results
        if m.tool == "amplify-tasks" and m.scenario in ("nochange", "rebuild", "prune")
    ]
    s3_ops = ("ListObjectsV2", "PutObject", "UploadPart", "CopyObject", "GetObject")
    s3_ops += ("HeadObject", "DeleteObjects", "DeleteObject", "CreateMultipartUpload")
    got = [sum(m.requests.get(op, 0) for op in s3_ops) for m in warm]
    want = [minimum_s3_requests(m) for m in warm]
    cfn_ok = all(all(m.requests.get(k, 0) == v for k, v in FIXED_CFN_READS.items()) for m in warm)
    checks.append(
        (
            "requests: S3 at the minimum, CloudFormation reads fixed",
            got == want and cfn_ok,
            f"S3 {got} vs minimum {want}; CloudFormation {FIXED_CFN_READS} each run: {cfn_ok}",
        )
    )
    rss = max((m.max_rss_mb for m in results if m.tool == "amplify-tasks"), default=math.nan)
    checks.append(("memory: peak RSS <= 150 MB", rss <= 150, f"{rss:.1f} MB"))
    for name, ok, detail in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {name} {detail}")
    return checks


def scale_checks(
    results: list[Measure], files: int, baseline: dict[str, Any]
) -> list[tuple[str, bool, str]]:
    """Each scenario of ours at this size takes at most 10x its time at the baseline's."""
    base = [Measure(**{k: v for k, v in r.items() if k != "puts"}) for r in baseline["results"]]
    checks = []
    for sc in SCENARIOS:
        now = median(results, "amplify-tasks", sc, "seconds")
        then = median(base, "amplify-tasks", sc, "seconds")
        ratio = now / then if then else math.nan
        label = f"scale: {sc} at {files} files <= 10x {baseline['files']}"
        checks.append((label, ratio <= 10, f"{now:.2f}s / {then:.2f}s = x{ratio:.1f}"))
    for name, ok, detail in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {name} {detail}")
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="files in the synthetic site")
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--tools", default="ours,aws,s3cmd,rclone", help="comma-separated")
    parser.add_argument("--port", type=int, default=0, help="emulator port (0: a free one)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results" / "publish.json", help="raw figures (JSON)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="raw figures of a 2,000-file run: check the scale target against them",
    )
    args = parser.parse_args(argv)
    spec = SiteSpec(files=args.files, target_bytes=int(45_000_000 * args.files / 2000))
    with tempfile.TemporaryDirectory(prefix="amplify-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        try:
            tools = bench.tools()
            bench.prepare(tools, spec)
            bench.run_all(tools)
        finally:
            control.stop(Path(tmp) / "state")
    checks = report(bench.results, args.files)
    if args.baseline is not None:
        checks += scale_checks(bench.results, args.files, json.loads(args.baseline.read_text()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "files": args.files,
                "results": [asdict(m) | {"puts": m.puts} for m in bench.results],
                "targets": [{"target": n, "met": ok, "detail": d} for n, ok, d in checks],
            },
            indent=2,
        )
    )
    print(f"\nraw figures: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
