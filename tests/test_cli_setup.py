"""`inv hosting.add` and `inv hosting.configure` run as a user would, in a temp project without
a terminal: files written, templates that lint clean, and one-line errors for bad input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint


class Cli:
    """A temp project whose tasks.py is our namespace; ``inv`` runs there without a TTY."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True)
        (root / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTING_")}
        self.env.pop("AMPLIFY_TASKS_DEBUG", None)
        self.env.pop("INVOKE_DEBUG", None)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if ok and result.returncode != 0:
            raise AssertionError(f"inv {args} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def fail(self, *args: str) -> str:
        """Run a command that must fail with one line on stderr and change no file."""
        before = self.snapshot()
        result = self.run(*args, ok=False)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ")
        assert self.snapshot() == before
        return lines[0]

    def snapshot(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }

    def template(self, stage: str) -> dict[str, Any]:
        path = self.root / "amplify" / "backend" / "hosting" / stage / "template.json"
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def env_file(self, stage: str) -> str:
        return (self.root / f".env.{stage}").read_text()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "web-app")


def lint_findings(path: Path) -> list[str]:
    matches = lint(path.read_text(), config=ManualArgs(include_checks=["I"]))
    return [f"{m.rule.id} {m.message}" for m in matches]


def test_add_dev_and_prod_write_settings_and_clean_templates(cli: Cli) -> None:
    out = cli.run("hosting.add", "--stage", "dev", "--yes").stdout
    assert "added stage dev" in out
    assert "wrote .env.dev" in out and "wrote amplify/backend/hosting/dev/template.json" in out
    assert "next: inv publish --stage dev" in out
    out = cli.run("hosting.add", "--stage", "prod", "--yes").stdout
    assert "wrote .env.prod" in out and "wrote .env\n" not in out

    assert "HOSTING_CLOUDFRONT=false" in cli.env_file("dev")
    assert "HOSTING_CLOUDFRONT=true" in cli.env_file("prod")
    assert "HOSTING_APP_NAME=web-app" in (cli.root / ".env").read_text()
    assert ".DS_Store" in (cli.root / ".publishignore").read_text()
    for stage in ("dev", "prod"):
        path = cli.root / "amplify" / "backend" / "hosting" / stage / "template.json"
        assert lint_findings(path) == []

    prod = cli.template("prod")
    types = {r["Type"] for r in prod["Resources"].values()}
    assert "AWS::CloudFront::OriginAccessControl" in types
    assert "AWS::CloudFront::CloudFrontOriginAccessIdentity" not in types
    bucket = prod["Resources"]["HostingBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    behavior = prod["Resources"]["Distribution"]["Properties"]["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    assert behavior["ResponseHeadersPolicyId"] == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert prod["Description"].startswith("Static hosting for web-app, stage prod")


def test_add_refuses_to_overwrite_without_force(cli: Cli) -> None:
    cli.run("hosting.add", "--stage", "prod", "--yes")
    (cli.root / ".env.prod").write_text("HOSTING_CLOUDFRONT=true\nMINE=1\n")
    line = cli.fail("hosting.add", "--stage", "prod", "--yes")
    assert ".env.prod already exists" in line and "--force" in line
    cli.run("hosting.add", "--stage", "prod", "--yes", "--force")
    assert "MINE" not in cli.env_file("prod")


def test_add_other_stages_choose_with_cloudfront_flag(cli: Cli) -> None:
    cli.run("hosting.add", "--stage", "qa", "--yes")
    assert "HOSTING_CLOUDFRONT=false" in cli.env_file("qa")
    cli.run("hosting.add", "--stage", "staging", "--cloudfront")
    assert "Distribution" in cli.template("staging")["Resources"]
    cli.run("hosting.add", "--stage", "dev", "--cloudfront")
    assert "HOSTING_CLOUDFRONT=true" in cli.env_file("dev")
    line = cli.fail("hosting.add", "--stage", "x", "--cloudfront", "--no-cloudfront")
    assert "contradict" in line


def test_add_without_stage_and_terminal_fails_clearly(cli: Cli) -> None:
    line = cli.fail("hosting.add")
    assert "no stage given" in line and "--stage" in line


def test_add_uses_the_configured_default_stage(cli: Cli) -> None:
    (cli.root / "invoke.yaml").write_text("hosting:\n  default_stage: prod\n")
    cli.run("hosting.add", "--yes")
    assert "HOSTING_CLOUDFRONT=true" in cli.env_file("prod")


def test_configure_no_cloudfront_gives_dev_shape_with_same_bucket(cli: Cli) -> None:
    cli.run("hosting.add", "--stage", "prod", "--yes")
    before = cli.template("prod")
    out = cli.run("hosting.configure", "--stage", "prod", "--no-cloudfront").stdout
    after = cli.template("prod")
    assert "HOSTING_CLOUDFRONT: true -> false" in out
    assert "-Distribution" in out and "+WebsiteURL" in out
    assert "HostingBucket" in before["Resources"] and "HostingBucket" in after["Resources"]
    assert "Distribution" not in after["Resources"]
    assert "WebsiteConfiguration" in after["Resources"]["HostingBucket"]["Properties"]
    assert "HOSTING_CLOUDFRONT=false" in cli.env_file("prod")
    path = cli.root / "amplify" / "backend" / "hosting" / "prod" / "template.json"
    assert lint_findings(path) == []


def test_configure_flags_write_settings_and_ignore_patterns(cli: Cli) -> None:
    cli.run("hosting.add", "--stage", "prod", "--yes")
    out = cli.run(
        "hosting.configure",
        "--stage",
        "prod",
        "--index-doc",
        "home.html",
        "--error-doc",
        "404.html",
        "--min-ttl",
        "0",
        "--default-ttl",
        "300",
        "--max-ttl",
        "600",
        "--error-response",
        "404:/404.html:404",
        "--error-response",
        "500:/500.html:500:5",
        "--ignore",
        "*.map",
        "--ignore",
        "/drafts/",
        "--unignore",
        "Thumbs.db",
    ).stdout
    env = cli.env_file("prod")
    for line in (
        "HOSTING_INDEX_DOCUMENT=home.html",
        "HOSTING_ERROR_DOCUMENT=404.html",
        "HOSTING_MIN_TTL=0",
        "HOSTING_DEFAULT_TTL=300",
        "HOSTING_MAX_TTL=600",
        "HOSTING_ERROR_RESPONSES=404:/404.html:404:300,500:/500.html:500:5",
    ):
        assert line in env.splitlines(), env
    assert env.startswith("# Settings of stage prod")
    ignore_text = (cli.root / ".publishignore").read_text()
    assert "*.map\n/drafts/\n" in ignore_text and "Thumbs.db" not in ignore_text
    assert ".publishignore: +*.map +/drafts/ -Thumbs.db" in out
    assert "~CachePolicy" in out and "~Distribution" in out

    cfg = cli.template("prod")["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert cfg["DefaultRootObject"] == "home.html"
    assert [r["ErrorCode"] for r in cfg["CustomErrorResponses"]] == [404, 500]

    cli.run("hosting.configure", "--stage", "prod", "--error-response", "404:/nf.html:404")
    assert "HOSTING_ERROR_RESPONSES=404:/nf.html:404:300,500:/500.html:500:5" in cli.env_file(
        "prod"
    )
    cli.run("hosting.configure", "--stage", "prod", "--clear-error-responses", "--spa")
    env = cli.env_file("prod")
    assert "HOSTING_ERROR_RESPONSES=\n" in env and "HOSTING_SPA=true" in env
    cfg = cli.template("prod")["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    assert [(r["ErrorCode"], r["ResponseCode"]) for r in cfg["CustomErrorResponses"]] == [
        (403, 200),
        (404, 200),
    ]
    out = cli.run("hosting.configure", "--stage", "prod").stdout
    assert "settings unchanged" in out and "no changes" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--min-ttl", "1.5"], "HOSTING_MIN_TTL='1.5' (from --min-ttl) is not a whole number"),
        (["--min-ttl", "500", "--default-ttl", "100"], "HOSTING_MIN_TTL='500'"),
        (["--default-ttl", "999999999"], "HOSTING_DEFAULT_TTL='999999999'"),
        (["--error-response", "418:/t.html:200"], "error code '418'"),
        (["--error-response", "404:nf.html:404"], "must start with '/'"),
        (["--error-response", "404"], "CODE:PATH:RESPONSE_CODE"),
        (["--index-doc", "a/index.html"], "HOSTING_INDEX_DOCUMENT='a/index.html'"),
        (["--error-doc", "x/404.html"], "HOSTING_ERROR_DOCUMENT='x/404.html'"),
        (["--ignore", "#x"], "ignore pattern '#x'"),
        (["--section", "cdn"], "--section 'cdn' is unknown"),
        (["--spa", "--no-spa"], "contradict"),
    ],
)
def test_configure_bad_flags_change_nothing(cli: Cli, args: list[str], expected: str) -> None:
    cli.run("hosting.add", "--stage", "prod", "--yes")
    line = cli.fail("hosting.configure", "--stage", "prod", *args)
    assert expected in line


@pytest.mark.parametrize(
    ("file_text", "expected"),
    [
        ("HOSTING_CLOUDFRONT=perhaps\n", "HOSTING_CLOUDFRONT='perhaps' (in .env.prod)"),
        ("HOSTING_BUCKET_NAME=Not_Valid\n", "HOSTING_BUCKET_NAME='Not_Valid'"),
        ("HOSTING_DOMAIN_NAMES=www.example.com\n", "HOSTING_CERTIFICATE_ARN"),
        (
            "HOSTING_DOMAIN_NAMES=a.example.com\nHOSTING_CERTIFICATE_ARN="
            "arn:aws:acm:eu-west-1:123456789012:certificate/abc\n",
            "us-east-1",
        ),
        ("this line is broken\n", ".env.prod line 2"),
    ],
)
def test_bad_settings_files_fail_in_one_line(cli: Cli, file_text: str, expected: str) -> None:
    cli.run("hosting.add", "--stage", "prod", "--yes")
    (cli.root / ".env.prod").write_text("HOSTING_CLOUDFRONT=true\n" + file_text)
    assert expected in cli.fail("hosting.configure", "--stage", "prod", "--min-ttl", "1")


def test_bad_shared_file_stops_add_before_writing(cli: Cli) -> None:
    (cli.root / ".env").write_text("HOSTING_SPA=sometimes\n")
    line = cli.fail("hosting.add", "--stage", "dev", "--yes")
    assert "HOSTING_SPA='sometimes' (in .env)" in line


def test_bad_stage_names_and_missing_stage(cli: Cli) -> None:
    assert "stage name 'Prod' is invalid" in cli.fail("hosting.add", "--stage", "Prod", "--yes")
    assert "stage name 'a_b' is invalid" in cli.fail("hosting.configure", "--stage", "a_b")
    line = cli.fail("hosting.configure", "--stage", "qa", "--min-ttl", "5")
    assert "run `inv hosting.add --stage qa`" in line
    line = cli.fail("hosting.configure", "--min-ttl", "5")
    assert "no stage given" in line


def test_a_mistyped_stage_lists_the_stages_and_suggests_the_closest(cli: Cli) -> None:
    cli.run("hosting.add", "--stage", "dev", "--yes")
    cli.run("hosting.add", "--stage", "prod", "--yes")
    line = cli.fail("publish", "--stage", "prdo")
    assert "the stages are dev, prod: did you mean --stage prod?" in line
    assert "inv hosting.add --stage prdo" in line
    line = cli.fail("hosting.status", "--stage", "staging")
    assert "the stages are dev, prod: pass one of them" in line and "did you mean" not in line


def test_settings_shows_every_key_with_its_value_source_and_meaning(cli: Cli) -> None:
    from amplify_tasks.settings import KEYS

    cli.run("hosting.add", "--stage", "prod", "--yes")
    assert "inv hosting.settings --stage prod" in (cli.root / ".env.prod").read_text()
    assert ".env.example" not in (cli.root / ".env.prod").read_text()
    secret = "tok-8f3a9c2e71d4"
    with (cli.root / ".env").open("a") as env_file:
        env_file.write(f"HOSTING_DIST_DIR=public\nHOSTING_DEPLOY_TOKEN={secret}\n")
        env_file.write(f"HOSTING_BUILD_COMMAND='make site TOKEN={secret}'\n")
    cli.env.update(HOSTING_MAX_DELETES="9", SITE_API_TOKEN=secret)

    data = json.loads(cli.run("hosting.settings", "--stage", "prod", "--json").stdout)
    rows = data["settings"]
    assert data["stage"] == "prod" and list(rows)[: len(KEYS)] == [k.name for k in KEYS]
    assert {k.name: rows[k.name]["meaning"] for k in KEYS} == {k.name: k.meaning for k in KEYS}
    assert rows["HOSTING_DIST_DIR"] == {
        "value": "public",
        "source": ".env",
        "default": "dist",
        "meaning": next(k.meaning for k in KEYS if k.name == "HOSTING_DIST_DIR"),
    }
    assert rows["HOSTING_CLOUDFRONT"]["source"] == ".env.prod"
    assert (rows["HOSTING_MAX_DELETES"]["value"], rows["HOSTING_MAX_DELETES"]["source"]) == (
        "9",
        "environment",
    )
    assert (rows["HOSTING_SPA"]["value"], rows["HOSTING_SPA"]["source"]) == ("false", "default")
    app = rows["HOSTING_APP_NAME"]["value"]
    assert rows["HOSTING_STACK_NAME"]["value"] == f"{app}-hosting-prod"
    assert rows["HOSTING_TERMINATION_PROTECTION"]["value"] == "true"
    assert rows["HOSTING_DEPLOY_TOKEN"]["value"] == "***"
    assert rows["HOSTING_BUILD_COMMAND"]["value"] == "make site TOKEN=***"

    text = cli.run("hosting.settings", "--stage", "prod").stdout
    assert secret not in text and secret not in json.dumps(data)
    lines = text.splitlines()
    assert lines[0].startswith("settings of stage prod")
    dist = next(line for line in lines if "HOSTING_DIST_DIR" in line).split()
    assert dist[:3] == ["HOSTING_DIST_DIR", "public", ".env"]
    assert all(any(k.name in line for line in lines) for k in KEYS)
