"""Terminal output of a publish: a progress bar with files and bytes on a TTY, a plain line
now and then elsewhere (CI), one line per file with --verbose, and the plan as a table.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING

#: Seconds between plain progress lines when the output is not a terminal.
if TYPE_CHECKING:
    from amplify_tasks.sync import FileDone, SyncPlan

PLAIN_INTERVAL = 5.0
#: Seconds between redraws of the bar on a terminal.
BAR_INTERVAL = 0.1


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover - loop always returns


def is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """Thread-safe progress of a sync. ``step`` is called once per finished file."""

    def __init__(
        self,
        total_files: int,
        total_bytes: int,
        *,
        verbose: bool = False,
        stream: IO[str] | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stdout
        self.tty = is_tty(self.stream) if tty is None else tty
        self.verbose = verbose
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.files = 0
        self.bytes = 0
        self.clock = clock
        self.started = clock()
        self.last_draw = self.started
        self.drawn = False
        self.lock = threading.Lock()

    def _status(self) -> str:
        return (
            f"{self.files}/{self.total_files} files, "
            f"{human_bytes(self.bytes)}/{human_bytes(self.total_bytes)}"
        )

    def _bar(self) -> str:
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        done = self.bytes / self.total_bytes if self.total_bytes else 0.0
        if not self.total_bytes and self.total_files:
            done = self.files / self.total_files
        filled = int(width * min(1.0, done))
        # back to the line's start, the bar, then clear what a longer line left behind
        return f"\r[{'#' * filled}{'.' * (width - filled)}] {self._status()}\033[K"

    def file_done(self, done: FileDone) -> None:
        """The sync's callback: one file is done."""
        self.step(done.reason, done.key, done.size, sent=done.sent, failed=done.failed)

    def step(self, label: str, key: str, size: int, *, sent: int = 0, failed: str = "") -> None:
        """A file is done: ``label`` is its reason (new, changed, headers, stale ...)."""
        with self.lock:
            self.files += 1
            self.bytes += sent
            now = self.clock()
            if self.verbose or failed:
                self._clear()
                what = f"failed: {failed}" if failed else human_bytes(size)
                self.stream.write(f"  {label:<8} {key}  ({what})\n")
            if self.tty:
                if now - self.last_draw >= BAR_INTERVAL or self.files == self.total_files:
                    self.stream.write(self._bar())
                    self.drawn = True
                    self.last_draw = now
            elif not self.verbose and now - self.last_draw >= PLAIN_INTERVAL:
                self.stream.write(f"sync: {self._status()}\n")
                self.last_draw = now
            self.stream.flush()

    def _clear(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False

    @classmethod
    def for_plan(
        cls,
        plan: SyncPlan,
        *,
        verbose: bool = False,
        stream: IO[str] | None = None,
        tty: bool | None = None,
    ) -> Progress:
        """Progress over every change and delete a plan will carry out."""
        deletes = 0 if plan.deletes_blocked else len(plan.deletes)
        total = len(plan.changes) + deletes
        return cls(total, plan.bytes_to_send, verbose=verbose, stream=stream, tty=tty)

    def close(self) -> None:
        with self.lock:
            if self.tty and self.drawn:
                self.stream.write("\n")
                self.drawn = False
            self.stream.flush()


def table(rows: Iterable[Iterable[object]]) -> list[str]:
    """Rows as left-aligned columns."""
    cells = [[str(c) for c in row] for row in rows]
    if not cells:
        return []
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(len(cells[0]))]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    ]
