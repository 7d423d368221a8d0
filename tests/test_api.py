"""The public API: importable collections, Collection.from_module, invoke config defaults,
help text on every flag, `-c` on publish, and no positional `stage` anywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Collection, Task

import amplify_tasks
from amplify_tasks.project import CONFIG_DEFAULTS, Project, hosting_config


def _all_tasks(coll: Collection) -> list[Task]:
    found = list(coll.tasks.values())
    for sub in coll.collections.values():
        found.extend(_all_tasks(sub))
    return found


def test_public_names() -> None:
    assert isinstance(amplify_tasks.hosting, Collection)
    assert isinstance(amplify_tasks.local, Collection)
    assert isinstance(amplify_tasks.namespace, Collection)
    assert isinstance(amplify_tasks.publish, Task)
    assert amplify_tasks.__version__


def test_from_module_gives_the_whole_namespace() -> None:
    coll = Collection.from_module(amplify_tasks)
    names = set(coll.task_names)
    assert "publish" in names
    assert {"hosting.add", "hosting.configure", "local.up"} <= names


@pytest.mark.parametrize("task", _all_tasks(amplify_tasks.namespace), ids=lambda t: t.name)
def test_every_flag_has_help_and_stage_is_never_positional(task: Task) -> None:
    args = task.get_arguments()
    missing = [a.name for a in args if not a.help]
    assert missing == [], f"{task.name}: flags without help: {missing}"
    assert not any(a.positional for a in args), f"{task.name} has a positional argument"
    assert task.__doc__ and task.__doc__.strip().splitlines()[0].endswith(".")


def test_publish_owns_dash_c() -> None:
    args = {a.name: a for a in amplify_tasks.publish.get_arguments()}
    assert "c" in args["invalidate_cloudfront"].nicknames


def test_partial_user_config_keeps_other_defaults() -> None:
    # invoke merges collection config one level deep: a partial "hosting" dict replaces ours.
    ns = Collection()
    ns.add_collection(amplify_tasks.hosting)
    ns.configure({"hosting": {"concurrency": 4}})
    from invoke import Config

    cfg = Config()
    cfg.load_collection(ns.configuration())
    merged = hosting_config(cfg)
    assert merged["concurrency"] == 4
    assert merged["backend_dir"] == CONFIG_DEFAULTS["backend_dir"]
    project = Project(root=Path("/x"), config=merged)
    assert project.template_path("dev") == Path("/x/amplify/backend/hosting/dev/template.json")


def test_inv_list_reads_well(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    out = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in ("publish", "hosting.add", "hosting.configure", "local.up"):
        line = next((ln for ln in out.splitlines() if ln.strip().startswith(name + " ")), "")
        assert line.strip() != name and len(line.split()) > 1, f"{name} has no summary: {out}"
    help_out = subprocess.run(
        [sys.executable, "-m", "invoke", "--help", "publish"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-c, --invalidate-cloudfront" in help_out


def test_paths_resolve_against_the_project_root_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    sub = tmp_path / "src" / "deep"
    sub.mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "hosting.add", "--stage", "dev", "--yes"],
        cwd=sub,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".env.dev").is_file()
    assert (tmp_path / "amplify" / "backend" / "hosting" / "dev" / "template.json").is_file()
    assert not (sub / ".env.dev").exists()
