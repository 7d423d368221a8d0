"""The interactive paths of `hosting.add` and `hosting.configure`, driven through a
pseudo-terminal: defaults shown, invalid answers asked again, the answers written.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amplify_tasks.prompt import Prompter


class Terminal:
    """`inv` running on a pseudo-terminal; ``expect`` waits for text, ``send`` types a line."""

    def __init__(self, root: Path, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTING_")}
        env["TERM"] = "dumb"
        master, slave = pty.openpty()
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "invoke", *args],
            cwd=root,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.output = ""
        self.seen = 0

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the child closed the terminal
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            found = self.output.find(text, self.seen)
            if found >= 0:
                self.seen = found + len(text)
                return self.output
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.5)) and self.proc.poll() is not None):
                raise AssertionError(f"never saw {text!r}; output so far:\n{self.output}")

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        os.close(self.master)
        code = self.proc.wait(timeout=5)
        return code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    return root


def test_add_asks_for_the_stage_and_asks_again(project: Path) -> None:
    term = Terminal(project, "hosting.add")
    term.expect("Select the environment setup")
    term.expect("1) DEV (S3 only with HTTP)")
    term.expect("2) PROD (S3 with CloudFront using HTTPS)")
    term.expect("Choice [1]: ")
    term.send("7")
    term.expect("answer a number from 1 to 2")
    term.expect("Choice [1]: ")
    term.send("2")
    term.expect("added stage prod")
    assert term.finish() == 0
    assert "HOSTING_CLOUDFRONT=true" in (project / ".env.prod").read_text()


def test_add_other_stage_asks_about_cloudfront(project: Path) -> None:
    term = Terminal(project, "hosting.add", "--stage", "qa")
    term.expect("Serve stage qa through CloudFront (HTTPS) (y/n) [n]: ")
    term.send("y")
    term.expect("added stage qa (S3 + CloudFront")
    assert term.finish() == 0


def test_configure_walks_every_section(project: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "invoke", "hosting.add", "--stage", "prod", "--yes"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    term = Terminal(project, "hosting.configure", "--stage", "prod")
    term.expect("Website")
    term.expect("Index document [index.html]: ")
    term.send("docs/index.html")
    term.expect("no '/'")
    term.expect("Index document [index.html]: ")
    term.send("")
    term.expect("Error document [index.html]: ")
    term.send("404.html")
    term.expect("CloudFront")
    term.expect("with HTTPS (y/n) [y]: ")
    term.send("")
    term.expect("Minimum TTL (seconds) [60]: ")
    term.send("soon")
    term.expect("not a whole number")
    term.send("0")
    term.expect("Default TTL (seconds) [86400]: ")
    term.send("3600")
    term.expect("Maximum TTL (seconds) [31536000]: ")
    term.send("60")
    term.expect("is greater than HOSTING_MAX_TTL=60")  # max below default: asked again
    term.send("")
    term.expect("Single-page app")
    term.send("maybe")
    term.expect("answer y or n")
    term.send("n")
    term.expect("Custom error responses")
    term.send("404:404.html:404")
    term.expect("must start with '/'")
    term.send("404:/404.html:404")
    term.expect("Publish")
    term.expect("now ignored: .DS_Store Thumbs.db desktop.ini")
    term.expect("Patterns to add, separated by spaces: ")
    term.send("*.map /drafts/")
    term.expect("Patterns to stop ignoring, separated by spaces: ")
    term.send("desktop.ini")
    term.expect("template amplify/backend/hosting/prod/template.json")
    assert term.finish() == 0

    env = (project / ".env.prod").read_text().splitlines()
    assert "HOSTING_ERROR_DOCUMENT=404.html" in env
    assert "HOSTING_MIN_TTL=0" in env and "HOSTING_DEFAULT_TTL=3600" in env
    assert "HOSTING_ERROR_RESPONSES=404:/404.html:404:300" in env
    assert not any(line.startswith("HOSTING_INDEX_DOCUMENT") for line in env)
    assert not any(line.startswith("HOSTING_MAX_TTL") for line in env)
    patterns = (project / ".publishignore").read_text()
    assert "*.map\n/drafts/\n" in patterns and "desktop.ini" not in patterns


def test_configure_one_section(project: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "invoke", "hosting.add", "--stage", "prod", "--yes"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    term = Terminal(project, "hosting.configure", "--section", "cloudfront")
    term.expect("Stage to configure")
    term.send("prod")
    term.expect("with HTTPS (y/n) [y]: ")
    term.send("n")
    term.expect("HOSTING_CLOUDFRONT: true -> false")
    assert term.finish() == 0
    assert "Index document" not in term.output and "Patterns" not in term.output


def test_prompter_gives_up_when_input_ends() -> None:
    import io

    from amplify_tasks.errors import SettingsError

    prompter = Prompter(io.StringIO("bad\n"), io.StringIO())
    with pytest.raises(SettingsError, match="input ended"):
        prompter.confirm("Go", True)


def test_input_ending_at_the_delete_question_says_pass_yes(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    import boto3

    inv_project.env["HOSTING_APP_NAME"] = unique_name("eof")
    inv_project.env["HOSTING_SMOKE_TEST"] = "false"
    inv_project.write("dist/index.html", "<!doctype html><title>home</title>")
    inv_project.write("dist/old.html", "<!doctype html><title>old</title>")
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    inv_project.run("publish", "--stage", "dev")
    (inv_project.root / "dist" / "old.html").unlink()
    (inv_project.root / ".env").write_text(
        f"HOSTING_APP_NAME={inv_project.env['HOSTING_APP_NAME']}\n"
    )

    term = Terminal(inv_project.root, "publish", "--stage", "dev")
    term.expect("delete 1 stale object(s) from bucket")
    os.write(term.master, b"\x04")  # Ctrl-D: input ends
    assert term.finish() != 0
    tail = term.output[term.seen :]
    errors = [line for line in tail.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: input ended at the question whether to delete stale objects: nothing was "
        "uploaded or deleted; answer y or n, or pass --yes"
    ]
    assert "Traceback" not in tail and "published stage" not in tail
    bucket = next(
        b["Name"]
        for b in boto3.client("s3").list_buckets()["Buckets"]
        if b["Name"].startswith(inv_project.env["HOSTING_APP_NAME"])
    )
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert "old.html" in keys
