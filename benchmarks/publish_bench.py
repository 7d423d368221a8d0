"""Publish benchmark: `inv publish` side by side with `aws s3 sync`, `s3cmd sync` and
`rclone sync --checksum`, on the loopback emulator (moto) or with S3 on SeaweedFS, behind a
proxy that adds a fixed delay to each request and counts them; with peak RSS and bytes.

Run: `make bench`, or `python benchmarks/publish_bench.py [--server moto|seaweedfs]
[--latency-ms N] [--files N] [--runs R] [--tools ours,aws,s3cmd,rclone] [--history N]`
(``--history 10``: the rebuilds of a release stage that keeps 10 releases already).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from product import PACKAGE, control, empty_bucket, is_fingerprinted  # noqa: E402  (the product code used, in one place)
from proxy import DelayProxy  # noqa: E402
from report import (  # noqa: E402
    Measure,
    print_checks,
    request_table,
    scale_checks,
    table,
    targets,
)
from servers import SeaweedFS  # noqa: E402
from sitegen import SiteSpec, prune, rebuild, write_site  # noqa: E402
from tools import CREDS, REGION, Endpoints, Tool, ToolMaker, run_measured  # noqa: E402

#: The synthetic site's default size (bytes at 2,000 files, scaled with --files) and the
#: files above the multipart threshold in it, by server.
SITE_BYTES = {"moto": 45_000_000, "seaweedfs": 20_000_000}
LARGE_FILES = {"moto": 2, "seaweedfs": 1}


class Servers:
    """The emulator (CloudFormation, and S3 for --server moto), SeaweedFS for S3 where asked,
    and a delaying, counting proxy in front of each; all stopped when the stack closes."""

    def __init__(self, args: argparse.Namespace, work: Path, stack: contextlib.ExitStack) -> None:
        state = work / "state"
        self.emulator = control.start(state, port=args.port or None)
        stack.callback(control.stop, state)
        self.proxies = [self._proxy(stack, self.emulator.port, args.latency_ms, "emulator")]
        self.s3_direct = self.emulator.endpoint
        if args.server == "seaweedfs":
            creds = CREDS["AWS_ACCESS_KEY_ID"], CREDS["AWS_SECRET_ACCESS_KEY"]
            weed = stack.enter_context(SeaweedFS(work / "seaweedfs", *creds))
            self.proxies.append(self._proxy(stack, weed.s3_port, args.latency_ms, "seaweedfs"))
            self.s3_direct = weed.endpoint
        self.endpoints = Endpoints(
            s3=self.proxies[-1].endpoint,
            cloudformation=self.proxies[0].endpoint,
            setup=self.emulator.endpoint,
            s3_apart=args.server != "moto",
        )

    @staticmethod
    def _proxy(stack: contextlib.ExitStack, port: int, delay: float, name: str) -> DelayProxy:
        return stack.enter_context(DelayProxy(port, delay, name))

    def reset(self) -> None:
        for proxy in self.proxies:
            proxy.reset()

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for proxy in self.proxies:
            total.update(proxy.counts())
        return dict(total)

    def bytes_received(self) -> int:
        return sum(proxy.bytes_received() for proxy in self.proxies)

    def s3(self) -> Any:
        """An S3 client for the benchmark's own setup: straight to the server, no delay."""
        import botocore.session

        return botocore.session.Session().create_client(
            "s3",
            endpoint_url=self.s3_direct,
            region_name=REGION,
            aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"],
        )


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, servers: Servers) -> None:
        self.args = args
        self.work = work
        self.servers = servers
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HOSTING_"))}
        compile_package()
        self.maker = ToolMaker(work, servers.endpoints, base_env)
        self.results: list[Measure] = []

    def tools(self) -> list[Tool]:
        return self.maker.make(self.args.tools.split(","))

    def measure(
        self,
        tool: Tool,
        scenario: str,
        number: int,
        expected: int,
        remote_keys: int = 0,
        copies: int = 0,
    ) -> Measure:
        self.servers.reset()
        proxy_cpu = time.process_time()  # this process does nothing but the proxies meanwhile
        run = run_measured(tool.command(tool.site, scenario), tool.env, tool.cwd)
        m = Measure(
            tool=tool.name,
            scenario=scenario,
            run=number,
            seconds=run.seconds,
            max_rss_mb=run.rss_mb,
            requests=self.servers.counts(),
            bytes_sent=self.servers.bytes_received(),
            exit_code=run.code,
            expected_changes=expected,
            remote_keys=remote_keys,
            expected_copies=copies,
            cpu_seconds=run.cpu,
            proxy_cpu=time.process_time() - proxy_cpu,
        )
        if run.code != 0:
            print(f"  ! {tool.name} {scenario} exited {run.code}: {run.tail.strip()[-400:]}")
        print(
            f"  {tool.name:24} {scenario:9} run {number}: {m.seconds:6.2f}s "
            f"cpu={m.cpu_seconds:5.2f}s puts={m.puts:5} requests={m.s3_requests:5} "
            f"rss={m.max_rss_mb:6.1f}MB proxy cpu={m.proxy_cpu:4.2f}s",
            flush=True,
        )
        self.results.append(m)
        return m

    def prepare(self, tools: list[Tool], spec: SiteSpec) -> None:
        """Each tool gets its bucket, and the same site in a folder of its own. Our first
        deploy (untimed) runs on a one-page site: the cold runs empty the buckets anyway."""
        s3 = self.servers.s3()
        for tool in tools:
            if tool.cwd == Path():
                tool.cwd = self.work / tool.bucket
            if tool.site == Path():
                tool.site = tool.cwd / "dist"
            tool.site.mkdir(parents=True, exist_ok=True)
            (tool.site / "index.html").write_text("<!doctype html><title>first deploy</title>")
            if tool.setup is not None:
                tool.setup()
            if tool.setup is None or self.servers.endpoints.s3_apart:
                s3.create_bucket(Bucket=tool.bucket)
            write_site(tool.site, spec)

    def empty(self, bucket: str) -> None:
        """Every object version and delete marker, as `hosting.remove` empties a bucket."""
        empty_bucket(self.servers.s3(), bucket)

    def run_all(self, tools: list[Tool]) -> None:
        """Every scenario, run by run, the tools taking turns within a run, so that a slow
        spell of the machine falls on all of them alike. The trees change the same way
        (same seeds) for every tool. A tool that does not measure the cold publish still
        makes one, untimed, on its first run."""
        for run in range(self.args.runs):
            for tool in tools:
                if "cold" in tool.scenarios or run == 0:
                    self.empty(tool.bucket)
                if "cold" in tool.scenarios:
                    self.measure(tool, "cold", run, _count(tool.site))
                elif run == 0:
                    self.fill(tool)
        for run in range(self.args.runs):
            for tool in _measuring(tools, "nochange"):
                self.measure(tool, "nochange", run, 0, _count(tool.site))
        for n in range(self.args.history):  # untimed publishes: a stage with a history
            for tool in tools:
                rebuild(tool.site, 0.01, seed=900 + n)
                self.fill(tool)
        for run in range(self.args.runs):
            for tool in tools:
                keys = _count(tool.site)
                changed = rebuild(tool.site, 0.01, seed=100 + run)
                if "rebuild" in tool.scenarios:
                    copies = unchanged_release_files(tool.site, changed)
                    self.measure(tool, "rebuild", run, len(changed), keys, copies)
                else:  # the tree changes all the same: the next scenarios start alike
                    self.fill(tool)
        for run in range(self.args.runs):
            for tool in _measuring(tools, "prune"):
                keys = _count(tool.site)
                gone = prune(tool.site, 0.05, seed=200 + run)
                self.measure(tool, "prune", run, len(gone), keys)

    def fill(self, tool: Tool) -> None:
        """An untimed publish of the tool's tree."""
        run = run_measured(tool.command(tool.site, "cold"), tool.env, tool.cwd)
        print(f"  {tool.name:24} untimed publish: {run.seconds:6.2f}s, exit {run.code}", flush=True)
        if run.code != 0:
            raise RuntimeError(f"{tool.name}: the untimed publish failed: {run.tail[-400:]}")


def _measuring(tools: list[Tool], scenario: str) -> list[Tool]:
    return [tool for tool in tools if scenario in tool.scenarios]


def unchanged_release_files(site: Path, changed: list[str]) -> int:
    """The files a release copies from the live one: not fingerprinted (those stay in the
    pool), bytes unchanged."""
    gone = set(changed)
    keys = (p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    return sum(1 for key in keys if not is_fingerprinted(key) and key not in gone)


def compile_package() -> None:
    """Byte-compile our package, as pip does when it installs a wheel (the peers' packages
    were). An editable install has no bytecode, and invoke (`sys.dont_write_bytecode`
    unless --write-pyc) writes none: every publish would compile the whole package again,
    ~90 ms of CPU that an installed wheel never pays."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True, capture_output=True
    )


def _count(site: Path) -> int:
    return sum(1 for p in site.rglob("*") if p.is_file())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--server",
        choices=("moto", "seaweedfs"),
        default="moto",
        help="the S3 server: the emulator (moto), or SeaweedFS with CloudFormation on the emulator",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay the proxy adds to each request"
    )
    parser.add_argument("--files", type=int, default=2000, help="files in the synthetic site")
    parser.add_argument(
        "--site-mb", type=float, default=0.0, help="site size in MB (default: by server)"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="untimed rebuilds published before the measured ones (10 or more: a release "
        "stage at HOSTING_KEEP_RELEASES, each measured rebuild collects a release)",
    )
    parser.add_argument("--tools", default="ours,aws,s3cmd,rclone", help="comma-separated")
    parser.add_argument("--port", type=int, default=0, help="emulator port (0: a free one)")
    parser.add_argument("--out", type=Path, default=None, help="raw figures (JSON)")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="raw figures of a 2,000-file run: check the scale target against them",
    )
    return parser.parse_args(argv)


def site_spec(args: argparse.Namespace) -> SiteSpec:
    size = args.site_mb * 1e6 if args.site_mb else SITE_BYTES[args.server] * args.files / 2000
    return SiteSpec(files=args.files, target_bytes=int(size), large_files=LARGE_FILES[args.server])


def exit_on_sigterm() -> None:
    """SIGTERM (from make, a CI runner) unwinds like Ctrl-C: the servers are stopped and
    the temporary folder is removed."""

    def unwind(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    spec = site_spec(args)
    title = (
        f"{args.server}, {args.latency_ms:g} ms added per request, {args.files} files "
        f"({spec.target_bytes / 1e6:.0f} MB), {args.runs} runs"
    )
    print(f"publish benchmark: {title}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="amplify-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = Servers(args, Path(tmp), stack)
        bench = Bench(args, Path(tmp), servers)
        tools = bench.tools()
        bench.prepare(tools, spec)
        bench.run_all(tools)
    results = bench.results
    print("\n".join(table(results, title)))
    print("\n".join(request_table(results)))
    print("\ntargets:")
    checks = targets(results, args.server, args.latency_ms, args.files)
    if args.baseline is not None:
        checks += scale_checks(results, args.files, json.loads(args.baseline.read_text()))
    print_checks(checks)
    out = args.out or (
        HERE / "results" / f"publish-{args.server}-{args.latency_ms:g}ms-{args.files}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "server": args.server,
                "latency_ms": args.latency_ms,
                "files": args.files,
                "site_bytes": spec.target_bytes,
                "results": [asdict(m) | {"puts": m.puts} for m in results],
                "targets": [{"target": n, "met": ok, "detail": d} for n, ok, d in checks],
            },
            indent=2,
        )
    )
    print(f"\nraw figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
