"""The pre-built hooks: build, require-clean-git, export-outputs and smoke-test, each switched
by its settings; the smoke test fetches website previews served by the loopback emulator.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from stacks import website_template

from amplify_tasks import hooks
from amplify_tasks.errors import HookError, StackError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.hooks.prebuilt.smoke_test import Fetched, looks_like_html, smoke_check
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings
from amplify_tasks.stack.outputs import StackOutputs


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "stage": "prod",
        "app_name": "shop",
        "stack_name": "shop-prod",
        "require_clean_git": False,
        "smoke_test": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "site"
    root.mkdir()
    return Project.at(root)


def ctx_for(settings: Settings, **kwargs: Any) -> HookContext:
    return HookContext(task="publish", stage=settings.stage, settings=settings, **kwargs)


def names(project: Project, event: str, settings: Any, **args: Any) -> list[str]:
    return [h.name for h in hooks.hooks_for(project, event, settings, args)]


# -- build -------------------------------------------------------------------------------------
def test_build_runs_the_build_command_with_streamed_output(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(build_command='mkdir -p dist && echo "<p>$HOSTING_STAGE</p>" > dist/i')
    hooks.run_event(project, "pre-publish", ctx_for(settings))
    assert (project.root / "dist" / "i").read_text() == "<p>prod</p>\n"
    settings = make_settings(build_command="echo compiled; echo warned >&2")
    hooks.run_event(project, "pre-publish", ctx_for(settings))
    assert capsys.readouterr().out.splitlines() == ["[build] compiled", "[build] warned"]


def test_a_failing_build_stops_publish_before_any_upload(project: Project) -> None:
    settings = make_settings(build_command="echo broken; exit 5")
    ctx = ctx_for(settings)
    uploaded = []
    with pytest.raises(HookError) as info, hooks.around(project, "publish", ctx):
        uploaded.append("index.html")
    assert uploaded == []
    assert "'build'" in str(info.value)
    assert "exited with status 5" in str(info.value)
    assert "--skip-build" in str(info.value)


def test_build_is_on_only_with_a_command_and_without_skip_build(project: Project) -> None:
    assert names(project, "pre-publish", make_settings()) == []
    with_command = make_settings(build_command="npm run build")
    assert names(project, "pre-publish", with_command) == ["build"]
    assert names(project, "pre-publish", with_command, skip_build=True) == []


# -- require-clean-git -------------------------------------------------------------------------
def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(project: Project) -> Project:
    git(project.root, "init", "-q")
    (project.root / "index.html").write_text("<html></html>\n")
    git(project.root, "add", "index.html")
    git(project.root, "commit", "-q", "-m", "first")
    return project


CLEAN = {"cloudfront": True, "require_clean_git": True, "export_outputs": "src/outputs.json"}


def test_clean_git_passes_a_clean_tree(repo: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "dist").mkdir()
    (repo.root / "dist" / "app.js").write_text("built\n")
    (repo.root / "src").mkdir()
    (repo.root / "src" / "outputs.json").write_text("{}\n")
    hooks.run_event(repo, "pre-publish", ctx_for(make_settings(**CLEAN)))
    assert "[require-clean-git] working tree is clean" in capsys.readouterr().out


@pytest.mark.parametrize("change", ["modified", "untracked"])
def test_clean_git_refuses_uncommitted_changes(repo: Project, change: str) -> None:
    if change == "modified":
        (repo.root / "index.html").write_text("<html>edited</html>\n")
    else:
        (repo.root / "notes.txt").write_text("draft\n")
    with pytest.raises(HookError) as info:
        hooks.run_event(repo, "pre-publish", ctx_for(make_settings(**CLEAN)))
    message = str(info.value)
    assert "'require-clean-git'" in message and "--allow-dirty" in message
    assert ("index.html" if change == "modified" else "notes.txt") in message


def test_allow_dirty_overrides_clean_git(repo: Project) -> None:
    (repo.root / "index.html").write_text("<html>edited</html>\n")
    ctx = ctx_for(make_settings(**CLEAN), args={"allow_dirty": True})
    hooks.run_event(repo, "pre-publish", ctx)
    assert names(repo, "pre-publish", make_settings(**CLEAN), allow_dirty=True) == []


def test_clean_git_outside_a_repository_says_so_and_passes(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.root.parent))
    hooks.run_event(project, "pre-publish", ctx_for(make_settings(**CLEAN)))
    assert "is not in a git work tree: nothing to check" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ("HOSTING_CLOUDFRONT=true\n", True),
        ("HOSTING_CLOUDFRONT=false\n", False),
        ("HOSTING_CLOUDFRONT=true\nHOSTING_REQUIRE_CLEAN_GIT=false\n", False),
        ("HOSTING_CLOUDFRONT=false\nHOSTING_REQUIRE_CLEAN_GIT=true\n", True),
    ],
)
def test_clean_git_defaults_to_on_for_cloudfront_stages(
    project: Project, env: str, on: bool
) -> None:
    from amplify_tasks.settings.files import load_settings

    (project.root / ".env.prod").write_text(env)
    settings = load_settings(project, "prod", environ={})
    assert names(project, "pre-publish", settings) == (["require-clean-git"] if on else [])
    assert names(project, "pre-publish", None) == []


# -- export-outputs ----------------------------------------------------------------------------
OUTPUTS = {
    "site_url": "http://127.0.0.1:9/",
    "bucket_name": "shop-prod-site",
    "distribution_id": "E123",
}


def test_export_outputs_writes_json_the_frontend_can_import(project: Project) -> None:
    settings = make_settings(export_outputs="src/amplify-outputs.json")
    hooks.run_event(project, "post-deploy", ctx_for(settings, outputs=dict(OUTPUTS)))
    written = json.loads((project.root / "src" / "amplify-outputs.json").read_text())
    assert written == {"stage": "prod", **OUTPUTS}


def test_export_outputs_is_off_when_empty_and_writes_nothing_after_a_failure(
    project: Project,
) -> None:
    assert names(project, "post-deploy", make_settings()) == []
    settings = make_settings(export_outputs="out.json")
    with pytest.raises(StackError), hooks.around(project, "deploy", ctx_for(settings)):
        raise StackError("deploy failed")
    assert not (project.root / "out.json").exists()


def test_export_outputs_writes_stack_outputs_under_their_names(project: Project) -> None:
    outputs = StackOutputs.from_outputs(
        [
            {"OutputKey": "HostingBucketName", "OutputValue": "shop-prod-site"},
            {"OutputKey": "WebsiteURL", "OutputValue": "http://127.0.0.1:9"},
            {"OutputKey": "CloudFrontSecureURL", "OutputValue": "https://d1.cloudfront.net"},
        ]
    )
    settings = make_settings(export_outputs="amplify-outputs.json")
    hooks.run_event(project, "post-deploy", ctx_for(settings, outputs=outputs))
    written = json.loads((project.root / "amplify-outputs.json").read_text())
    assert written["stage"] == "prod"
    assert written["bucket"] == "shop-prod-site"
    assert written["site_url"] == "https://d1.cloudfront.net"
    assert written["raw"]["WebsiteURL"] == "http://127.0.0.1:9"


def test_export_outputs_failure_names_the_path(project: Project) -> None:
    (project.root / "blocked").write_text("a file, not a folder\n")
    settings = make_settings(export_outputs="blocked/out.json")
    with pytest.raises(HookError, match=r"'export-outputs' cannot write .*blocked/out.json"):
        hooks.run_event(project, "post-deploy", ctx_for(settings, outputs=dict(OUTPUTS)))


# -- smoke-test --------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_smoke_check_retries_until_the_site_answers() -> None:
    clock = FakeClock()
    answers = [OSError("refused"), Fetched(403, "application/xml", b"<Error/>")]
    answers.append(Fetched(200, "text/html", b"<!doctype html><p>hi</p>"))

    def fetcher(url: str, timeout: float) -> Fetched:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    result = smoke_check("http://127.0.0.1:1/", 30, fetcher=fetcher, sleep=clock.sleep, clock=clock)
    assert result.status == 200
    assert len(clock.sleeps) == 2


def test_smoke_check_gives_up_at_the_timeout_with_the_last_status() -> None:
    clock = FakeClock()
    calls = []

    def fetcher(url: str, timeout: float) -> Fetched:
        calls.append(url)
        return Fetched(404, "text/html", b"")

    with pytest.raises(HookError, match=r"gave status 404 after \d+ attempt\(s\) in 10s"):
        smoke_check("http://127.0.0.1:1/", 10, fetcher=fetcher, sleep=clock.sleep, clock=clock)
    assert len(calls) > 2 and clock.now <= 10


@pytest.mark.parametrize(
    ("content_type", "head", "html"),
    [
        ("text/html; charset=utf-8", b"", True),
        ("", b"\n<!DOCTYPE html><html>", True),
        ("binary/octet-stream", b"<html lang=en>", True),
        ("application/json", b"<html>", False),
        ("", b'{"not": "html"}', False),
    ],
)
def test_root_document_must_be_html(content_type: str, head: bytes, html: bool) -> None:
    assert looks_like_html(Fetched(200, content_type, head)) is html


def website_bucket(bucket: str, objects: dict[str, tuple[bytes, str]]) -> StackOutputs:
    """A website bucket made by a stack on the emulator, holding ``objects``; the outputs."""
    from amplify_tasks import aws

    template = website_template(bucket)
    cfn = aws.client("cloudformation")
    cfn.create_stack(StackName=bucket, TemplateBody=json.dumps(template))
    cfn.get_waiter("stack_create_complete").wait(
        StackName=bucket, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    s3 = aws.client("s3")
    for key, (body, content_type) in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    stack = cfn.describe_stacks(StackName=bucket)["Stacks"][0]
    outputs = StackOutputs.from_outputs(stack["Outputs"])
    assert outputs.site_url.startswith("http://127.0.0.1:"), outputs
    return outputs


def smoke_settings(**overrides: Any) -> Settings:
    return make_settings(smoke_test=True, smoke_timeout=2, **overrides)


def test_smoke_test_passes_a_published_website_on_the_emulator(
    project: Project,
    emulator: Any,
    aws_env: dict[str, str],
    unique_name: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = {"index.html": (b"<!doctype html><h1>ok</h1>", "text/html")}
    outputs = website_bucket(unique_name("smoke-ok"), page)
    url = outputs.site_url
    ctx = ctx_for(smoke_settings(), outputs=outputs)
    hooks.run_event(project, "post-publish", ctx)
    assert f"[smoke-test] GET {url} -> 200 text/html" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("objects", "expected"),
    [
        ({"about.html": (b"<html></html>", "text/html")}, "gave status 404"),
        ({"index.html": (b'{"a": 1}', "application/json")}, "not an HTML page"),
    ],
)
def test_smoke_test_fails_publish_on_a_missing_or_non_html_root(
    project: Project,
    emulator: Any,
    aws_env: dict[str, str],
    unique_name: Callable[..., str],
    objects: dict[str, tuple[bytes, str]],
    expected: str,
) -> None:
    outputs = website_bucket(unique_name("smoke-bad"), objects)
    url = outputs.site_url
    ctx = ctx_for(smoke_settings(), outputs=outputs)
    with pytest.raises(HookError) as info, hooks.around(project, "publish", ctx):
        pass
    assert "post-publish hook 'smoke-test' failed" in str(info.value)
    assert expected in str(info.value) and url in str(info.value)


def test_smoke_test_is_silent_after_a_failure_and_says_why_on_a_dry_run(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {"site_url": "http://127.0.0.1:9/"}
    ctx = ctx_for(smoke_settings(), outputs=outputs, args={"dry_run": True})
    hooks.run_event(project, "post-publish", ctx)
    with pytest.raises(StackError), hooks.around(project, "publish", ctx_for(smoke_settings())):
        raise StackError("deploy failed")
    out = capsys.readouterr().out
    assert out.splitlines() == ["[smoke-test] dry run: the site is not fetched"]
    assert names(project, "post-publish", make_settings(smoke_test=False)) == []
