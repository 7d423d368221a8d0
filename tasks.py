"""This repository's own tasks (test, lint, demo, bench) plus the amplify-tasks collections."""

from __future__ import annotations

import sys

from invoke import Collection, task

import amplify_tasks

PY = sys.executable


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


ns = Collection(test, lint)
ns.add_collection(amplify_tasks.hosting)
ns.add_collection(amplify_tasks.local)
ns.add_task(amplify_tasks.publish)
