"""Publish output: the progress bar on a terminal, sparse plain lines in CI, --verbose lines,
the dry-run plan listing and the summary."""

from __future__ import annotations

import io

from amplify_tasks.publishing.summary import PublishSummary, format_plan
from amplify_tasks.sync.execute import SyncResult
from amplify_tasks.sync.plan import ASSETS, PAGES, Change, SyncPlan
from amplify_tasks.ui import Progress, human_bytes


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_terminal_shows_a_bar_with_files_and_bytes() -> None:
    out = io.StringIO()
    clock = Clock()
    progress = Progress(2, 2048, stream=out, tty=True, clock=clock)
    clock.now = 1
    progress.step("new", "a.css", 1024, sent=1024)
    clock.now = 2
    progress.step("new", "b.css", 1024, sent=1024)
    progress.close()
    text = out.getvalue()
    assert "\r[" in text and "2/2 files, 2.0 KB/2.0 KB" in text and text.endswith("\n")
    assert "a.css" not in text


def test_ci_prints_a_plain_line_now_and_then_not_per_file() -> None:
    out = io.StringIO()
    clock = Clock()
    progress = Progress(100, 100, stream=out, tty=False, clock=clock)
    for n in range(100):
        clock.now = n * 0.2  # 20 s in all
        progress.step("new", f"f{n}", 1, sent=1)
    lines = out.getvalue().splitlines()
    assert 3 <= len(lines) <= 5
    assert all(line.startswith("sync: ") for line in lines) and "\r" not in out.getvalue()


def test_verbose_lists_each_file_with_its_reason_and_failures_always() -> None:
    out = io.StringIO()
    progress = Progress(2, 10, stream=out, tty=False, verbose=True)
    progress.step("changed", "css/a.css", 10, sent=10)
    progress.step("stale", "old.js", 0)
    assert out.getvalue().splitlines() == [
        "  changed  css/a.css  (10 B)",
        "  stale    old.js  (0 B)",
    ]
    quiet = io.StringIO()
    Progress(1, 1, stream=quiet, tty=False).step("new", "x", 1, failed="AccessDenied: no")
    assert "failed: AccessDenied: no" in quiet.getvalue()


def test_human_bytes() -> None:
    assert human_bytes(5) == "5 B" and human_bytes(2048) == "2.0 KB"
    assert human_bytes(3 * 1024 * 1024) == "3.0 MB"


def _change(key: str, reason: str, phase: int) -> Change:
    return Change(key, reason, f"/d/{key}", 10, "text/css", "no-cache", phase)


def test_plan_listing_has_phases_reasons_and_deletes() -> None:
    plan = SyncPlan(
        bucket="b",
        changes=(_change("a.css", "new", ASSETS), _change("p.html", "headers", PAGES)),
        deletes=("old.js",),
        unchanged=3,
        max_deletes=0,
    )
    text = "\n".join(format_plan(plan))
    assert "sync assets:" in text and "sync pages:" in text
    assert "new" in text and "headers" in text and "a.css" in text
    assert "stale     old.js" in text and "over the delete limit" in text


def test_summary_lines() -> None:
    result = SyncResult(uploaded=["a"], copied=["b"], deleted=["c", "d"], unchanged=7)
    result.bytes_sent = 4096
    summary = PublishSummary(
        stage="prod", site_url="https://x.example", result=result, invalidation_id="I123"
    )
    summary.plan = SyncPlan("b", (), (), 0, 256)
    text = "\n".join(summary.lines())
    for fragment in (
        "published stage prod",
        "https://x.example",
        "uploaded       1",
        "unchanged      7",
        "headers fixed  1",
        "deleted        2",
        "4.0 KB",
        "I123",
    ):
        assert fragment in text


def test_an_interrupted_summary_says_so_first_with_what_was_and_was_not_done() -> None:
    plan = SyncPlan(
        bucket="b",
        changes=tuple(_change(f"f{n}.css", "new", ASSETS) for n in range(5)),
        deletes=("old.js",),
        unchanged=2,
        max_deletes=256,
    )
    result = SyncResult(uploaded=["f0.css", "f1.css"], unchanged=2)
    summary = PublishSummary(stage="big", plan=plan, result=result, seconds=3.4, interrupted=True)
    lines = summary.lines()
    assert lines[0] == "interrupted: stage big after 3.4 s, 2 of 6 changes done, 4 not done"
    assert "  uploaded       2" in lines and "  not done       4" in lines
    assert lines[-1] == (
        "publish again to finish: only what is still missing is sent; no stale object was deleted"
    )
    assert not any(line.startswith("published") for line in lines)
    before = PublishSummary(stage="big", plan=plan, seconds=1.0, interrupted=True)
    assert (
        before.lines()[0] == "interrupted: stage big after 1.0 s, 0 of 6 changes done, 6 not done"
    )


def screen_line(written: str) -> str:
    """What one terminal line shows after ``written``: \\r returns to its start, ESC[K clears
    to its end, other characters overwrite."""
    line: list[str] = []
    col, i = 0, 0
    while i < len(written):
        if written.startswith("\r", i):
            col, i = 0, i + 1
        elif written.startswith("\033[K", i):
            del line[col:]
            i += 3
        else:
            line[col : col + 1] = [written[i]]
            col, i = col + 1, i + 1
    return "".join(line)


def test_a_shorter_redraw_of_the_bar_leaves_nothing_of_the_longer_one() -> None:
    out = io.StringIO()
    clock = Clock()
    total = 33 * 1024 * 1024 + 700 * 1024
    progress = Progress(3, total, stream=out, tty=True, clock=clock)
    clock.now = 1
    progress.step("new", "a.bin", 1023 * 1024, sent=1023 * 1024)  # 1023.0 KB/33.7 MB
    clock.now = 2
    progress.step("new", "b.bin", 5 * 1024 * 1024 + 300 * 1024, sent=5 * 1024 * 1024 + 300 * 1024)
    shown = screen_line(out.getvalue())
    assert shown.endswith("] 2/3 files, 6.3 MB/33.7 MB"), repr(shown)
