"""This repository's own tasks (test, lint, demo, bench) plus the amplify-tasks collections."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from invoke import Collection, Exit, task

import amplify_tasks

PY = sys.executable
ROOT = Path(__file__).resolve().parent
#: The demo publishes a copy of examples/site from here (inside the git-ignored state dir).
DEMO_DIR = ROOT / ".amplify-tasks" / "demo" / "site"
DEMO_STAGES = (("dev", []), ("prod", []))
#: Settings the demo copy gets in its shared .env: the site needs no build.
DEMO_SETTINGS = {"HOSTING_DIST_DIR": "public", "HOSTING_ERROR_DOCUMENT": "404.html"}


@task(help={"args": "extra arguments for pytest, as one string"})
def test(c, args=""):
    """Run the whole test suite."""
    c.run(f"{PY} -m pytest {args}", pty=False)


@task
def lint(c):
    """ruff check, ruff format --check and mypy."""
    c.run(f"{PY} -m ruff check amplify_tasks tests benchmarks tasks.py")
    c.run(f"{PY} -m ruff format --check amplify_tasks tests benchmarks tasks.py")
    c.run(f"{PY} -m mypy amplify_tasks")


def _demo_emulator():
    """The emulator recorded in the repo's state dir, else a new one (port 4566 if free)."""
    from amplify_tasks.local import control

    state_dir = ROOT / ".amplify-tasks"
    running = control.status(state_dir)
    if running is not None:
        print(f"emulator already running at {running.endpoint} (pid {running.pid})")
        return running
    port = None if control.port_in_use(control.DEFAULT_PORT) else control.DEFAULT_PORT
    emulator = control.start(state_dir, port)
    print(f"emulator started at {emulator.endpoint} (pid {emulator.pid})")
    return emulator


def _demo_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="demo",
        AWS_SECRET_ACCESS_KEY="demo",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AMPLIFY_TASKS_ROOT=str(DEMO_DIR),
    )
    return env


def _demo_copy() -> None:
    """A fresh copy of examples/site's files; the stage settings of earlier runs stay."""
    source = ROOT / "examples" / "site"
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(DEMO_DIR / "public", ignore_errors=True)
    shutil.copytree(source / "public", DEMO_DIR / "public")
    shutil.copy2(source / "tasks.py", DEMO_DIR / "tasks.py")


@task
def demo(c):
    """Start the emulator, add stages dev and prod to a copy of examples/site, publish both."""
    from amplify_tasks.errors import HostingError
    from amplify_tasks.project import Project
    from amplify_tasks.settings.files import load_settings
    from amplify_tasks.settings.writing import write_settings

    try:
        emulator = _demo_emulator()
    except HostingError as exc:
        raise Exit(f"error: {exc}") from None
    env = _demo_env(emulator.endpoint)
    _demo_copy()
    inv = f"{PY} -m invoke"
    urls = []
    with c.cd(str(DEMO_DIR)):
        for stage, flags in DEMO_STAGES:
            if not (DEMO_DIR / f".env.{stage}").exists():
                c.run(f"{inv} hosting.add --stage {stage} --yes", env=env)
            write_settings(DEMO_DIR / ".env", DEMO_SETTINGS)
            c.run(f"{inv} publish --stage {stage} --yes {' '.join(flags)}", env=env)
    os.environ.update(env)
    from amplify_tasks import aws
    from amplify_tasks.stack.outputs import stack_outputs
    from amplify_tasks.stack.site_url import working_url

    cfn = aws.client("cloudformation")
    for stage, _ in DEMO_STAGES:
        settings = load_settings(Project.at(DEMO_DIR), stage)
        urls.append((stage, working_url(stack_outputs(cfn, settings.stack_name))))
    print()
    print("the demo site is published; open it in a browser:")
    for stage, url in urls:
        print(f"  {stage:<5} {url}")
    print("prod publishes releases: `make demo-releases` lists them; after a change to")
    print("examples/site and `make demo` again, `make demo-rollback` makes the release before")
    print("the live one live again (one key value store write, no upload)")
    print(f"the emulator keeps running at {emulator.endpoint}: `make demo-down` stops it")


def _demo_task(c, args: str) -> None:
    """Run ``inv <args>`` in the demo copy against the running emulator."""
    from amplify_tasks.errors import HostingError

    try:
        emulator = _demo_emulator()
    except HostingError as exc:
        raise Exit(f"error: {exc}") from None
    with c.cd(str(DEMO_DIR)):
        c.run(f"{PY} -m invoke {args}", env=_demo_env(emulator.endpoint))


@task
def demo_releases(c):
    """The demo's prod releases, newest first (after `inv demo`)."""
    _demo_task(c, "hosting.releases --stage prod")


@task
def demo_rollback(c):
    """Make the demo's previous prod release live again (after `inv demo` twice, with a change)."""
    _demo_task(c, "hosting.rollback --stage prod --yes")


ns = Collection(test, lint, demo, demo_releases, demo_rollback)
ns.add_collection(amplify_tasks.hosting)
ns.add_collection(amplify_tasks.local)
ns.add_task(amplify_tasks.publish)
