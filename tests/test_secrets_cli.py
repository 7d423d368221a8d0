"""Secrets never leave, through `inv` as a user runs it: a Python hook's prints, stderr,
logging and exception are masked, and so is the final error line (also under --debug, with
its traceback); secret-named settings reach no hook; `inv --debug publish` prints no
credential or session token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GITHUB_TOKEN = "ghp_EXAMPLE0123456789abcdefghijklmnopqrstu"
DEPLOY_KEY = "deploy-key-EXAMPLE-0123456789"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE+session/token=0123456789abcdef"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

LEAKY_HOOK = f"""
import logging, os, pathlib, sys

def hook(ctx):
    token = os.environ["GITHUB_TOKEN"]
    deploy = pathlib.Path(".env.dev").read_text().split("HOSTING_DEPLOY_KEY=")[1].split()[0]
    assert deploy == {DEPLOY_KEY!r}
    print("stdout", token, deploy)
    print("stderr", token, deploy, file=sys.stderr)
    logging.getLogger("leaky").warning("logged %s %s", token, deploy)
    print("extra", sorted(ctx.settings.extra))
    raise RuntimeError(f"failing with {{token}} and {{deploy}}")
"""


@pytest.fixture
def project(inv_project: Any, unique_name: Callable[[str], str]) -> Any:
    inv_project.env["HOSTING_APP_NAME"] = unique_name("secret")
    inv_project.env["GITHUB_TOKEN"] = GITHUB_TOKEN
    inv_project.write("dist/index.html", "<!doctype html><title>home</title>")
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    with (inv_project.root / ".env.dev").open("a") as env:
        env.write(f"HOSTING_DEPLOY_KEY={DEPLOY_KEY}\nHOSTING_TEAM=web\n")
    return inv_project


def leaks(result: Any) -> list[str]:
    text = result.stdout + result.stderr
    return [s for s in (GITHUB_TOKEN, DEPLOY_KEY, SESSION_TOKEN, SECRET_KEY) if s in text]


@pytest.mark.parametrize("debug", [False, True])
def test_a_python_hooks_output_logging_and_exception_are_masked(project: Any, debug: bool) -> None:
    project.write("leaky.py", LEAKY_HOOK)
    project.write("invoke.yaml", "hosting:\n  hooks:\n    pre-publish: [leaky:hook]\n")
    args = ["--debug"] if debug else []
    result = project.run(*args, "publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0
    assert leaks(result) == []
    assert "[leaky:hook] stdout *** ***" in result.stdout
    assert "[leaky:hook] extra ['HOSTING_TEAM']" in result.stdout
    assert "[leaky:hook] stderr *** ***" in result.stderr
    assert "logged *** ***" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == (
        "error: pre-publish hook 'leaky:hook' raised RuntimeError: failing with *** and ***"
    )
    assert ("Traceback" in result.stderr) is debug


def test_secret_named_settings_reach_no_script_hook(project: Any) -> None:
    project.env["HOSTING_DEPLOY_KEY"] = DEPLOY_KEY  # as CI would set it, too
    project.write(
        "amplify/hooks/pre-publish.sh",
        'env > hook.env\ncat > hook.json\necho "saw $HOSTING_DEPLOY_KEY"\nexit 1\n',
    )
    result = project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0 and "'pre-publish.sh'" in result.stderr
    env_text = (project.root / "hook.env").read_text()
    document = json.loads((project.root / "hook.json").read_text())
    for text in (env_text, json.dumps(document)):
        assert "HOSTING_DEPLOY_KEY" not in text and DEPLOY_KEY not in text
        assert GITHUB_TOKEN not in text and "GITHUB_TOKEN" not in text
    assert document["settings"]["extra"] == {"HOSTING_TEAM": "web"}
    assert "HOSTING_SETTING_EXTRA" in env_text
    assert "[pre-publish.sh] saw \n" in result.stdout  # the variable is not set for it


@pytest.mark.parametrize("source", ["environment", "credentials file"])
def test_debug_output_carries_no_credentials_or_session_token(project: Any, source: str) -> None:
    if source == "environment":
        project.env["AWS_SESSION_TOKEN"] = SESSION_TOKEN
        project.env["AWS_SECRET_ACCESS_KEY"] = SECRET_KEY
    else:  # no value to mask by: the credential parts themselves are masked
        key_id = project.env.pop("AWS_ACCESS_KEY_ID")
        project.env.pop("AWS_SECRET_ACCESS_KEY")
        Path(project.env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
            f"[default]\naws_access_key_id = {key_id}\n"
            f"aws_secret_access_key = {SECRET_KEY}\naws_session_token = {SESSION_TOKEN}\n"
        )
    result = project.run("--debug", "publish", "--stage", "dev", "--yes")
    assert "uploaded       1" in result.stdout
    assert "botocore" in result.stderr  # the debug log was printed ...
    # ... with the signed headers masked (the request's headers are logged whichever signer)
    assert "X-Amz-Security-Token': b'***'" in result.stderr
    assert leaks(result) == []
    assert "Authorization': b'***'" in result.stderr


def test_post_hooks_are_given_the_error_masked(project: Any) -> None:
    project.write("leaky.py", LEAKY_HOOK)
    project.write(
        "notify.py",
        "import pathlib\ndef hook(ctx):\n    pathlib.Path('notified.txt').write_text(ctx.error)\n",
    )
    project.write(
        "invoke.yaml",
        "hosting:\n  hooks:\n    pre-sync: [leaky:hook]\n    post-publish: [notify:hook]\n",
    )
    project.write("amplify/hooks/post-publish.sh", 'echo "$HOSTING_ERROR" > notified.env\n')
    result = project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0 and leaks(result) == []
    for name in ("notified.txt", "notified.env"):
        text = (project.root / name).read_text()
        assert "raised RuntimeError: failing with *** and ***" in text, name
