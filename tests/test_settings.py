"""Per-stage settings: precedence of .env / .env.<stage> / environment, defaults, every bad
input giving one line that names the key, the value and the fix, and comment-keeping writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_tasks.errors import SettingsError
from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings, read_env_file
from amplify_tasks.settings.keys import KEYS
from amplify_tasks.settings.model import ErrorResponse
from amplify_tasks.settings.validate import build_settings, sanitize_app_name, validate_stage_name
from amplify_tasks.settings.views import as_values, public_dict
from amplify_tasks.settings.writing import write_settings

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "My Cool_Site"
    root.mkdir()
    return Project.at(root)


def write(project: Project, name: str, text: str) -> Path:
    path = project.root / name
    path.write_text(text)
    return path


def test_defaults_of_a_dev_stage(project: Project) -> None:
    write(project, ".env.dev", "HOSTING_CLOUDFRONT=false\n")
    s = load_settings(project, "dev", environ={})
    assert s.app_name == "my-cool-site"
    assert s.stack_name == "my-cool-site-hosting-dev"
    assert s.bucket_name == ""
    assert (s.min_ttl, s.default_ttl, s.max_ttl) == (60, 86400, 31536000)
    assert (s.index_document, s.error_document) == ("index.html", "index.html")
    assert not s.cloudfront and not s.termination_protection and not s.require_clean_git
    assert s.smoke_test and s.smoke_timeout == 60 and s.export_outputs == ""
    assert s.max_deletes == 256 and s.dist_dir == "dist" and s.ignore_file == ".publishignore"


def test_cloudfront_turns_on_protection_defaults(project: Project) -> None:
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=yes\n")
    s = load_settings(project, "prod", environ={})
    assert s.cloudfront and s.termination_protection and s.require_clean_git
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=1\nHOSTING_TERMINATION_PROTECTION=no\n")
    assert not load_settings(project, "prod", environ={}).termination_protection


def test_releases_are_on_with_cloudfront_only(project: Project) -> None:
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=true\n")
    prod = load_settings(project, "prod", environ={})
    assert prod.uses_releases and prod.keep_releases == 10
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=true\nHOSTING_RELEASES=false\n")
    assert not load_settings(project, "prod", environ={}).uses_releases
    write(project, ".env.dev", "HOSTING_CLOUDFRONT=false\nHOSTING_RELEASES=true\n")
    dev = load_settings(project, "dev", environ={})
    assert dev.releases and not dev.uses_releases  # no CloudFront: always in place


def test_precedence_environment_over_stage_over_shared(project: Project) -> None:
    write(project, ".env", "HOSTING_APP_NAME=shared\nHOSTING_MIN_TTL=1\nHOSTING_DIST_DIR=out\n")
    write(project, ".env.prod", "HOSTING_MIN_TTL=2\nHOSTING_MAX_DELETES=3\n")
    s = load_settings(project, "prod", environ={"HOSTING_MAX_DELETES": "9", "OTHER": "x"})
    assert s.app_name == "shared" and s.stack_name == "shared-hosting-prod"
    assert s.dist_dir == "out"
    assert s.min_ttl == 2
    assert s.max_deletes == 9


def test_unknown_hosting_keys_are_kept_in_extra(project: Project) -> None:
    write(project, ".env.dev", "HOSTING_FUTURE=1\nHOSTING_API_TOKEN=s3cr3t\nNOT_OURS=2\n")
    s = load_settings(project, "dev", environ={})
    assert s.extra == {"HOSTING_API_TOKEN": "s3cr3t", "HOSTING_FUTURE": "1"}
    data = public_dict(s)
    assert data["extra"] == {"HOSTING_FUTURE": "1"}
    assert "s3cr3t" not in json.dumps(data)


def test_error_responses_domains_and_lists(project: Project) -> None:
    write(
        project,
        ".env.prod",
        "HOSTING_CLOUDFRONT=true\n"
        "HOSTING_ERROR_RESPONSES=404:/404.html:404, 500:/oops.html:500:10\n"
        f"HOSTING_DOMAIN_NAMES=www.example.com,Example.com\nHOSTING_CERTIFICATE_ARN={CERT}\n",
    )
    s = load_settings(project, "prod", environ={})
    assert s.error_responses == (
        ErrorResponse(404, "/404.html", 404, 300),
        ErrorResponse(500, "/oops.html", 500, 10),
    )
    assert s.domain_names == ("www.example.com", "example.com")
    data = public_dict(s)
    assert data["error_responses"][0] == {
        "code": 404,
        "page": "/404.html",
        "response_code": 404,
        "caching_ttl": 300,
    }
    json.dumps(data)


def test_as_values_round_trips(project: Project) -> None:
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=true\nHOSTING_ERROR_RESPONSES=403:/a:200\n")
    s = load_settings(project, "prod", environ={})
    again = build_settings("prod", as_values(s))
    assert again == s


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("HOSTING_MIN_TTL=1.5", ["HOSTING_MIN_TTL='1.5'", "not a whole number", "set"]),
        ("HOSTING_MAX_TTL=ten", ["HOSTING_MAX_TTL='ten'", "whole number"]),
        ("HOSTING_MIN_TTL=100\nHOSTING_DEFAULT_TTL=50", ["HOSTING_MIN_TTL='100'", "<="]),
        ("HOSTING_DEFAULT_TTL=100\nHOSTING_MAX_TTL=50", ["HOSTING_DEFAULT_TTL='100'", "<="]),
        ("HOSTING_ERROR_RESPONSES=402:/x.html:200", ["HOSTING_ERROR_RESPONSES", "'402'", "404"]),
        ("HOSTING_ERROR_RESPONSES=404:x.html:200", ["'x.html'", "must start with '/'"]),
        ("HOSTING_ERROR_RESPONSES=404", ["CODE:PATH:RESPONSE_CODE"]),
        ("HOSTING_INDEX_DOCUMENT=docs/index.html", ["HOSTING_INDEX_DOCUMENT", "no '/'"]),
        ("HOSTING_ERROR_DOCUMENT=a/404.html", ["HOSTING_ERROR_DOCUMENT='a/404.html'", "no '/'"]),
        ("HOSTING_BUCKET_NAME=My_Bucket", ["HOSTING_BUCKET_NAME='My_Bucket'", "naming rules"]),
        ("HOSTING_BUCKET_NAME=ab", ["3-63"]),
        ("HOSTING_BUCKET_NAME=192.168.1.1", ["IP address"]),
        ("HOSTING_BUCKET_NAME=a..b", ["'.'"]),
        ("HOSTING_BUCKET_NAME=xn--bucket", ["'xn--'"]),
        ("HOSTING_CLOUDFRONT=maybe", ["HOSTING_CLOUDFRONT='maybe'", "true/false/1/0/yes/no"]),
        ("HOSTING_SPA=on", ["HOSTING_SPA='on'", "true/false"]),
        ("HOSTING_DOMAIN_NAMES=www.example.com", ["HOSTING_CERTIFICATE_ARN", "us-east-1"]),
        (
            "HOSTING_DOMAIN_NAMES=www.example.com\nHOSTING_CERTIFICATE_ARN="
            + CERT.replace("us-east-1", "eu-west-1"),
            ["HOSTING_CERTIFICATE_ARN", "eu-west-1", "us-east-1"],
        ),
        ("HOSTING_CERTIFICATE_ARN=not-an-arn", ["HOSTING_CERTIFICATE_ARN", "ARN"]),
        ("HOSTING_DOMAIN_NAMES=bad_domain!", ["HOSTING_DOMAIN_NAMES", "not a domain"]),
        ("HOSTING_PRICE_CLASS=Cheap", ["HOSTING_PRICE_CLASS='Cheap'", "PriceClass_100"]),
        ("HOSTING_STACK_NAME=1stack", ["HOSTING_STACK_NAME", "stack name"]),
        ("HOSTING_APP_NAME=my app", ["HOSTING_APP_NAME", "letters"]),
        ("HOSTING_SMOKE_TIMEOUT=0", ["HOSTING_SMOKE_TIMEOUT", ">= 1"]),
        ("HOSTING_KEEP_RELEASES=0", ["HOSTING_KEEP_RELEASES='0'", ">= 1"]),
        ("HOSTING_RELEASES=often", ["HOSTING_RELEASES='often'", "true/false"]),
        ("HOSTING_DIST_DIR=../elsewhere", ["HOSTING_DIST_DIR", "inside"]),
    ],
)
def test_bad_values_name_key_value_and_fix(
    project: Project, line: str, expected: list[str]
) -> None:
    write(project, ".env.prod", "HOSTING_CLOUDFRONT=true\n" + line + "\n")
    with pytest.raises(SettingsError) as info:
        load_settings(project, "prod", environ={})
    message = str(info.value)
    assert "\n" not in message
    assert ".env.prod" in message or "HOSTING_" in message
    assert ":" in message  # problem: fix
    for part in expected:
        assert part in message, message


def test_bad_value_from_environment_says_so(project: Project) -> None:
    write(project, ".env.dev", "")
    with pytest.raises(SettingsError, match=r"HOSTING_MIN_TTL='x' \(from the environment\)"):
        load_settings(project, "dev", environ={"HOSTING_MIN_TTL": "x"})


def test_bad_value_names_its_file(project: Project) -> None:
    write(project, ".env", "HOSTING_SPA=perhaps\n")
    write(project, ".env.dev", "")
    with pytest.raises(SettingsError, match=r"HOSTING_SPA='perhaps' \(in \.env\)"):
        load_settings(project, "dev", environ={})


@pytest.mark.parametrize("stage", ["Prod", "prod_1", "", "-x", "a" * 33, "prod/x", "de v"])
def test_bad_stage_names(stage: str) -> None:
    with pytest.raises(SettingsError, match=r"stage name .* is invalid: use"):
        validate_stage_name(stage)


@pytest.mark.parametrize("stage", ["dev", "prod", "qa-2", "0"])
def test_good_stage_names(stage: str) -> None:
    assert validate_stage_name(stage) == stage


def test_missing_stage_file_says_run_add(project: Project) -> None:
    with pytest.raises(SettingsError, match=r"run `inv hosting.add --stage staging`"):
        load_settings(project, "staging", environ={})


@pytest.mark.parametrize(
    ("text", "line"),
    [("HOSTING_SPA=true\nthis is not a setting\n", 2), ("A=1\n\n\nB\n", 4)],
)
def test_malformed_dotenv_line(project: Project, text: str, line: int) -> None:
    write(project, ".env", text)
    write(project, ".env.dev", "")
    with pytest.raises(SettingsError, match=rf"^\.env line {line}: .* is not KEY=VALUE: fix"):
        load_settings(project, "dev", environ={})


def test_sanitize_app_name() -> None:
    assert sanitize_app_name("My Cool_Site") == "my-cool-site"
    assert sanitize_app_name("2048 game") == "app-2048-game"
    assert sanitize_app_name("___") == "app"


def test_write_settings_keeps_comments_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / ".env.prod"
    path.write_text(
        "# top comment\n"
        "HOSTING_MIN_TTL=5  # inline\n"
        "\n"
        "OTHER_TOOL=keep me\n"
        "# HOSTING_SPA=false\n"
        'MULTI="line one\nline two"\n'
        "HOSTING_MAX_TTL=9\n"
        "HOSTING_MAX_TTL=10\n"
    )
    write_settings(
        path,
        {
            "HOSTING_MIN_TTL": "7",
            "HOSTING_SPA": "true",
            "HOSTING_MAX_TTL": None,
            "HOSTING_BUILD_COMMAND": "npm run build -- --mode 'prod'",
        },
    )
    text = path.read_text()
    assert text.startswith("# top comment\nHOSTING_MIN_TTL=7\n\nOTHER_TOOL=keep me\n")
    assert "HOSTING_SPA=true\n" in text and "# HOSTING_SPA" not in text
    assert "HOSTING_MAX_TTL" not in text
    values = read_env_file(path)
    assert values == {
        "HOSTING_MIN_TTL": "7",
        "OTHER_TOOL": "keep me",
        "HOSTING_SPA": "true",
        "MULTI": "line one\nline two",
        "HOSTING_BUILD_COMMAND": "npm run build -- --mode 'prod'",
    }


def test_write_settings_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / ".env.qa"
    write_settings(path, {"HOSTING_CLOUDFRONT": "true", "HOSTING_X": None})
    assert path.read_text() == "HOSTING_CLOUDFRONT=true\n"


def test_env_example_and_readme_follow_the_key_table() -> None:
    """Every key of the table is in .env.example with its default, and in the README's
    settings table as the table says it; the defaults are the ones the code applies."""
    root = Path(__file__).resolve().parent.parent
    example = read_env_file(root / ".env.example")
    assert list(example) == [key.name for key in KEYS]
    assert example == {key.name: key.default for key in KEYS}
    assert build_settings("dev", example) == build_settings("dev", {})
    applied = as_values(build_settings("dev", {}))
    assert {k.name: applied[k.name] for k in KEYS if k.default} == {
        k.name: k.default for k in KEYS if k.default
    }
    readme = (root / "README.md").read_text()
    for key in KEYS:
        default = f"`{key.default}`" if key.default else key.default_text
        assert f"| `{key.name}` | {default} | {key.meaning} |" in readme, key.name
