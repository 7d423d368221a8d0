"""Profile our publish on the benchmark's servers: the no-change and rebuild scenarios under
pyinstrument (PyPI, in the bench extra), with the same site, servers and proxy as the benchmark.

Run: `python benchmarks/profile_publish.py [--server seaweedfs] [--latency-ms 0] [--files N]
[--tools ours|ours-releases] [--scenarios nochange,rebuild] [--repeat 5] [--profiles DIR]`; it
writes one text and one HTML profile per scenario (cold, nochange, rebuild, prune) and prints
the wall times.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from publish_bench import Bench, Servers, exit_on_sigterm, parse_args, site_spec  # noqa: E402
from sitegen import prune, rebuild  # noqa: E402

#: The scenarios profiled unless --scenarios says otherwise.
DEFAULT_SCENARIOS = "nochange,rebuild"


def profile(bench: Bench, out: Path, repeat: int, scenarios: list[str]) -> None:
    (tool,) = bench.maker.make([bench.args.tools.split(",")[0]])
    bench.prepare([tool], site_spec(bench.args))
    plain = tool.command(tool.site, "cold")
    pyinstrument = [sys.executable, "-m", "pyinstrument", "-i", "0.0005"]
    runs = iter(range(1000))

    def publish(scenario: str, cmd: list[str]) -> float:
        if scenario == "rebuild":
            rebuild(tool.site, 0.01, seed=300 + next(runs))
        elif scenario == "cold":
            bench.empty(tool.bucket)
        elif scenario == "prune":
            prune(tool.site, 0.01, seed=400 + next(runs))
        start = time.perf_counter()
        subprocess.run(cmd, cwd=tool.cwd, env=tool.env, check=True, capture_output=True)
        return time.perf_counter() - start

    publish("cold", plain)
    for label, cmd in (
        ("import amplify_tasks", ["-c", "import amplify_tasks"]),
        ("inv --list", ["-m", "invoke", "--list"]),
        ("a no-change publish", plain[1:]),
    ):
        print_imports(label, import_times(cmd, tool.cwd, tool.env))
    for scenario in scenarios:
        times = sorted(publish(scenario, plain) for _ in range(repeat))
        print(f"{scenario}: median {times[len(times) // 2]:.3f} s of {repeat} (not profiled)")
        for renderer, ext in (("text", "txt"), ("html", "html")):
            target = out / f"publish-{scenario}.{ext}"
            publish(scenario, [*pyinstrument, "-r", renderer, "-o", str(target), *plain[1:]])
            print(f"profile: {target}")


def import_times(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Milliseconds of `python -X importtime` self time, summed by top-level package."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd], cwd=cwd, env=env, capture_output=True
    )
    totals: dict[str, float] = {}
    for line in done.stderr.decode().splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(own) / 1000
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def print_imports(label: str, totals: dict[str, float], top: int = 12) -> None:
    shown = ", ".join(f"{pkg} {ms:.0f}" for pkg, ms in list(totals.items())[:top])
    print(f"imports of {label}: {sum(totals.values()):.0f} ms ({shown}, ... ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--repeat", type=int, default=5, help="unprofiled runs per scenario")
    parser.add_argument("--profiles", type=Path, default=HERE / "results" / "profiles")
    parser.add_argument(
        "--scenarios",
        default=DEFAULT_SCENARIOS,
        help="cold, nochange, rebuild, prune (comma-separated)",
    )
    own, rest = parser.parse_known_args(argv)
    args = parse_args(["--server", "seaweedfs", "--files", "2000", "--tools", "ours", *rest])
    own.profiles.mkdir(parents=True, exist_ok=True)
    exit_on_sigterm()
    with (
        tempfile.TemporaryDirectory(prefix="amplify-profile-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = Servers(args, Path(tmp), stack)
        bench = Bench(args, Path(tmp), servers)
        profile(bench, own.profiles, own.repeat, own.scenarios.split(","))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
