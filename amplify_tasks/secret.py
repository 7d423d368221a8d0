"""The one rule of what is secret: names that look like credentials, and masking their
values wherever text leaves the tool (hook input and environment, output, errors, logs).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence

#: A name is secret when it says so: *SECRET*, *TOKEN*, *PASSW*, *CREDENTIAL*, *PRIVATE*,
#: or it ends in _KEY (AWS_ACCESS_KEY_ID, which names the key but is no secret, does not).
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSW|CREDENTIAL|PRIVATE|_KEY$", re.IGNORECASE)

#: What a secret value is replaced with.
MASK = "***"

#: Shorter values are not masked: masking "1" or "true" everywhere would hide nothing.
MIN_SECRET_LENGTH = 8

#: The credential parts of AWS requests and responses, as botocore's debug log prints them:
#: the Authorization header, the session token, a presigned URL's credential and signature,
#: and the keys in an STS or SSO response. Group 1 (kept) names the part; the value is masked.
_CREDENTIAL_PARTS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*b?['\"]?)[^'\"\r\n]+"),
    re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^'\"\s&,}]+"),
    re.compile(r"(?i)((?:x-amz-)?credential=)[^'\"\s&,]+"),
    re.compile(r"(?i)((?:x-amz-)?signature['\"]?\s*[:=]\s*b?['\"]?)[0-9a-f]{64}"),
    re.compile(
        r"(?i)((?:secret_?access_?key|session_?token)['\"]?\s*(?:>|[:=])\s*['\"]?)[^'\"\s<,}]+"
    ),
)

#: Secret values read from the settings files (the environment's are read when asked for).
_REMEMBERED: set[str] = set()


def is_secret_name(name: str) -> bool:
    """AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, HOSTING_DEPLOY_KEY and any name the rule names."""
    return bool(_SECRET_NAME.search(name))


def remember(values: Mapping[str, str]) -> None:
    """Mask from now on the values of the secret-named keys in ``values`` (a settings file's)."""
    for name, value in values.items():
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH:
            _REMEMBERED.add(value)


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of secret-named environment variables and settings, longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values | _REMEMBERED, key=len, reverse=True)


def mask(text: str, secrets: Sequence[str] | None = None) -> str:
    """``text`` with every secret value (default: ``secret_values()``) and every AWS
    credential part replaced by MASK."""
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, MASK)
    for pattern in _CREDENTIAL_PARTS:
        text = pattern.sub(rf"\g<1>{MASK}", text)
    return text


class _MaskingRecords:
    """A log record factory that masks each record as it is made."""

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous

    def __call__(self, *args: object, **kwargs: object) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when it prints the record
            return record
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return record


def mask_logging() -> None:
    """Mask every log record from now on, whichever logger makes it and whichever handler
    prints it (botocore's debug log under ``inv --debug``, a hook's own logging)."""
    previous = logging.getLogRecordFactory()
    if not isinstance(previous, _MaskingRecords):
        logging.setLogRecordFactory(_MaskingRecords(previous))
