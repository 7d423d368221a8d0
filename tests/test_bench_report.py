"""The benchmark's release-stage targets: read from the requests the proxy counted, met or
missed; and the files a release copies (unchanged, outside the pool)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from publish_bench import unchanged_release_files
from report import Measure, release_checks
from tools import OURS, OURS_RELEASES


def _measure(tool: str, scenario: str, seconds: float, requests: dict[str, int]) -> Measure:
    return Measure(
        tool=tool,
        scenario=scenario,
        run=0,
        seconds=seconds,
        max_rss_mb=50,
        requests=requests,
        bytes_sent=0,
        exit_code=0,
        expected_changes=20,
        expected_copies=300,
    )


RELEASE = {
    "s3:put": 22,
    "s3:copy": 300,
    "cloudfront-keyvaluestore:UpdateKeys": 1,
    "cloudfront-keyvaluestore:GetKey": 1,
}


def _checks(release_seconds: float, release: dict[str, int]) -> dict[str, bool]:
    results = [
        _measure(OURS, "rebuild", 2.0, {"s3:put": 21}),
        _measure(OURS_RELEASES, "rebuild", release_seconds, release),
        _measure(OURS_RELEASES, "nochange", 1.0, {"s3:put": 1, "s3:list": 1}),
    ]
    return {name: ok for name, ok, _ in release_checks(results)}


def test_release_targets_met() -> None:
    assert all(_checks(3.0, RELEASE).values())


def test_release_targets_missed() -> None:
    slow = _checks(3.1, RELEASE)
    assert not slow["releases, rebuild: <= 1.5x the in-place rebuild"]
    two_writes = _checks(3.0, RELEASE | {"cloudfront-keyvaluestore:UpdateKeys": 2})
    assert not two_writes["releases, rebuild: one key value store write"]
    fewer_copies = _checks(3.0, RELEASE | {"s3:copy": 299})
    assert not fewer_copies["releases, rebuild: one CopyObject per unchanged file outside the pool"]
    extra_put = _checks(3.0, RELEASE | {"s3:put": 23})
    assert not extra_put["releases, rebuild: PUTs == changed files + the manifest + the lock's"]


def test_unchanged_release_files(tmp_path: Path) -> None:
    for name in ("index.html", "docs/a.html", "assets/app.3f9a1c2b.js", "logo.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    assert unchanged_release_files(tmp_path, ["docs/a.html", "assets/app.3f9a1c2b.js"]) == 2
