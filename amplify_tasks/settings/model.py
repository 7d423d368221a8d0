"""The validated, frozen Settings of a stage and the values they are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


#: CloudFront accepts custom error responses for these status codes only.
ERROR_CODES = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})

#: Status codes a custom error response may answer with.
RESPONSE_CODES = frozenset({200, *ERROR_CODES})
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")


@dataclass(frozen=True)
class ErrorResponse:
    """A CloudFront custom error response: CODE:PATH:RESPONSE_CODE[:CACHING_TTL]."""

    code: int
    page: str
    response_code: int
    caching_ttl: int = 300

    def __str__(self) -> str:
        return f"{self.code}:{self.page}:{self.response_code}:{self.caching_ttl}"


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
    clean_urls: bool = False  # /about served from about.html (CloudFront stages)
    price_class: str = "PriceClass_100"
    domain_names: tuple[str, ...] = ()
    certificate_arn: str = ""
    hosted_zone_id: str = ""  # the Route 53 zone of the domain names: records (and certificate)
    hosted_zone: str = ""  # the same zone by name, looked up once per run
    build_command: str = ""
    dist_dir: str = "dist"
    allow_dist_outside: bool = False  # a dist folder outside the project root may be published
    ignore_file: str = ".publishignore"
    max_deletes: int = 256
    termination_protection: bool = False
    extra: dict[str, str] = field(default_factory=dict)  # unknown HOSTING_* keys, as read
    require_clean_git: bool = False
    export_outputs: str = ""  # a path to write the stack outputs to as JSON; empty: off
    smoke_test: bool = True
    smoke_timeout: int = 60
    lock_timeout: int = 120  # seconds a publish waits for the stage's lock
    releases: bool = False  # as set (default: the value of cloudfront); see uses_releases
    keep_releases: int = 10  # releases kept for rollback, the live one among them
    preview_domain: str = ""  # previews at NAME.<domain>; empty: ?preview=NAME
    preview_expires: int = 7 * 86400  # seconds a preview lives by default
    preview_password: str = field(default="", repr=False)  # from the environment only

    @property
    def uses_releases(self) -> bool:
        """Publishes make releases: only a stage with CloudFront (its function routes them)."""
        return self.releases and self.cloudfront
