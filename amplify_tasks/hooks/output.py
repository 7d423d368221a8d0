"""A hook's output: every line prefixed with the hook's name and masked, from a Python
hook's prints or a command's stdout and stderr.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from amplify_tasks.errors import HookError
from amplify_tasks.secret import mask


def emit(name: str, line: str, secrets: Sequence[str] = ()) -> None:
    """One line of a hook's output, prefixed with the hook's name."""
    out = sys.stdout
    out.write(f"[{name}] {mask(line.rstrip(chr(10)).rstrip(chr(13)), secrets)}\n")
    out.flush()


class PrefixWriter(io.TextIOBase):
    """A text stream that emits each complete line with a hook's name as prefix."""

    def __init__(self, name: str, target: IO[str], secrets: Sequence[str]) -> None:
        self.name, self.target, self.secrets, self.buffer = name, target, secrets, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            self.target.write(f"[{self.name}] {mask(line, self.secrets)}\n")
        self.target.flush()
        return len(text)

    def flush(self) -> None:
        if self.buffer:
            self.write("\n")


def stream_command(
    name: str,
    argv: Sequence[str] | str,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin_text: str | None = None,
    secrets: Sequence[str] = (),
) -> int:
    """Run a command, stream its stdout and stderr line by line with ``name`` as prefix,
    and return its exit status. A string runs under the shell.
    """
    with tempfile.TemporaryFile("w+b") as stdin:
        if stdin_text is not None:
            stdin.write(stdin_text.encode("utf-8"))
            stdin.seek(0)
        try:
            proc = subprocess.Popen(
                argv,
                shell=isinstance(argv, str),
                cwd=str(cwd),
                env=dict(env) if env is not None else None,
                stdin=stdin if stdin_text is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            raise HookError(f"hook {name!r} could not start ({exc}): check the command") from exc
        assert proc.stdout is not None
        with proc:
            for raw in proc.stdout:
                emit(name, raw.decode("utf-8", "replace"), secrets)
        return proc.wait()
