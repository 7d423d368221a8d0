"""--json: one JSON document on stdout, every human line on stderr, the document written
also when the task fails (``"ok": false`` with the error's kind and one-line message).

The document is a task's body (its own keys) inside an envelope: ``version``, ``ok`` and, on
failure, ``error``; every string in it is masked. The schemas are amplify_tasks/schemas/.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping

from ..secret import mask
from ._edge import Failure, failure_of

#: Version of the --json documents (the schemas' ``version``).
DOCUMENT_VERSION = 1

#: A task's own keys of its document, read when the task ends (or fails).
Body = Callable[[], Mapping[str, object]]


def envelope(body: Mapping[str, object], failure: Failure | None) -> dict[str, object]:
    """The whole document: version, ok, the body's keys and, on failure, the error; masked."""
    document: dict[str, object] = {"version": DOCUMENT_VERSION, "ok": failure is None}
    document.update(body)
    if failure is not None:
        document["error"] = {"kind": failure.kind, "message": failure.message}
    masked = _masked(document)
    assert isinstance(masked, dict)
    return masked


def _masked(value: object) -> object:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


@contextlib.contextmanager
def human_lines_to_stderr() -> Iterator[None]:
    """Send what the body prints to stderr: Python's prints, and (through file descriptor 1)
    the output of the commands it runs."""
    sys.stdout.flush()
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor (captured)
        out_fd = err_fd = -1
    saved = os.dup(out_fd) if out_fd >= 0 else -1
    if saved >= 0:
        os.dup2(err_fd, out_fd)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved >= 0:
            os.dup2(saved, out_fd)
            os.close(saved)


@contextlib.contextmanager
def machine_output(
    body: Body,
    *,
    json_output: bool,
    then: Callable[[dict[str, object]], None] | None = None,
) -> Iterator[None]:
    """Run the task body; with ``json_output`` its human lines go to stderr and the document
    to stdout, also when it fails. ``then`` is given the document in either mode."""
    if not json_output and then is None:
        yield
        return
    failure: Failure | None = None
    try:
        with human_lines_to_stderr() if json_output else contextlib.nullcontext():
            yield
    except BaseException as exc:
        failure = failure_of(exc)
        raise
    finally:
        document = envelope(body(), failure)
        if json_output:
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
            sys.stdout.flush()
        if then is not None:
            then(document)
