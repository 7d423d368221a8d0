"""examples/github-actions/preview.yml is a workflow GitHub can read, and every `inv` line in
it calls a task and flags that exist (read from the namespace, as `inv --help` shows them),
assuming the CI role with configure-aws-credentials and publishing with --json."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from amplify_tasks import namespace

WORKFLOW = Path(__file__).resolve().parent.parent / "examples/github-actions/preview.yml"


def inv_lines(workflow: dict[str, Any]) -> list[str]:
    runs = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    return [
        line.strip() for run in runs for line in run.splitlines() if line.strip().startswith("inv ")
    ]


def flags_of(task_name: str) -> set[str]:
    task = namespace[task_name]
    found = set()
    for arg in task.get_arguments():
        found.update(f"--{n.replace('_', '-')}" for n in arg.names if len(n) > 1)
        found.update(f"-{n}" for n in arg.names if len(n) == 1)
    return found


def test_the_workflow_parses_and_assumes_a_role() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert set(workflow) >= {"name", "jobs"} and (True in workflow or "on" in workflow)
    events = workflow.get("on", workflow.get(True))
    assert "pull_request" in events
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    aws = [
        s
        for s in steps
        if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
    ]
    assert aws and all("role-to-assume" in s["with"] for s in aws)
    assert workflow["permissions"]["id-token"] == "write"
    assert any("github-script" in str(s.get("uses", "")) for s in steps)  # the comment


def test_every_inv_line_calls_a_task_and_flags_that_exist() -> None:
    lines = inv_lines(yaml.safe_load(WORKFLOW.read_text()))
    assert any(
        "inv publish --stage prod --preview pr-${{ github.event.number }} --json" in line
        for line in lines
    )
    assert len(lines) >= 2
    for line in lines:
        words = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "X", line.split(">")[0]))
        task, args = words[1], words[2:]
        known = flags_of(task)  # KeyError: no such task
        used = {a.split("=")[0] for a in args if a.startswith("-")}
        assert used <= known, (task, used - known)
