"""The task edge: every task body runs inside ``edge`` so a HostingError (or a botocore
failure no layer below translated) becomes one line on stderr and the exit code of its kind
(EXIT_CODES, the one table of them), with the traceback only when debugging is asked for.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from invoke import Exit, Task
from invoke import task as invoke_task

from ..aws import aws_error, one_line
from ..errors import HostingError
from ..secret import mask, mask_logging

P = ParamSpec("P")
R = TypeVar("R")


def debugging() -> bool:
    """True under ``inv -d``/``--debug``, INVOKE_DEBUG=1 or AMPLIFY_TASKS_DEBUG=1."""
    if os.environ.get("AMPLIFY_TASKS_DEBUG") or os.environ.get("INVOKE_DEBUG"):
        return True
    return logging.getLogger("invoke").isEnabledFor(logging.DEBUG)


#: The exit code of each kind of failure: HostingError.kind, "interrupted" (Ctrl-C) and
#: "internal" (an exception no layer expected). A task that ends well exits 0. The README's
#: "Machine-readable output" lists the same table.
EXIT_CODES: dict[str, int] = {
    # 1: the run failed (AWS, the stack, the sync, a hook, the emulator)
    "failed": 1,
    "aws": 1,
    "stack": 1,
    "sync": 1,
    "hook": 1,
    "emulator": 1,
    "internal": 1,
    # 2: bad input or settings (a flag, a setting, a template, the dist folder, a release id)
    "settings": 2,
    "template": 2,
    "dist": 2,
    "release": 2,
    # 3: refused by a guard (the delete limit, a held stage lock, uncommitted changes, the live
    # pointer moved under a publish)
    "delete-limit": 3,
    "lock": 3,
    "dirty-tree": 3,
    "pointer-moved": 3,
    # 130: interrupted (Ctrl-C), as a shell reports SIGINT
    "interrupted": 130,
}


@dataclass(frozen=True)
class Failure:
    """How a run failed: its kind and the one line the user reads after ``error:``, masked."""

    kind: str
    message: str

    @property
    def code(self) -> int:
        return EXIT_CODES.get(self.kind, 1)


def failure_of(exc: BaseException) -> Failure:
    """The kind and message of any exception a task body raised."""
    if isinstance(exc, KeyboardInterrupt):
        return Failure("interrupted", "interrupted")
    error = exc if isinstance(exc, HostingError) else aws_error(exc)
    if error is None:
        return Failure("internal", one_line(mask(f"{type(exc).__name__}: {exc}")))
    return Failure(error.kind, one_line(mask(str(error))))


def _exit(error: HostingError, cause: BaseException) -> Exit:
    """The Exit of a failure: its message masked, on one line, and the code of its kind;
    when debugging, the masked traceback of ``cause`` is printed first."""
    if debugging():
        sys.stderr.write(mask("".join(traceback.format_exception(cause))))
    failure = failure_of(error)
    return Exit(f"error: {failure.message}", code=failure.code)


@functools.cache
def freeze_startup_heap() -> None:
    """Move what the process holds when its first task starts (the modules, invoke's parse
    of the command line: ~30,000 objects) out of the cyclic collector's way, once: the
    collections during a publish and at the interpreter's exit then skip it (on a 2-core
    machine ~0.1 s of CPU per publish). Those objects live until the process ends anyway."""
    gc.freeze()


def edge(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a task body; turn HostingError (and a botocore failure no layer below translated)
    into invoke.Exit with its one-line message and the exit code of its kind.

    Every log record of the run is masked (botocore's debug log prints signed headers), and
    so are the error line and, when debugging, the traceback printed before it. The first
    task of a process freezes the heap it started with (freeze_startup_heap).
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        mask_logging()
        freeze_startup_heap()
        try:
            return fn(*args, **kwargs)
        except HostingError as exc:
            raise _exit(exc, exc) from None
        except Exception as exc:
            error = aws_error(exc)  # a botocore failure no layer below translated
            if error is None:
                raise
            raise _exit(error, exc) from None
        except KeyboardInterrupt:
            raise Exit("interrupted", code=EXIT_CODES["interrupted"]) from None

    return wrapper


class HostingTask(Task):
    """An invoke Task whose short flags can be named explicitly (``-c`` on publish)."""

    def __init__(self, *args: Any, short_flags: dict[str, str] | None = None, **kwargs: Any):
        self.short_flags = dict(short_flags or {})
        super().__init__(*args, **kwargs)

    def arg_opts(self, name: str, default: str, taken_names: set[str]) -> dict[str, object]:
        taken_names.update(self.short_flags.values())
        opts = super().arg_opts(name, default, taken_names)
        if name in self.short_flags:
            opts["names"] = [opts["names"][0], self.short_flags[name]]
        return opts


def hosting_task(
    *, help: dict[str, str], short_flags: dict[str, str] | None = None, **kwargs: object
) -> Callable[[Callable[..., object]], HostingTask]:
    """``@invoke.task`` with our edge, our Task class and required help for every flag."""

    def decorate(fn: Callable[..., object]) -> HostingTask:
        made = invoke_task(
            edge(fn), klass=HostingTask, help=help, short_flags=short_flags, **kwargs
        )
        assert isinstance(made, HostingTask)
        return made

    return decorate
