"""The emulator checks a key value store request's SigV4A signature as AWS does, over real
HTTP: botocore's and the wire client's requests pass; a wrong secret, a header changed after
signing, another service's scope, a region set other than ``*`` or no signature at all get
AWS's 403 (or 400 for a malformed header), which the tool reports in one line.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.auth import SIGNED_HEADERS_BLACKLIST
from botocore.config import Config
from botocore.exceptions import ClientError
from kvs_wire_helpers import crt_sign, make_store, signed_get, wire_store

from amplify_tasks import aws
from amplify_tasks.errors import AwsError
from amplify_tasks.kvswire import SERVICE, AsymmetricSigner
from amplify_tasks.kvswire.signing import P256_ORDER, UNSIGNED_HEADERS, private_key
from amplify_tasks.local import control
from amplify_tasks.s3wire import Credentials
from amplify_tasks.s3wire.signing import canonical_query

MISMATCH = "The request signature we calculated does not match the signature you provided."


@pytest.fixture
def arn(aws_env: dict[str, str], unique_name: Callable[[], str]) -> str:
    return make_store(unique_name())


def test_requests_signed_right_pass_and_a_wrong_secret_is_refused_as_aws_does(
    emulator: control.Emulator, arn: str
) -> None:
    assert wire_store(emulator).describe_key_value_store(KvsARN=arn)["KvsARN"] == arn
    status, headers, body = signed_get(emulator, arn)
    assert status == 200 and body["KvsARN"] == arn
    wrong = Credentials("testing", "not-the-secret")
    status, headers, body = signed_get(emulator, arn, creds=wrong)
    assert (status, headers["x-amzn-errortype"]) == (403, "InvalidSignatureException")
    assert body["Message"].startswith(MISMATCH)
    with pytest.raises(ClientError) as refused:
        wire_store(emulator, wrong).describe_key_value_store(KvsARN=arn)
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    with pytest.raises(AwsError) as line, aws.translate_errors():
        raise refused.value
    assert "AWS rejected the credentials (InvalidSignatureException)" in str(line.value)
    assert "\n" not in str(line.value) and "not-the-secret" not in str(line.value)


def test_botocores_own_requests_are_verified(emulator: control.Emulator, arn: str) -> None:
    proxies = control.loopback_proxies(emulator.endpoint)
    good = boto3.client("cloudfront-keyvaluestore", config=Config(proxies=proxies))
    assert good.describe_key_value_store(KvsARN=arn)["KvsARN"] == arn
    bad = boto3.client(
        "cloudfront-keyvaluestore",
        config=Config(proxies=proxies, retries={"max_attempts": 1}),
        aws_access_key_id="testing",
        aws_secret_access_key="wrong",
    )
    with pytest.raises(ClientError) as refused:
        bad.describe_key_value_store(KvsARN=arn)
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_a_header_changed_after_signing_is_refused(emulator: control.Emulator, arn: str) -> None:
    def later(headers: dict[str, str]) -> None:  # another second than the one signed
        signed = headers["X-Amz-Date"]
        headers["X-Amz-Date"] = signed[:-3] + ("01Z" if signed.endswith("00Z") else "00Z")

    status, _, body = signed_get(emulator, arn, change=later)
    assert status == 403 and body["Message"].startswith(MISMATCH)


@pytest.mark.parametrize(
    ("change", "status", "code", "words"),
    [
        (lambda h: h.pop("Authorization"), 403, "MissingAuthenticationTokenException", "Missing"),
        (
            lambda h: h.update(Authorization=h["Authorization"].replace(", Signature=", ", Sig=")),
            400,
            "IncompleteSignatureException",
            "requires",
        ),
        (
            lambda h: h.update({"X-Amz-Region-Set": "us-east-1"}),
            403,
            "InvalidSignatureException",
            "Region-Set",
        ),
        (
            lambda h: h.update(Authorization=h["Authorization"].replace(";x-amz-region-set", "")),
            403,
            "InvalidSignatureException",
            "SignedHeaders",
        ),
    ],
)
def test_what_aws_checks_of_the_header_is_checked(
    emulator: control.Emulator,
    arn: str,
    change: Callable[[dict[str, str]], object],
    status: int,
    code: str,
    words: str,
) -> None:
    got, headers, body = signed_get(emulator, arn, change=change)
    assert (got, headers["x-amzn-errortype"]) == (status, code)
    assert words in body["Message"]


def test_another_services_scope_is_refused_for_any_access_key(
    emulator: control.Emulator, arn: str
) -> None:
    stranger = Credentials("AKIDNOTKNOWNHERE", "whatever")
    status, _, body = signed_get(emulator, arn, creds=stranger, service="cloudfront")
    assert status == 403 and "scoped to correct service" in body["Message"]
    # an access key the emulator has no secret for is not verified (as moto accepts it)
    assert signed_get(emulator, arn, creds=stranger)[0] == 200


#: One request with all a signature covers: a query, a body, a session token, If-Match.
BODY = b'{"Puts":[{"Key":"a","Value":"b"}]}'
PATH = "/key-value-stores/arn%3Aaws%3Acloudfront%3A%3A123456789012%3Akey-value-store%2Fx/keys"
CREDS = Credentials("AKIDDERIVATION", "s3cr3t/+=", "token/+=")


def signed_by(sign: Callable[..., None], date: str = "") -> dict[str, str]:
    """The headers of the request above as ``sign`` (a signer's ``sign``) signs it at
    ``date`` (X-Amz-Date; now by default)."""
    headers = {"Host": "123456789012.cloudfront-kvs.global.api.aws", "If-Match": "E1"}
    date = date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    sign("POST", PATH, {"MaxResults": "5"}, headers, CREDS, date, hashlib.sha256(BODY).hexdigest())
    return headers


def by_crt(method: str, path: str, params: dict[str, str], *rest: Any) -> None:
    """The reference signer with the tool's signer's parameters."""
    crt_sign(method, path, canonical_query(params), *rest)


def verified(headers: dict[str, str], secret: str = CREDS.secret_key) -> bool:
    """Whether the emulator's check, knowing ``secret``, passes the request as signed."""
    from amplify_tasks.local.sigv4a import SECRETS, SignatureRefused, check

    environ: dict[str, object] = {
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "MaxResults=5",
        "CONTENT_LENGTH": str(len(BODY)),
        "wsgi.input": io.BytesIO(BODY),
    }
    environ |= {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    SECRETS.add(CREDS.access_key, secret)
    try:
        check(environ, PATH, BODY)
    except SignatureRefused:
        return False
    return True


def test_the_key_derives_as_aws_c_auth_derives_it() -> None:
    """A signature awscrt made (AWS's own C implementation, with a session token, a query and
    a body) verifies against the public key derived here, and fails for another secret."""
    headers = signed_by(by_crt)
    assert "x-amz-security-token" in headers["Authorization"]
    assert verified(headers) and not verified(headers, "another")
    assert 1 <= private_key(CREDS.access_key, CREDS.secret_key) < P256_ORDER


def test_the_tool_signs_as_awscrt_signs() -> None:
    """The tool's signer adds the headers awscrt adds, signs the same ones over the same
    scope, and its signature verifies as awscrt's does (ECDSA's differ on every call)."""
    ours = signed_by(AsymmetricSigner(SERVICE).sign)
    theirs = signed_by(by_crt, ours["X-Amz-Date"])
    assert verified(ours) and not verified(ours, "another")
    head, _, signature = ours.pop("Authorization").partition(", Signature=")
    assert theirs.pop("Authorization").partition(", Signature=")[0] == head
    assert {k.lower(): v for k, v in ours.items()} == {k.lower(): v for k, v in theirs.items()}
    assert re.fullmatch("[0-9a-f]+", signature) and CREDS.secret_key not in str(ours)
    assert set(SIGNED_HEADERS_BLACKLIST) == UNSIGNED_HEADERS
