"""The publish benchmark's figures: one measure per tool, scenario and run; the table of
medians; the requests each tool sent (counted at the proxy); the targets, met or missed.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import OURS, OURS_RELEASES, SCENARIOS

LABELS = {"cold": "cold", "nochange": "no change", "rebuild": "rebuild", "prune": "prune"}
PAGE = 1000  # keys per listing page

#: Our fixed requests per publish besides the listing pages: one one-key listing request (it
#: brings the header manifest's ETag), the stage lock (one PutObject takes it, one DeleteObject
#: gives it back), and on CloudFormation one DescribeStacks (the bucket's listing starts while
#: the stack is checked, from the same DescribeStacks) and one GetTemplate.
LOCK_PUTS = 1
FIXED_S3 = 1 + LOCK_PUTS + 1
FIXED_CFN_READS = {"cloudformation:DescribeStacks": 1, "cloudformation:GetTemplate": 1}

Check = tuple[str, bool, str]


@dataclass
class Measure:
    tool: str
    scenario: str
    run: int
    seconds: float
    max_rss_mb: float
    requests: dict[str, int]  # by kind, counted at the proxy: "s3:list", "s3:put", ...
    bytes_sent: int
    exit_code: int
    expected_changes: int = 0
    remote_keys: int = 0  # the site's keys in the bucket before the run
    cpu_seconds: float = 0.0  # user + system CPU of the tool's processes
    proxy_cpu: float = 0.0  # CPU seconds the proxies spent during the run
    expected_copies: int = 0  # a release's unchanged files outside the pool

    def count(self, *kinds: str) -> int:
        return sum(self.requests.get(k, 0) for k in kinds)

    @property
    def puts(self) -> int:
        return sum(self.requests.get(k, 0) for k in ("s3:put", "s3:upload-part"))

    @property
    def s3_requests(self) -> int:
        return sum(n for k, n in self.requests.items() if k.startswith("s3:"))

    @property
    def other_requests(self) -> dict[str, int]:
        return {k: n for k, n in self.requests.items() if not k.startswith("s3:")}

    def minimum_s3(self, fixed: int = 0) -> int:
        """Listing pages + one PUT per changed file + one DeleteObjects per 1,000 deletes."""
        pages = max(1, math.ceil(self.remote_keys / PAGE))
        puts = self.expected_changes if self.scenario in ("rebuild", "cold") else 0
        deletes = math.ceil(self.expected_changes / PAGE) if self.scenario == "prune" else 0
        return pages + puts + deletes + fixed


def _int(value: float) -> str:
    return "-" if math.isnan(value) else str(int(value))


def peers_of(tools: list[str]) -> list[str]:
    """The other tools (our release stage is ours too, not a peer)."""
    return [t for t in tools if t not in (OURS, OURS_RELEASES)]


def median(results: list[Measure], tool: str, scenario: str, attr: str) -> float:
    values = [getattr(m, attr) for m in results if m.tool == tool and m.scenario == scenario]
    return statistics.median(values) if values else math.nan


def table(results: list[Measure], title: str) -> list[str]:
    """Median seconds and PUTs of each tool and scenario, and our ratio to each peer."""
    tools = list(dict.fromkeys(m.tool for m in results))
    lines = [f"\nmedian wall time, {title} (x = amplify-tasks / peer)\n"]
    header = f"{'scenario':9} | " + " | ".join(f"{t:>24}" for t in tools)
    lines += [header, "-" * len(header)]
    for sc in SCENARIOS:
        ours = median(results, OURS, sc, "seconds")
        cells = []
        for t in tools:
            v = median(results, t, sc, "seconds")
            cell = f"{v:6.2f}s {_int(median(results, t, sc, 'puts')):>5}P"
            if t != OURS and v and not math.isnan(v):
                cell += f" x{ours / v:4.2f}"
            cells.append(f"{cell:>24}")
        lines.append(f"{sc:9} | " + " | ".join(cells))
    rss = [f"{max(m.max_rss_mb for m in results if m.tool == t):6.1f} MB" for t in tools]
    lines.append(f"{'peak RSS':9} | " + " | ".join(f"{c:>24}" for c in rss))
    lines.append("\nmedian CPU seconds (user + system) of each tool's processes\n")
    for sc in SCENARIOS:
        cpu = [f"{median(results, t, sc, 'cpu_seconds'):6.2f}s" for t in tools]
        lines.append(f"{sc:9} | " + " | ".join(f"{c:>24}" for c in cpu))
    return lines


def request_table(results: list[Measure]) -> list[str]:
    """S3 requests of each tool as counted at the proxy (median of the runs), beside the
    minimum for the scenario (listing pages + changed files + DeleteObjects batches)."""
    tools = list(dict.fromkeys(m.tool for m in results))
    lines = ["\nS3 requests counted at the proxy (median; minimum in brackets), by kind\n"]
    for sc in SCENARIOS:
        for t in tools:
            runs = [m for m in results if m.tool == t and m.scenario == sc]
            if not runs:
                continue
            mid = sorted(runs, key=lambda m: m.s3_requests)[len(runs) // 2]
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(mid.requests.items()))
            lines.append(f"  {sc:9} {t:24} {mid.s3_requests:6} ({mid.minimum_s3():5})  {kinds}")
    return lines


def _ratio_check(results: list[Measure], sc: str, peers: list[str], what: str) -> Check:
    ours = median(results, OURS, sc, "seconds")
    times = {p: median(results, p, sc, "seconds") for p in peers}
    times = {p: v for p, v in times.items() if not math.isnan(v)}
    if not times:
        return (f"{LABELS[sc]}: <= 1.0x {what}", False, "no peer measured")
    best = min(times, key=lambda p: times[p])
    detail = f"{ours:.2f}s vs {times[best]:.2f}s ({best}), x{ours / times[best]:.2f}"
    return (f"{LABELS[sc]}: <= 1.0x {what}", ours <= times[best], detail)


def _limit_check(results: list[Measure], sc: str, limit: float) -> Check:
    ours = median(results, OURS, sc, "seconds")
    return (f"{LABELS[sc]}: <= {limit:.1f} s", ours <= limit, f"{ours:.2f}s")


def targets(results: list[Measure], server: str, latency_ms: float, files: int) -> list[Check]:
    """The targets of this run's server, latency and size."""
    tools = list(dict.fromkeys(m.tool for m in results))
    peers = peers_of(tools)
    checks: list[Check] = []
    large = files > 2000
    if large:
        rclone = [p for p in peers if p.startswith("rclone")]
        for sc in SCENARIOS:
            checks.append(_ratio_check(results, sc, rclone, "rclone"))
    elif server == "moto" or latency_ms > 0:
        for sc in ("cold", "rebuild", "nochange"):
            checks.append(_ratio_check(results, sc, peers, "best peer"))
    else:
        checks.append(_ratio_check(results, "cold", peers, "best peer"))
        checks.append(_limit_check(results, "rebuild", 0.6))
        checks.append(_limit_check(results, "nochange", 0.5))
    ours = [m for m in results if m.tool == OURS]
    rebuilds = [m for m in ours if m.scenario == "rebuild"]
    checks.append(
        (
            "rebuild: PUTs == changed files + the lock's",
            all(m.puts == m.expected_changes + LOCK_PUTS for m in rebuilds),
            ", ".join(f"{m.puts}/{m.expected_changes}+{LOCK_PUTS}" for m in rebuilds),
        )
    )
    nochange = [m for m in ours if m.scenario == "nochange"]
    checks.append(
        (
            "no change: no PUT but the lock's",
            all(m.puts == LOCK_PUTS for m in nochange),
            ", ".join(str(m.puts) for m in nochange),
        )
    )
    warm = [m for m in ours if m.scenario in ("nochange", "rebuild", "prune")]
    got = [m.s3_requests for m in warm]
    want = [m.minimum_s3(FIXED_S3) for m in warm]
    cfn_ok = all(m.other_requests == FIXED_CFN_READS for m in warm)
    others = sorted({f"{k} {n}" for m in warm for k, n in m.other_requests.items()})
    checks.append(
        (
            "requests at the proxy: S3 at the minimum, CloudFormation reads fixed",
            got == want and cfn_ok,
            f"S3 {got} vs minimum {want}; other: {', '.join(others)}",
        )
    )
    limit = 150 if not large else 300
    rss = max((m.max_rss_mb for m in ours), default=math.nan)
    checks.append((f"memory: peak RSS <= {limit} MB", rss <= limit, f"{rss:.1f} MB"))
    if any(m.tool == OURS_RELEASES for m in results):
        checks += release_checks(results)
    return checks


#: The key value store's writes (one UpdateKeys makes a release live).
KVS_WRITES = tuple(f"cloudfront-keyvaluestore:{op}" for op in ("UpdateKeys", "PutKey", "DeleteKey"))


def release_checks(results: list[Measure]) -> list[Check]:
    """The release stage's targets: a rebuild sends a PUT per changed file, a CopyObject per
    unchanged file outside the pool, one manifest and one store write, and takes at most 1.5x
    the in-place publish of the same change; no change writes nothing but the lock."""
    ours = [m for m in results if m.tool == OURS_RELEASES]
    rebuilds = [m for m in ours if m.scenario == "rebuild"]
    nochange = [m for m in ours if m.scenario == "nochange"]
    releases = median(results, OURS_RELEASES, "rebuild", "seconds")
    in_place = median(results, OURS, "rebuild", "seconds")
    ratio = releases / in_place if in_place else math.nan
    puts = ", ".join(f"{m.puts}/{m.expected_changes}+1+{LOCK_PUTS}" for m in rebuilds)
    copies = ", ".join(f"{m.count('s3:copy')}/{m.expected_copies}" for m in rebuilds)
    kvs = ", ".join(str(m.count(*KVS_WRITES)) for m in rebuilds)
    idle = ", ".join(f"{m.puts} PUT, {m.count(*KVS_WRITES)} store" for m in nochange)
    return [
        (
            "releases, rebuild: <= 1.5x the in-place rebuild",
            ratio <= 1.5,
            f"{releases:.2f}s vs {in_place:.2f}s, x{ratio:.2f}",
        ),
        (
            "releases, rebuild: PUTs == changed files + the manifest + the lock's",
            all(m.puts == m.expected_changes + 1 + LOCK_PUTS for m in rebuilds),
            puts,
        ),
        (
            "releases, rebuild: one CopyObject per unchanged file outside the pool",
            all(m.count("s3:copy") == m.expected_copies for m in rebuilds),
            copies,
        ),
        (
            "releases, rebuild: one key value store write",
            all(m.count(*KVS_WRITES) == 1 for m in rebuilds),
            kvs,
        ),
        (
            "releases, no change: no write but the lock's",
            all(m.puts == LOCK_PUTS and not m.count("s3:copy", *KVS_WRITES) for m in nochange),
            idle,
        ),
    ]


def scale_checks(results: list[Measure], files: int, baseline: dict[str, Any]) -> list[Check]:
    """Each scenario of ours at this size takes at most 10x its time at the baseline's."""
    base = measures_of(baseline)
    checks = []
    for sc in SCENARIOS:
        now = median(results, OURS, sc, "seconds")
        then = median(base, OURS, sc, "seconds")
        ratio = now / then if then else math.nan
        label = f"scale: {sc} at {files} files <= 10x {baseline['files']}"
        checks.append((label, ratio <= 10, f"{now:.2f}s / {then:.2f}s = x{ratio:.1f}"))
    return checks


def markdown(results: list[Measure], title: str, attr: str = "seconds") -> list[str]:
    """The README's table: median seconds (and PUTs) per scenario, peak RSS, our ratio to
    the best peer; with attr="cpu_seconds", CPU seconds instead of wall time."""
    tools = list(dict.fromkeys(m.tool for m in results))
    peers = peers_of(tools)
    lines = [f"| {title} | " + " | ".join(tools) + " | x best peer |"]
    lines.append("|---" * (len(tools) + 2) + "|")
    for sc in SCENARIOS:
        cells = []
        for t in tools:
            v = median(results, t, sc, attr)
            cells.append(f"{v:.2f} ({_int(median(results, t, sc, 'puts'))})")
        best = min((median(results, p, sc, attr) for p in peers), default=math.nan)
        ratio = median(results, OURS, sc, attr) / best if best else math.nan
        lines.append(f"| {LABELS[sc]} | " + " | ".join(cells) + f" | {ratio:.2f} |")
    rss = [f"{max(m.max_rss_mb for m in results if m.tool == t):.0f} MB" for t in tools]
    lines.append("| peak RSS | " + " | ".join(rss) + " | |")
    return lines


def measures_of(raw: dict[str, Any]) -> list[Measure]:
    """The measures of a run's raw figures (JSON)."""
    fields = set(Measure.__dataclass_fields__)
    return [Measure(**{k: v for k, v in r.items() if k in fields}) for r in raw["results"]]


def load(path: str) -> tuple[dict[str, Any], list[Measure]]:
    raw = json.loads(Path(path).read_text())
    return raw, measures_of(raw)


def print_checks(checks: list[Check]) -> None:
    for name, ok, detail in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {name}: {detail}")


if __name__ == "__main__":
    # python benchmarks/report.py RAW.json...: each run's table as Markdown, and its targets
    for arg in sys.argv[1:]:
        raw, measures = load(arg)
        head = (
            f"{raw['files']:,} files, {raw.get('server', 'moto')} +{raw.get('latency_ms', 0):g} ms"
        )
        print("\n".join(markdown(measures, head)) + "\n")
        print("\n".join(markdown(measures, head + ", CPU s", "cpu_seconds")) + "\n")
        for target in raw["targets"]:
            print(
                f"- {'met' if target['met'] else 'MISSED'}: {target['target']} ({target['detail']})"
            )
        print()
