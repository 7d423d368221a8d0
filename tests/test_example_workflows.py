"""The GitHub Actions workflows under examples/github-actions/: each parses as YAML, gets
AWS credentials from the role (configure-aws-credentials with role-to-assume, an id-token
permission) rather than keys, and every `inv TASK --flag` it runs names a task and flags that
exist in the collections users import."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from invoke import Collection

from amplify_tasks import namespace

WORKFLOWS = sorted(
    (Path(__file__).resolve().parent.parent / "examples/github-actions").glob("*.yml")
)
#: Words that end one shell command and may start another.
_OPERATORS = re.compile(r"(\|\||&&|[|;&()]|\$\(|`)")


def _task_flags(collection: Collection, name: str) -> set[str]:
    """Every spelling of the flags of task ``name`` (``--dry-run``, ``-d``); KeyError when
    there is no such task."""
    task = collection[name]
    flags = {"--help", "-h"}
    for argument in task.get_arguments():
        for spelling in argument.names:
            flags.add(f"--{spelling}" if len(spelling) > 1 else f"-{spelling}")
    return flags


def inv_commands(script: str) -> list[list[str]]:
    """The argument lists of every `inv ...` command in a shell script (GitHub expressions
    left as single words)."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        line = re.sub(r"\$\{\{.*?\}\}", "EXPR", line)
        for command in _OPERATORS.split(line):
            try:
                words = shlex.split(command, comments=True)
            except ValueError:
                words = command.split()
            if words and words[0] in {"inv", "invoke"}:
                found.append(words[1:])
    return found


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _check_inv(words: list[str]) -> list[str]:
    """What is wrong with one `inv` command line: unknown tasks or flags."""
    problems = []
    task = ""
    flags: set[str] = set()
    for word in words:
        if word.startswith(">") or word in {"EXPR"}:
            break
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            if task and flag not in flags:
                problems.append(f"inv {task}: no flag {flag}")
            continue
        if task and word not in namespace.task_names:
            continue  # a flag's value
        try:
            flags = _task_flags(namespace, word)
        except (KeyError, ValueError):
            problems.append(f"no task {word!r}")
            break
        task = word
    return problems


def test_there_are_the_workflows_to_check() -> None:
    assert {p.name for p in WORKFLOWS} >= {"publish.yml", "preview.yml"}


def test_the_preview_workflow_publishes_a_preview_per_pull_request() -> None:
    workflow = yaml.safe_load((WORKFLOWS[0].parent / "preview.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow.get("on", workflow.get(True))
    commands = [c for step in _steps(workflow) for c in inv_commands(str(step.get("run", "")))]
    assert ["publish", "--stage", "prod", "--preview", "pr-EXPR", "--json"] in [
        c[:6] for c in commands
    ]
    assert any("github-script" in str(s.get("uses", "")) for s in _steps(workflow))  # comment


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_the_workflow_calls_tasks_and_flags_that_exist(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict) and workflow.get("jobs"), f"{path.name}: no jobs"
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers, f"{path.name}: no `on:` triggers"
    commands = [c for step in _steps(workflow) for c in inv_commands(str(step.get("run", "")))]
    assert commands, f"{path.name} runs no inv task"
    problems = [p for words in commands for p in _check_inv(words)]
    assert not problems, f"{path.name}: {problems}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_the_workflow_assumes_the_role_with_no_keys(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    permissions = [workflow.get("permissions") or {}]
    permissions += [job.get("permissions") or {} for job in workflow["jobs"].values()]
    assert any(p.get("id-token") == "write" for p in permissions), path.name
    logins = [s for s in _steps(workflow) if "configure-aws-credentials" in str(s.get("uses"))]
    assert logins and all(s["with"].get("role-to-assume") for s in logins), path.name
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_the_checker_catches_an_unknown_task_or_flag() -> None:
    assert _check_inv(["publish", "--stage", "prod", "--nope"]) == ["inv publish: no flag --nope"]
    assert _check_inv(["hosting.nothing"]) == ["no task 'hosting.nothing'"]
    assert _check_inv(["hosting.ci-role", "--stage", "prod", "--github", "a/b", "--dry-run"]) == []
    assert inv_commands("pip install x && inv publish --stage prod --json > out.json") == [
        ["publish", "--stage", "prod", "--json", ">", "out.json"]
    ]
