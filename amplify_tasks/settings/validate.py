"""Validating raw ``HOSTING_*`` strings into Settings: one line per bad value that names the
key, where it was set, what is wrong and how to fix it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import SettingsError
from amplify_tasks.secret import remember

from .domain import domain_settings
from .keys import KNOWN_KEYS, PREFIX, key_of
from .model import ERROR_CODES, PRICE_CLASSES, RESPONSE_CODES, ErrorResponse, Settings
from .preview import preview_settings

if TYPE_CHECKING:
    pass


TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
_STAGE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_APP_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")
_STACK_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BUCKET_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def validate_stage_name(stage: str) -> str:
    """The stage name itself when it is lowercase letters, digits and '-'; else SettingsError."""
    if not isinstance(stage, str) or not _STAGE_RE.match(stage):
        raise SettingsError(
            f"stage name {stage!r} is invalid: use 1-32 lowercase letters, digits and '-' "
            "starting with a letter or digit (for example --stage prod)"
        )
    return stage


def sanitize_app_name(name: str) -> str:
    """A folder name made into an app name: lowercase letters, digits and single '-'."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not cleaned:
        return "app"
    if not cleaned[0].isalpha():
        cleaned = f"app-{cleaned}"
    return cleaned[:64].rstrip("-")


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` breaks S3's bucket naming rules, or None when it is valid."""
    if not 3 <= len(name) <= 63:
        return "it must be 3-63 characters long"
    if not _BUCKET_RE.match(name):
        return (
            "use lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        return "'.' may not sit next to '.' or '-'"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return "it may not look like an IP address"
    for prefix in _BUCKET_BAD_PREFIXES:
        if name.startswith(prefix):
            return f"it may not start with {prefix!r}"
    for suffix in _BUCKET_BAD_SUFFIXES:
        if name.endswith(suffix):
            return f"it may not end with {suffix!r}"
    return None


def setting_error(key: str, value: str, where: str | None, problem: str, fix: str) -> SettingsError:
    """The one line a bad setting gets: ``KEY='value' (where) problem: fix``."""
    src = f" ({where})" if where else ""
    return SettingsError(f"{key}={value!r}{src} {problem}: {fix}")


class _Values:
    """Raw string values with where each came from, so errors can point at the file."""

    def __init__(self, values: Mapping[str, str], origins: Mapping[str, str]):
        self.values = dict(values)
        self.origins = dict(origins)

    def raw(self, field_name: str) -> str:
        return self.values.get(key_of(field_name), "").strip()

    def fail(self, field_name: str, problem: str, fix: str) -> SettingsError:
        key = key_of(field_name)
        return setting_error(key, self.values.get(key, ""), self.origins.get(key), problem, fix)

    def text(self, field_name: str, default: str) -> str:
        return self.raw(field_name) or default

    def boolean(self, field_name: str, default: bool) -> bool:
        raw = self.raw(field_name).lower()
        if not raw:
            return default
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise self.fail(
            field_name,
            "is not a boolean",
            f"set {key_of(field_name)} to one of true/false/1/0/yes/no",
        )

    def whole(self, field_name: str, default: int, minimum: int = 0) -> int:
        raw = self.raw(field_name)
        if not raw:
            return default
        if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
            raise self.fail(
                field_name,
                "is not a whole number" + (f" >= {minimum}" if minimum else ""),
                f"set {key_of(field_name)} to a whole number like {default}",
            )
        return int(raw)


def parse_error_response(text: str) -> ErrorResponse:
    """``CODE:PATH:RESPONSE_CODE[:CACHING_TTL]`` as an ErrorResponse; ValueError says why."""
    parts = text.strip().split(":")
    if len(parts) not in (3, 4):
        raise ValueError(
            f"error response {text.strip()!r} is not CODE:PATH:RESPONSE_CODE[:CACHING_TTL] "
            "(for example 404:/404.html:404)"
        )
    code_s, page, response_s = parts[0], parts[1], parts[2]
    ttl_s = parts[3] if len(parts) == 4 else "300"
    if not code_s.isdigit() or int(code_s) not in ERROR_CODES:
        allowed = ", ".join(str(c) for c in sorted(ERROR_CODES))
        raise ValueError(f"error code {code_s!r} is not one CloudFront allows: use {allowed}")
    if not page.startswith("/"):
        raise ValueError(
            f"response page path {page!r} must start with '/': write /{page.lstrip('/')}"
        )
    if not response_s.isdigit() or int(response_s) not in RESPONSE_CODES:
        raise ValueError(
            f"response code {response_s!r} is not allowed: use 200 or one of the error codes"
        )
    if not ttl_s.isdigit():
        raise ValueError(
            f"error caching TTL {ttl_s!r} is not a whole number of seconds: for example 300"
        )
    return ErrorResponse(int(code_s), page, int(response_s), int(ttl_s))


def parse_error_responses(text: str) -> tuple[ErrorResponse, ...]:
    """A comma- or space-separated list of error responses; the last one per code wins."""
    by_code: dict[int, ErrorResponse] = {}
    for item in re.split(r"[,\s]+", text.strip()):
        if item:
            response = parse_error_response(item)
            by_code[response.code] = response
    return tuple(by_code[c] for c in sorted(by_code))


def format_error_responses(responses: Iterable[ErrorResponse]) -> str:
    """The HOSTING_ERROR_RESPONSES text for a list of error responses."""
    return ",".join(str(r) for r in responses)


def _document(values: _Values, field_name: str) -> str:
    doc = values.text(field_name, "index.html")
    if "/" in doc or "\\" in doc or doc in {".", ".."}:
        raise values.fail(
            field_name,
            "must be a file name, not a path",
            f"set {key_of(field_name)} to a name like index.html (no '/')",
        )
    return doc


def build_settings(
    stage: str,
    values: Mapping[str, str],
    *,
    default_app_name: str = "app",
    origins: Mapping[str, str] | None = None,
) -> Settings:
    """Validate raw ``HOSTING_*`` values into Settings; the first bad value raises.

    Secret-named values among them are remembered, so they are masked wherever text leaves.
    """
    remember(values)
    validate_stage_name(stage)
    v = _Values(values, origins or {})

    app_name = v.text("app_name", default_app_name)
    if not _APP_RE.match(app_name):
        raise v.fail(
            "app_name",
            "is not a valid app name",
            "use letters, digits and '-', starting with a letter (at most 64)",
        )
    stack_name = v.text("stack_name", f"{app_name}-hosting-{stage}")
    if not _STACK_RE.match(stack_name):
        raise v.fail(
            "stack_name",
            "is not a valid CloudFormation stack name",
            "use letters, digits and '-', starting with a letter (at most 128)",
        )
    bucket_name = v.raw("bucket_name")
    if bucket_name:
        problem = bucket_name_problem(bucket_name)
        if problem:
            raise v.fail(
                "bucket_name",
                f"breaks S3's bucket naming rules ({problem})",
                "fix HOSTING_BUCKET_NAME, or leave it empty so CloudFormation picks a name",
            )

    cloudfront = v.boolean("cloudfront", False)
    index_document = _document(v, "index_document")
    error_document = _document(v, "error_document")

    min_ttl = v.whole("min_ttl", 60)
    default_ttl = v.whole("default_ttl", 86400)
    max_ttl = v.whole("max_ttl", 31536000)
    if min_ttl > default_ttl:
        raise v.fail(
            "min_ttl",
            f"is greater than HOSTING_DEFAULT_TTL={default_ttl}",
            "make HOSTING_MIN_TTL <= HOSTING_DEFAULT_TTL <= HOSTING_MAX_TTL",
        )
    if default_ttl > max_ttl:
        raise v.fail(
            "default_ttl",
            f"is greater than HOSTING_MAX_TTL={max_ttl}",
            "make HOSTING_MIN_TTL <= HOSTING_DEFAULT_TTL <= HOSTING_MAX_TTL",
        )

    try:
        error_responses = parse_error_responses(v.raw("error_responses"))
    except ValueError as exc:
        raise v.fail("error_responses", "is invalid", str(exc)) from None

    price_class = v.text("price_class", "PriceClass_100")
    if price_class not in PRICE_CLASSES:
        raise v.fail(
            "price_class", "is not a price class", f"use one of {', '.join(PRICE_CLASSES)}"
        )

    domain = domain_settings(v, cloudfront)

    ignore_file = v.text("ignore_file", ".publishignore")
    if Path(ignore_file).is_absolute() or ".." in Path(ignore_file).parts:
        raise v.fail(
            "ignore_file",
            "points outside the project",
            "set HOSTING_IGNORE_FILE to a path inside it",
        )

    preview = preview_settings(v, origins or {}, cloudfront, domain.names)

    return Settings(
        stage=stage,
        app_name=app_name,
        stack_name=stack_name,
        bucket_name=bucket_name,
        cloudfront=cloudfront,
        index_document=index_document,
        error_document=error_document,
        min_ttl=min_ttl,
        default_ttl=default_ttl,
        max_ttl=max_ttl,
        error_responses=error_responses,
        spa=v.boolean("spa", False),
        clean_urls=v.boolean("clean_urls", False),
        price_class=price_class,
        domain_names=domain.names,
        certificate_arn=domain.certificate_arn,
        hosted_zone_id=domain.zone_id,
        hosted_zone=domain.zone,
        build_command=v.raw("build_command"),
        dist_dir=v.text("dist_dir", "dist"),
        allow_dist_outside=v.boolean("allow_dist_outside", False),
        ignore_file=ignore_file,
        max_deletes=v.whole("max_deletes", 256),
        termination_protection=v.boolean("termination_protection", cloudfront),
        require_clean_git=v.boolean("require_clean_git", cloudfront),
        export_outputs=v.raw("export_outputs"),
        smoke_test=v.boolean("smoke_test", True),
        smoke_timeout=v.whole("smoke_timeout", 60, minimum=1),
        lock_timeout=v.whole("lock_timeout", 120),
        releases=v.boolean("releases", cloudfront),
        keep_releases=v.whole("keep_releases", 10, minimum=1),
        preview_domain=preview.domain,
        preview_expires=preview.expires,
        preview_password=preview.password,
        extra={
            k: val
            for k, val in sorted(values.items())
            if k.startswith(PREFIX) and k not in KNOWN_KEYS
        },
    )
