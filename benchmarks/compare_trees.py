"""Two checkouts of the package side by side on one stage: the benchmark's site, servers and
proxy (publish_bench.py), one publish per checkout in turn, each after a 1% rebuild of the
site, so that a slow spell of the machine falls on both alike. Prints each checkout's median
wall time and its runs.

Run: `python benchmarks/compare_trees.py TREE_A TREE_B [--tools ours-releases] [--runs 8]
[--history 0] [--keep-releases N] [--latency-ms 30] [--files 2000]`, each TREE a checkout's
root (its package is put first on PYTHONPATH and byte-compiled). `--history 10` publishes 10
untimed rebuilds first; `--keep-releases` sets HOSTING_KEEP_RELEASES for every publish (a
large value: no release is collected). Loopback only; every server is stopped after the run.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from publish_bench import Bench, Servers, exit_on_sigterm, parse_args, site_spec  # noqa: E402
from sitegen import rebuild  # noqa: E402
from tools import Tool  # noqa: E402


def publish(tool: Tool, env: dict[str, str]) -> float:
    """One publish of the tool's site; its wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        tool.command(tool.site, "rebuild"), cwd=tool.cwd, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("trees", nargs=2, type=Path, help="two checkouts' roots")
    parser.add_argument("--tools", default="ours-releases", help="ours or ours-releases")
    parser.add_argument("--runs", type=int, default=8, help="timed publishes per checkout")
    parser.add_argument("--keep-releases", default="", help="HOSTING_KEEP_RELEASES")
    own, rest = parser.parse_known_args(argv)
    args = parse_args(["--server", "seaweedfs", "--latency-ms", "30", *rest])
    for tree in own.trees:
        package = tree.resolve() / "amplify_tasks"
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    exit_on_sigterm()
    times: dict[Path, list[float]] = {tree: [] for tree in own.trees}
    with (
        tempfile.TemporaryDirectory(prefix="amplify-compare-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        bench = Bench(args, Path(tmp), Servers(args, Path(tmp), stack))
        (tool,) = bench.maker.make([own.tools])
        bench.prepare([tool], site_spec(args))
        env = dict(tool.env)
        if own.keep_releases:
            env["HOSTING_KEEP_RELEASES"] = own.keep_releases
        publish(tool, env)  # the first, untimed: the stage holds the site
        for n in range(args.history):
            rebuild(tool.site, 0.01, seed=600 + n)
            publish(tool, env)
        for n in range(own.runs * len(own.trees)):
            tree = own.trees[n % len(own.trees)]
            rebuild(tool.site, 0.01, seed=700 + n)
            times[tree].append(publish(tool, {**env, "PYTHONPATH": str(tree.resolve())}))
    for tree, runs in times.items():
        shown = " ".join(f"{t:.2f}" for t in runs)
        print(f"{tree}: median {statistics.median(runs):.3f} s of {len(runs)} ({shown})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
