"""The task edge: every task body runs inside ``edge`` so a HostingError (or a botocore
failure no layer below translated) becomes one line on stderr and a non-zero exit, with the
traceback only when debugging is asked for.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable
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


def _exit(error: HostingError, cause: BaseException) -> Exit:
    """The Exit of a failure: its message masked, on one line; when debugging, the masked
    traceback of ``cause`` is printed first."""
    if debugging():
        sys.stderr.write(mask("".join(traceback.format_exception(cause))))
    return Exit(one_line(mask(f"error: {error}")), code=error.exit_code)


def edge(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a task body; turn HostingError (and a botocore failure no layer below translated)
    into invoke.Exit with its one-line message.

    Every log record of the run is masked (botocore's debug log prints signed headers), and
    so are the error line and, when debugging, the traceback printed before it.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        mask_logging()
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
            raise Exit("interrupted", code=130) from None

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
