"""The one rule of what is secret and the masking of text that leaves the tool: secret-named
values of the environment and of the settings files, and the credential parts of AWS requests
and responses as botocore's debug log prints them (where no value is known to mask by).
"""

from __future__ import annotations

import logging

import pytest

from amplify_tasks import secret
from amplify_tasks.settings.validate import build_settings


def test_the_rule_names_credentials_and_not_their_ids() -> None:
    for name in ("HOSTING_DEPLOY_KEY", "NPM_TOKEN", "DB_PASSWD", "GH_CREDENTIALS", "PRIVATE_X"):
        assert secret.is_secret_name(name), name
    for name in ("AWS_ACCESS_KEY_ID", "HOSTING_KEY_PREFIX", "HOSTING_STAGE", "PATH"):
        assert not secret.is_secret_name(name), name


def test_secret_values_of_the_settings_files_are_masked_too() -> None:
    value = "deploy-key-from-a-settings-file-42"
    assert secret.mask(f"x {value} y") == f"x {value} y"
    build_settings("dev", {"HOSTING_DEPLOY_KEY": value, "HOSTING_NOTE": "not-a-secret-at-all"})
    assert secret.mask(f"x {value} y") == "x *** y"
    assert secret.mask("not-a-secret-at-all") == "not-a-secret-at-all"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2Btoken"
            "&X-Amz-Signature=" + "ab" * 32,
            ["X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Credential=***"],
        ),
        (
            "headers={'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjEXAMPLE+token==', "
            "'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/"
            "aws4_request, SignedHeaders=host, Signature=" + "cd" * 32 + "'}",
            ["'X-Amz-Security-Token': b'***'", "'Authorization': b'***'"],
        ),
        (
            "<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>wJalrEXAMPLE/K7"
            "</SecretAccessKey><SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken></Credentials>",
            ["<SecretAccessKey>***</SecretAccessKey>", "<SessionToken>***</SessionToken>"],
        ),
        (
            '{"roleCredentials": {"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "wJalrEXAMPLE",'
            ' "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE"}}',
            ['"secretAccessKey": "***"', '"sessionToken": "***"'],
        ),
    ],
)
def test_credential_parts_are_masked_without_knowing_the_values(text: str, kept: list[str]) -> None:
    masked = secret.mask(text, [])
    for part in ("IQoJb3JpZ2luX2VjEXAMPLE", "wJalrEXAMPLE", "ab" * 32, "cd" * 32, "AKIAEXAMPLE"):
        assert part not in masked, masked
    for part in kept:
        assert part in masked, masked


def test_log_records_are_masked_whichever_handler_prints_them(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SOME_API_TOKEN", "tok-EXAMPLE-0123456789")
    previous = logging.getLogRecordFactory()
    try:
        secret.mask_logging()
        secret.mask_logging()  # once is enough; twice changes nothing
        try:
            raise RuntimeError("boom tok-EXAMPLE-0123456789")
        except RuntimeError:
            logging.getLogger("t").exception("sent %s", "tok-EXAMPLE-0123456789")
    finally:
        logging.setLogRecordFactory(previous)
    assert "tok-EXAMPLE" not in caplog.text
    assert "sent ***" in caplog.text and "boom ***" in caplog.text
