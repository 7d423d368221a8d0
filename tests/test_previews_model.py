"""Previews as data: their names, the durations users write, the record a preview's key holds
(within CloudFront's 1 KB value, the password only as a salted hash), their URLs, and the
preview settings (the password from the environment only, never shown)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from amplify_tasks.errors import SettingsError
from amplify_tasks.project import Project
from amplify_tasks.releases import Pointer
from amplify_tasks.releases.durations import format_duration, parse_duration
from amplify_tasks.releases.previews import (
    VALUE_MAX_BYTES,
    check_name,
    make_preview,
    parse_preview,
    preview_key,
    preview_url,
)
from amplify_tasks.settings import build_settings, load_settings
from amplify_tasks.settings.reference import settings_reference
from amplify_tasks.settings.views import public_dict, public_settings

RELEASE = "20261203-090000-abcd"


@pytest.mark.parametrize(
    ("text", "seconds"), [("7d", 604800), ("12h", 43200), ("30m", 1800), ("45s", 45), ("2S", 2)]
)
def test_durations_read_and_write_back(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "1w", "0s", "-1h", "1.5h", "7 days", "3d2h"])
def test_a_bad_duration_is_one_line_naming_the_units(text: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert "\n" not in message and "--expires" in message and "7d, 12h, 30m, 45s" in message


@pytest.mark.parametrize("name", ["pr-42", "a", "x" * 40, "0-main"])
def test_good_names(name: str) -> None:
    assert check_name(name) == name and preview_key(name) == f"p:{name}"


@pytest.mark.parametrize("name", ["", "x" * 41, "PR-42", "pr_42", "pr.42", "pr/42", "pr 42"])
def test_a_bad_name_is_one_line_saying_what_a_name_is(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        check_name(name)
    assert "\n" not in str(caught.value) and "1 to 40 of a-z, 0-9 and '-'" in str(caught.value)


def test_the_record_round_trips_and_holds_only_a_salted_hash() -> None:
    made = make_preview(
        "x" * 40, Pointer(RELEASE, True), now=1000, expires_in=60, password="s3cret-pw"
    )
    value = made.value()
    assert "s3cret-pw" not in value and len(value.encode()) <= VALUE_MAX_BYTES
    data = json.loads(value)
    assert data["r"] == RELEASE and data["d"] == 1 and (data["c"], data["e"]) == (1000, 1060)
    assert data["h"] == hashlib.sha256((data["s"] + "s3cret-pw").encode()).hexdigest()
    assert parse_preview("p:" + "x" * 40, value) == made
    assert made.protected and made.expired(1060) and not made.expired(1059)
    other = make_preview("b", Pointer(RELEASE), now=1000, expires_in=60, password="s3cret-pw")
    assert other.salt != made.salt and other.hash != made.hash  # salted
    plain = make_preview("b", Pointer(RELEASE), now=1000, expires_in=60)
    assert "h" not in json.loads(plain.value()) and not plain.protected
    assert parse_preview("live", value) is None and parse_preview("p:b", '{"r":"x"}') is None


def test_urls() -> None:
    site = "https://d1.cloudfront.net"
    assert preview_url("pr-7", site) == "https://d1.cloudfront.net/?preview=pr-7"
    assert preview_url("pr-7", site + "/") == "https://d1.cloudfront.net/?preview=pr-7"
    assert preview_url("pr-7", site, "pre.example.com") == "https://pr-7.pre.example.com/"


def test_preview_settings_defaults_and_checks() -> None:
    settings = build_settings("prod", {})
    assert (settings.preview_domain, settings.preview_expires) == ("", 604800)
    settings = build_settings(
        "prod",
        {
            "HOSTING_CLOUDFRONT": "true",
            "HOSTING_DOMAIN_NAMES": "www.example.com,*.pre.example.com",
            "HOSTING_CERTIFICATE_ARN": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "HOSTING_PREVIEW_DOMAIN": "Pre.Example.com",
            "HOSTING_PREVIEW_EXPIRES": "12h",
        },
    )
    assert (settings.preview_domain, settings.preview_expires) == ("pre.example.com", 43200)
    with pytest.raises(SettingsError, match=r"add \*\.pre\.example\.com to HOSTING_DOMAIN_NAMES"):
        build_settings(
            "prod", {"HOSTING_CLOUDFRONT": "true", "HOSTING_PREVIEW_DOMAIN": "pre.example.com"}
        )
    with pytest.raises(SettingsError, match="HOSTING_PREVIEW_EXPIRES 'soon' is not a duration"):
        build_settings("prod", {"HOSTING_PREVIEW_EXPIRES": "soon"})


def test_the_password_comes_from_the_environment_only_and_is_never_shown(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    (tmp_path / ".env.prod").write_text("HOSTING_CLOUDFRONT=true\n")
    env = {"HOSTING_PREVIEW_PASSWORD": "pw-from-ci-0123"}
    settings = load_settings(project, "prod", env)
    assert settings.preview_password == "pw-from-ci-0123"
    assert "pw-from-ci-0123" not in repr(settings)
    assert "pw-from-ci-0123" not in json.dumps(public_dict(settings))
    assert public_settings(settings).preview_password == ""
    shown = settings_reference(project, "prod", env).to_json()
    assert "pw-from-ci-0123" not in shown and "HOSTING_PREVIEW_PASSWORD" in shown
    (tmp_path / ".env.prod").write_text("HOSTING_PREVIEW_PASSWORD=pw-in-a-file-0123\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(project, "prod", {})
    message = str(caught.value)
    assert "pw-in-a-file-0123" not in message and "environment only" in message
    assert "in .env.prod" in message


def test_the_function_with_previews_fits_cloudfront_s_size_limit() -> None:
    """The preview block costs its bytes once in each function; with the longest preview
    domain and index document, and the rules evaluator both functions include, each still
    leaves half a KB of CloudFront's 10 KB."""
    from amplify_tasks.local.function_store import FUNCTION_MAX_BYTES
    from amplify_tasks.templates.rendering import function_code, response_code

    domain = ".".join(["p" * 60] * 3) + ".example.com"
    settings = build_settings(
        "prod",
        {
            "HOSTING_CLOUDFRONT": "true",
            "HOSTING_INDEX_DOCUMENT": "i" * 1019 + ".html",
            "HOSTING_DOMAIN_NAMES": f"*.{domain}",
            "HOSTING_CERTIFICATE_ARN": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "HOSTING_PREVIEW_DOMAIN": domain,
        },
    )
    project = Project.at(Path(__file__).parent.parent)
    for code in (function_code(project, settings), response_code(project, settings)):
        assert f'var PREVIEW_DOMAIN = "{domain}";' in code and "\n  " not in code
        assert len(code.encode()) <= FUNCTION_MAX_BYTES - 512, len(code.encode())


def test_a_password_outside_printable_ascii_is_refused_without_showing_it() -> None:
    with pytest.raises(SettingsError) as caught:
        build_settings("prod", {"HOSTING_PREVIEW_PASSWORD": "pässwort-0123"})
    assert "pässwort" not in str(caught.value) and "printable ASCII" in str(caught.value)


def test_configure_and_settings_never_write_or_print_the_password(inv_project: Any) -> None:
    inv_project.env["HOSTING_PREVIEW_PASSWORD"] = "pw-from-ci-4567"
    inv_project.write("dist/index.html", "<h1>home</h1>")
    inv_project.run("hosting.add", "--stage", "prod", "--yes")
    inv_project.run("hosting.configure", "--stage", "prod", "--spa")
    env_text = (inv_project.root / ".env.prod").read_text()
    assert "HOSTING_SPA=true" in env_text and "pw-from-ci-4567" not in env_text
    assert "HOSTING_PREVIEW_PASSWORD" not in env_text
    for args in ([], ["--json"]):
        shown = inv_project.run("hosting.settings", "--stage", "prod", *args)
        assert "pw-from-ci-4567" not in shown.stdout + shown.stderr
        assert "HOSTING_PREVIEW_PASSWORD" in shown.stdout
