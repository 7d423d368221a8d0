"""Tasks that run the loopback AWS emulator: `local.up`, `local.status`, `local.down`.

The emulator's process and port are recorded in the project's state dir (hosting.state_dir).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._edge import hosting_task

if TYPE_CHECKING:
    from pathlib import Path

    from invoke import Context

    from ..local.control import Emulator


def _state_dir(c: Context) -> Path:
    from ..project import Project

    return Project.from_context(c).state_dir


def _print_previews(emulator: Emulator) -> None:
    for entry in emulator.previews():
        name = entry.get("distribution_id") or entry.get("bucket")
        print(f"preview {entry['kind']} {name}: {entry['url']}")


@hosting_task(help={"port": "port on 127.0.0.1 to listen on (default 4566)"})
def up(c: Context, port: int = 0) -> None:
    """Start the loopback AWS emulator (S3, CloudFront, CloudFormation) in the background."""
    from ..local import control

    emulator = control.start(_state_dir(c), port or control.DEFAULT_PORT)
    print(f"emulator running at {emulator.endpoint} (pid {emulator.pid})")
    print("point the tool at it with:")
    print(
        f"  export AWS_ENDPOINT_URL={emulator.endpoint} AWS_ACCESS_KEY_ID=test "
        "AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1"
    )


@hosting_task(help={})
def status(c: Context) -> None:
    """Show the running emulator's endpoint, process id and preview URLs."""
    from ..local import control

    emulator = control.status(_state_dir(c))
    if emulator is None:
        print("emulator not running (start it with `inv local.up`)")
        return
    print(f"emulator running at {emulator.endpoint} (pid {emulator.pid})")
    _print_previews(emulator)


@hosting_task(help={})
def down(c: Context) -> None:
    """Stop the loopback AWS emulator started by `local.up`."""
    from ..local import control

    if control.stop(_state_dir(c)):
        print("emulator stopped")
    else:
        print("emulator was not running")
