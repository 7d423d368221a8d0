"""Hooks around `inv publish` run as a user would, on the emulator: a failing pre hook stops
before any AWS call; a publish fires every event in order with the pre-built hooks.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

from amplify_tasks.hooks.events import EVENTS

BUILD = "import pathlib\npathlib.Path('dist').mkdir(exist_ok=True)\n" + (
    "pathlib.Path('dist/index.html').write_text('<!doctype html><h1>shop</h1>')\n"
    "print('built dist')\n"
)
LOG_EVENT = 'echo "event $HOSTING_EVENT ${HOSTING_OUTPUT_BUCKET:-}"\n'


def add_stage(inv_project: Any, unique_name: Callable[..., str]) -> str:
    app = unique_name("hooks")
    inv_project.write(".env", f"HOSTING_APP_NAME={app}\n")
    inv_project.write("build.py", BUILD)
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    with (inv_project.root / ".env.dev").open("a") as env:
        env.write(f"HOSTING_BUILD_COMMAND={sys.executable} build.py\n")
        env.write("HOSTING_EXPORT_OUTPUTS=src/amplify-outputs.json\n")
        env.write("HOSTING_SMOKE_TIMEOUT=5\n")
    return app


def test_a_failing_pre_publish_hook_stops_before_any_aws_call(
    inv_project: Any, emulator: Any, unique_name: Callable[..., str]
) -> None:
    add_stage(inv_project, unique_name)
    inv_project.write("amplify/hooks/pre-publish.sh", "echo not today\nexit 9\n")
    before = len(emulator.requests())
    result = inv_project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0
    assert "'pre-publish.sh'" in result.stderr and "exit status 9" in result.stderr
    assert "Traceback" not in result.stderr
    assert "[pre-publish.sh] not today" in result.stdout
    assert len(emulator.requests()) == before
    # the built-in build runs first within pre-publish; the user hook then stops everything
    assert "[build]" in result.stdout


def test_publish_fires_every_event_in_order_with_the_pre_built_hooks(
    inv_project: Any, emulator: Any, unique_name: Callable[..., str]
) -> None:
    add_stage(inv_project, unique_name)
    publish_events = [e for e in EVENTS if e.split("-", 1)[1] in {"publish", "deploy", "sync"}]
    for event in publish_events:
        inv_project.write(f"amplify/hooks/{event}.sh", LOG_EVENT)

    result = inv_project.run("publish", "--stage", "dev", "--yes")

    tagged = re.findall(r"^\[([^\]]+)\] (.*)$", result.stdout, flags=re.MULTILINE)
    order = [name if not name.endswith(".sh") else text.split()[1] for name, text in tagged]
    order = [o for i, o in enumerate(order) if i == 0 or order[i - 1] != o]
    assert order == [
        "build",
        "pre-publish",
        "pre-deploy",
        "export-outputs",
        "post-deploy",
        "pre-sync",
        "post-sync",
        "smoke-test",
        "post-publish",
    ]
    exported = json.loads((inv_project.root / "src" / "amplify-outputs.json").read_text())
    assert exported["stage"] == "dev"
    assert exported["site_url"].startswith("http://127.0.0.1:")
    assert f"event post-deploy {exported['bucket']}" in result.stdout
    assert re.search(r"^\[smoke-test\] GET http://127\.0\.0\.1:\d+/? -> 200", result.stdout, re.M)

    quiet = inv_project.run("publish", "--stage", "dev", "--yes", "--no-hooks", "--skip-build")
    names = set(re.findall(r"^\[([^\]]+)\]", quiet.stdout, flags=re.MULTILINE))
    assert names <= {"export-outputs", "smoke-test"} and "smoke-test" in names


RECORD_ERROR_PY = """import json, os, sys
doc = json.load(sys.stdin)
with open(os.path.join(doc["project_root"], "hook-errors.log"), "a") as log:
    log.write(json.dumps({"event": doc["event"], "error": doc["error"]}) + "\\n")
"""


def _recorded(inv_project: Any) -> list[dict[str, Any]]:
    log = inv_project.root / "hook-errors.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def test_a_failing_build_is_a_failed_publish_and_post_publish_hooks_are_told(
    inv_project: Any, emulator: Any, unique_name: Callable[..., str]
) -> None:
    add_stage(inv_project, unique_name)
    with (inv_project.root / ".env.dev").open("a") as env:
        env.write("HOSTING_BUILD_COMMAND=echo compiling; exit 3\n")
    inv_project.write("amplify/hooks/post-publish.py", RECORD_ERROR_PY)
    inv_project.write("amplify/hooks/post-deploy.py", RECORD_ERROR_PY)
    before = len(emulator.requests())
    result = inv_project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "'build' failed" in result.stderr and "status 3" in result.stderr
    (record,) = _recorded(inv_project)  # the deploy never started: no post-deploy
    assert record["event"] == "post-publish"
    assert record["error"]["type"] == "HookError"
    assert "'build' failed" in record["error"]["message"]
    assert "status 3" in record["error"]["message"]
    assert len(emulator.requests()) == before  # the smoke test skips a failed publish


def test_a_failing_pre_deploy_hook_tells_post_deploy_and_post_publish(
    inv_project: Any, emulator: Any, unique_name: Callable[..., str]
) -> None:
    add_stage(inv_project, unique_name)
    inv_project.write("amplify/hooks/pre-deploy.sh", "echo no deploys on fridays\nexit 5\n")
    for event in ("post-deploy", "post-sync", "post-publish"):
        inv_project.write(f"amplify/hooks/{event}.py", RECORD_ERROR_PY)
    result = inv_project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0 and "exit status 5" in result.stderr
    records = _recorded(inv_project)
    assert [r["event"] for r in records] == ["post-deploy", "post-publish"]
    assert all("'pre-deploy.sh'" in r["error"]["message"] for r in records)
