"""Per-stage settings: `.env` (shared) and `.env.<stage>` (the stage's own) read with
python-dotenv into one frozen, validated Settings; the process environment wins over both.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorResponse:
    """A CloudFront custom error response: CODE:PATH:RESPONSE_CODE[:CACHING_TTL]."""

    code: int
    page: str
    response_code: int
    caching_ttl: int = 300


@dataclass(frozen=True)
class Settings:
    """Everything a stage needs to render, deploy and publish."""

    stage: str
    app_name: str
    stack_name: str
    bucket_name: str = ""  # empty: CloudFormation names the bucket
    cloudfront: bool = False
    index_document: str = "index.html"
    error_document: str = "index.html"
    min_ttl: int = 60
    default_ttl: int = 86400
    max_ttl: int = 31536000
    error_responses: tuple[ErrorResponse, ...] = ()
    spa: bool = False
    price_class: str = "PriceClass_100"
    domain_names: tuple[str, ...] = ()
    certificate_arn: str = ""
    build_command: str = ""
    dist_dir: str = "dist"
    ignore_file: str = ".publishignore"
    max_deletes: int = 256
    termination_protection: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # unknown HOSTING_* keys, as read
