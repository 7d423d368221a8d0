"""The hook runner: the three kinds and their order, the JSON contract and HOSTING_* variables,
secrets kept out, failure semantics around a task, and the switches that turn user hooks off.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from amplify_tasks import hooks, secret
from amplify_tasks.errors import HookError, StackError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings

DUMP_STDIN_PY = textwrap.dedent(
    """
    import pathlib, sys
    name = pathlib.Path(sys.argv[0]).name
    pathlib.Path("out-" + name + ".json").write_text(sys.stdin.read())
    print("ran " + name)
    """
)
DUMP_ENV_SH = 'env > "out-$(basename "$0").env"\necho "ran $(basename "$0")"\n'


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "stage": "dev",
        "app_name": "shop",
        "stack_name": "shop-dev",
        "bucket_name": "shop-dev-site",
        "require_clean_git": False,
        "smoke_test": False,
    }
    values.update(overrides)
    return Settings(**values)


def write(path: Path, text: str, executable: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "site"
    root.mkdir()
    return Project.at(root)


@pytest.fixture
def py_hooks(project: Project) -> Iterator[Callable[[str, str], str]]:
    """Write a Python module into the project; returns its unique module name."""

    def make(event: str, body: str) -> str:
        name = f"hookmod_{uuid.uuid4().hex[:8]}"
        write(project.root / f"{name}.py", textwrap.dedent(body))
        table = dict(project.config["hooks"])
        table.setdefault(event, []).append(f"{name}:hook")
        object.__setattr__(project, "config", {**project.config, "hooks": table})
        return name

    yield make
    sys.path[:] = [p for p in sys.path if p != str(project.root)]


def script(project: Project, name: str, text: str, executable: bool = False) -> Path:
    return write(project.hooks_dir / name, text, executable)


def ctx_for(task: str = "publish", **kwargs: Any) -> HookContext:
    kwargs.setdefault("stage", "dev")
    kwargs.setdefault("settings", make_settings())
    return HookContext(task=task, **kwargs)


def prefixed(out: str) -> list[str]:
    return [line.split("]", 1)[0] + "]" for line in out.splitlines() if line.startswith("[")]


# -- kinds and order ---------------------------------------------------------------------------
def test_each_kind_runs_in_order(
    project: Project, py_hooks: Callable[[str, str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    module = py_hooks("pre-publish", "def hook(ctx):\n    print('python saw', ctx.event)\n")
    script(project, "pre-publish.sh", "echo from bash\n")
    script(project, "pre-publish.py", "print('from python script')\n")
    script(project, "pre-publish", "#!/bin/sh\necho from executable\n", executable=True)
    script(project, "pre-publish.sh.sample", "exit 1\n")
    script(project, "post-publish.sh", "echo wrong event\n")
    settings = make_settings(cloudfront=True, require_clean_git=True)

    hooks.run_event(project, "pre-publish", ctx_for(settings=settings))

    out = capsys.readouterr().out
    assert prefixed(out) == [
        "[require-clean-git]",
        f"[{module}:hook]",
        "[pre-publish]",
        "[pre-publish.py]",
        "[pre-publish.sh]",
    ]
    assert f"[{module}:hook] python saw pre-publish" in out
    assert "[pre-publish.sh] from bash" in out
    assert "[pre-publish] from executable" in out
    assert "wrong event" not in out


def test_hooks_for_lists_kinds_in_order(project: Project, py_hooks: Callable[..., str]) -> None:
    module = py_hooks("post-deploy", "def hook(ctx):\n    pass\n")
    script(project, "post-deploy.sh", "true\n")
    found = hooks.hooks_for(project, "post-deploy", make_settings(export_outputs="out.json"))
    assert [(h.kind.value, h.name) for h in found] == [
        ("built-in", "export-outputs"),
        ("python", f"{module}:hook"),
        ("script", "post-deploy.sh"),
    ]


def test_output_of_both_streams_is_prefixed_line_by_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    script(project, "pre-add.sh", "echo one\necho two >&2\nprintf 'three'\n")
    hooks.run_event(project, "pre-add", ctx_for("add"))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["[pre-add.sh] one", "[pre-add.sh] two", "[pre-add.sh] three"]


def test_python_callable_receives_the_context(
    project: Project, py_hooks: Callable[..., str]
) -> None:
    module = py_hooks(
        "pre-configure",
        "SEEN = []\ndef hook(ctx):\n    SEEN.append((ctx.event, ctx.task, ctx.stage, ctx.args))\n",
    )
    hooks.run_event(project, "pre-configure", ctx_for("configure", args={"section": "website"}))
    assert sys.modules[module].SEEN == [
        ("pre-configure", "configure", "dev", {"section": "website"})
    ]


# -- the JSON contract and the environment -----------------------------------------------------
def _schema() -> dict[str, Any]:
    return json.loads(hooks.SCHEMA_PATH.read_text())


def test_json_input_matches_the_schema(project: Project) -> None:
    script(project, "post-deploy.py", DUMP_STDIN_PY)
    ctx = ctx_for(
        args={"dry_run": False, "invalidate": True},
        outputs={"site_url": "http://127.0.0.1:1/", "bucket_name": "shop-dev-site"},
    )
    hooks.run_event(project, "post-deploy", ctx)
    document = json.loads((project.root / "out-post-deploy.py.json").read_text())
    jsonschema.validate(document, _schema())
    assert document["event"] == "post-deploy"
    assert document["hook"] == "post-deploy.py"
    assert document["task"] == "publish"
    assert document["stage"] == "dev"
    assert document["args"] == {"dry_run": False, "invalidate": True}
    assert document["settings"]["bucket_name"] == "shop-dev-site"
    assert document["outputs"]["site_url"] == "http://127.0.0.1:1/"
    assert document["error"] is None
    assert document["project_root"] == str(project.root)


def test_schema_rejects_a_document_that_breaks_the_contract(project: Project) -> None:
    ctx = ctx_for(event="pre-publish", project=project)
    ctx.event = "pre-publish"
    good = hooks.hook_input(ctx, "pre-publish.sh")
    jsonschema.validate(good, _schema())
    for bad in (
        {**good, "event": "pre-launch"},
        {**good, "settings": {**good["settings"], "api_token": "x"}},
        {**good, "error": "a string, not an object"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, _schema())


def test_the_same_facts_arrive_as_hosting_variables(project: Project) -> None:
    script(project, "pre-sync.sh", DUMP_ENV_SH)
    ctx = ctx_for(args={"dry_run": True}, outputs={"site_url": "http://127.0.0.1:9/"})
    hooks.run_event(project, "pre-sync", ctx)
    env = dict(
        line.split("=", 1)
        for line in (project.root / "out-pre-sync.sh.env").read_text().splitlines()
        if "=" in line
    )
    assert env["HOSTING_EVENT"] == "pre-sync"
    assert env["HOSTING_HOOK"] == "pre-sync.sh"
    assert env["HOSTING_TASK"] == "publish"
    assert env["HOSTING_STAGE"] == "dev"
    assert env["HOSTING_PROJECT_ROOT"] == str(project.root)
    assert env["HOSTING_ARG_DRY_RUN"] == "true"
    assert env["HOSTING_SETTING_BUCKET_NAME"] == "shop-dev-site"
    assert env["HOSTING_SETTING_CLOUDFRONT"] == "false"
    assert env["HOSTING_OUTPUT_SITE_URL"] == "http://127.0.0.1:9/"
    assert "HOSTING_ERROR" not in env


SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
    "NPM_TOKEN": "npm_EXAMPLE0123456789",
    "db_password": "hunter2hunter2",
    "My_Secret_Thing": "s3cr3t-value-xyz",
}


def test_secrets_never_reach_hook_json_or_environment(
    project: Project,
    py_hooks: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    script(project, "pre-publish.py", DUMP_STDIN_PY)
    script(project, "pre-publish.sh", DUMP_ENV_SH)
    py_hooks(
        "pre-publish",
        "import os\ndef hook(ctx):\n    print('key', os.environ['AWS_SECRET_ACCESS_KEY'])\n",
    )
    settings = make_settings(
        extra={"HOSTING_DEPLOY_TOKEN": "tok-EXAMPLE-123456", "HOSTING_TEAM": "web"}
    )
    ctx = ctx_for(settings=settings, args={"password": "pw-EXAMPLE-123456", "dry_run": False})

    hooks.run_event(project, "pre-publish", ctx)

    document_text = (project.root / "out-pre-publish.py.json").read_text()
    env_text = (project.root / "out-pre-publish.sh.env").read_text()
    output = capsys.readouterr().out
    document = json.loads(document_text)
    jsonschema.validate(document, _schema())
    assert document["settings"]["extra"] == {"HOSTING_TEAM": "web"}
    assert document["args"] == {"dry_run": False}
    for text in (document_text, env_text):
        for name, value in {**SECRETS, "X": "tok-EXAMPLE-123456", "Y": "pw-EXAMPLE-123456"}.items():
            assert value not in text
            if name not in {"X", "Y"}:
                assert f"{name}=" not in text
        assert "HOSTING_DEPLOY_TOKEN" not in text
    assert "HOSTING_SETTING_EXTRA" in env_text
    assert "key ***" in output and SECRETS["AWS_SECRET_ACCESS_KEY"] not in output


def test_secret_names_follow_the_patterns() -> None:
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "gh_token", "PassWord", "x_secret"):
        assert secret.is_secret_name(name)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_REGION", "HOSTING_STAGE", "PATH"):
        assert not secret.is_secret_name(name)


# -- failure semantics -------------------------------------------------------------------------
def test_failing_pre_hook_names_hook_and_status_and_stops_the_event(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    script(project, "pre-remove.py", "import sys\nsys.exit(3)\n")
    script(project, "pre-remove.sh", "echo should not run\n")
    with pytest.raises(HookError) as info:
        hooks.run_event(project, "pre-remove", ctx_for("remove"))
    assert "'pre-remove.py'" in str(info.value)
    assert "exit status 3" in str(info.value)
    assert "should not run" not in capsys.readouterr().out


def test_failing_python_hook_names_it_and_its_exception(
    project: Project, py_hooks: Callable[..., str]
) -> None:
    module = py_hooks("pre-add", "def hook(ctx):\n    raise ValueError('bad input')\n")
    with pytest.raises(HookError, match=rf"'{module}:hook' raised ValueError: bad input"):
        hooks.run_event(project, "pre-add", ctx_for("add"))


def test_failing_pre_hook_aborts_before_any_aws_call(
    project: Project, emulator: Any, aws_env: dict[str, str], unique_name: Callable[..., str]
) -> None:
    from amplify_tasks import aws

    def guarded_create(bucket: str) -> None:
        s3 = aws.client("s3")
        with hooks.around(project, "publish", ctx_for()):
            s3.create_bucket(Bucket=bucket)

    def calls_for(bucket: str) -> list[dict[str, Any]]:
        return [r for r in emulator.requests("s3") if bucket in json.dumps(r)]

    allowed = unique_name("hooks-ok")
    guarded_create(allowed)
    assert calls_for(allowed), "the block reaches the emulator when no hook fails"

    script(project, "pre-publish.sh", "echo refusing\nexit 7\n")
    refused = unique_name("hooks-no")
    before = len(emulator.requests())
    with pytest.raises(HookError, match="exit status 7"):
        guarded_create(refused)
    assert len(emulator.requests()) == before
    assert calls_for(refused) == []


def test_post_hooks_run_after_a_failure_and_are_given_the_error(
    project: Project, py_hooks: Callable[..., str]
) -> None:
    module = py_hooks("post-publish", "SEEN = []\ndef hook(ctx):\n    SEEN.append(ctx.error)\n")
    script(project, "post-publish.py", DUMP_STDIN_PY)
    script(project, "post-publish.sh", DUMP_ENV_SH)
    ran = []
    failing = pytest.raises(StackError, match="stack shop-dev failed")
    with failing, hooks.around(project, "publish", ctx_for()):
        ran.append("body")
        raise StackError("stack shop-dev failed: fix it")
    assert ran == ["body"]
    assert sys.modules[module].SEEN == ["stack shop-dev failed: fix it"]
    document = json.loads((project.root / "out-post-publish.py.json").read_text())
    jsonschema.validate(document, _schema())
    assert document["error"] == {"message": "stack shop-dev failed: fix it", "type": "StackError"}
    env_text = (project.root / "out-post-publish.sh.env").read_text()
    assert "HOSTING_ERROR=stack shop-dev failed: fix it" in env_text
    assert "HOSTING_ERROR_TYPE=StackError" in env_text


def test_a_failing_post_hook_after_a_failure_keeps_the_original_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    script(project, "post-remove.sh", "exit 4\n")
    with pytest.raises(StackError), hooks.around(project, "remove", ctx_for("remove")):
        raise StackError("delete failed")
    assert "exit status 4" in capsys.readouterr().err


def test_post_event_runs_every_hook_then_fails_the_task(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    script(project, "post-add.py", "import sys\nsys.exit(2)\n")
    script(project, "post-add.sh", 'echo "after: $HOSTING_ERROR"\n')
    failing = pytest.raises(HookError, match=r"'post-add.py' failed with exit status 2")
    with failing, hooks.around(project, "add", ctx_for("add")):
        pass
    assert "[post-add.sh] after: post-add hook 'post-add.py' failed" in capsys.readouterr().out


def test_publish_steps_nest_and_outputs_reach_post_publish(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    for event in ("pre-publish", "pre-deploy", "post-deploy", "pre-sync", "post-sync"):
        script(project, f"{event}.sh", 'echo "$HOSTING_EVENT ${HOSTING_OUTPUT_SITE_URL:-none}"\n')
    script(project, "post-publish.sh", 'echo "$HOSTING_EVENT $HOSTING_OUTPUT_SITE_URL"\n')
    ctx = ctx_for()
    with hooks.around(project, "publish", ctx):
        with hooks.around(project, "deploy", ctx):
            ctx.outputs = {"site_url": "http://127.0.0.1:8/"}
        with hooks.around(project, "sync", ctx):
            pass
    events = [line.split("] ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert events == [
        "pre-publish none",
        "pre-deploy none",
        "post-deploy http://127.0.0.1:8/",
        "pre-sync http://127.0.0.1:8/",
        "post-sync http://127.0.0.1:8/",
        "post-publish http://127.0.0.1:8/",
    ]


# -- bad hooks fail clearly --------------------------------------------------------------------
def test_a_script_that_is_not_executable_fails_with_the_fix(project: Project) -> None:
    script(project, "pre-add.js", "console.log('x')\n")
    with pytest.raises(HookError, match=r"not executable: `chmod \+x .*pre-add.js`"):
        hooks.run_event(project, "pre-add", ctx_for("add"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"pre-launch": ["m:f"]}, "unknown event"),
        ({"pre-add": ["no_colon"]}, "is not 'module:function'"),
        ({"pre-add": ["missing_module_xyz:f"]}, "cannot import hook 'missing_module_xyz:f'"),
        ({"pre-add": ["json:no_such_function"]}, "json has no function no_such_function"),
    ],
)
def test_bad_python_hook_config_fails_clearly(
    project: Project, table: dict[str, list[str]], message: str
) -> None:
    configured = Project.at(project.root, hooks=table)
    with pytest.raises(HookError, match=message):
        hooks.run_event(configured, "pre-add", ctx_for("add"))


def test_unknown_event_is_refused(project: Project) -> None:
    with pytest.raises(HookError, match="unknown hook event 'pre-launch'"):
        hooks.run_event(project, "pre-launch", ctx_for())


# -- switches ----------------------------------------------------------------------------------
def test_user_hooks_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(hooks.DISABLE_ENV, raising=False)
    assert hooks.user_hooks_enabled(False)
    assert not hooks.user_hooks_enabled(True)
    monkeypatch.setenv(hooks.DISABLE_ENV, "1")
    assert not hooks.user_hooks_enabled(False)
    monkeypatch.setenv(hooks.DISABLE_ENV, "0")
    assert hooks.user_hooks_enabled(False)


def test_without_user_hooks_only_pre_built_ones_run(
    project: Project, py_hooks: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    py_hooks("pre-publish", "def hook(ctx):\n    print('python ran')\n")
    script(project, "pre-publish.sh", "echo script ran\n")
    settings = make_settings(require_clean_git=True)
    hooks.run_event(project, "pre-publish", ctx_for(settings=settings), user_hooks=False)
    assert prefixed(capsys.readouterr().out) == ["[require-clean-git]"]


def test_list_hooks_covers_every_event(project: Project, py_hooks: Callable[..., str]) -> None:
    script(project, "pre-publish.sh", "true\n")
    listing = hooks.list_hooks(project, make_settings(build_command="make site", smoke_test=True))
    assert list(listing) == list(hooks.EVENTS)
    assert [h.name for h in listing["pre-publish"]] == ["build", "pre-publish.sh"]
    assert [h.name for h in listing["post-publish"]] == ["smoke-test"]
    assert listing["pre-add"] == []
    assert os.path.basename(str(hooks.SCHEMA_PATH)) == "hook-input.schema.json"
