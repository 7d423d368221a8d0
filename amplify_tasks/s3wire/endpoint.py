"""Where an S3 request goes, decided as botocore decides it for the tool's client: the
endpoint URL from the same chain (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
``services`` section and ``endpoint_url``), path-style addressing for a configured endpoint
unless ``addressing_style = virtual``, virtual-hosted addressing on AWS for buckets whose
names allow it. Settings this module does not follow (FIPS, dual-stack, acceleration,
proxies, other partitions) leave S3 to botocore: ``resolve`` then gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .signing import quote_path

if TYPE_CHECKING:
    from botocore.session import Session

#: Regions of the commercial partition (amazonaws.com), China and GovCloud excluded.
AWS_REGION = re.compile(r"^(?!cn-|us-gov-|us-iso)[a-z]{2}(-[a-z]+)+-\d+$")

#: Bucket names that can be a host name label (botocore's check, dots not allowed).
VIRTUAL_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")

#: Settings of the shared config (or environment) whose effect this module does not know.
UNFOLLOWED = ("use_fips_endpoint", "use_dualstack_endpoint")
UNFOLLOWED_S3 = ("use_accelerate_endpoint", "use_dualstack_endpoint", "use_arn_region")


@dataclass(frozen=True)
class Endpoint:
    """An S3 endpoint: scheme, host[:port] (default ports left out), base path, region."""

    scheme: str
    netloc: str
    base_path: str
    region: str
    path_style: bool

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    def locate(self, bucket: str, key: str | None = None) -> tuple[str, str]:
        """The host and (quoted) path of ``key`` in ``bucket``, or of the bucket itself."""
        if self.path_style or not VIRTUAL_BUCKET.match(bucket):
            path = f"{self.base_path}/{bucket}"
            return self.netloc, path if key is None else f"{path}/{quote_path(key)}"
        return f"{bucket}.{self.netloc}", f"{self.base_path}/{quote_path(key or '')}"

    def origin(self, host: str) -> str:
        return f"{self.scheme}://{host}"


def configured_url(sess: Session) -> str | None:
    """The endpoint URL botocore's S3 client would use, None for AWS's own."""
    from botocore.configprovider import ConfiguredEndpointProvider

    if _truthy(sess.get_config_variable("ignore_configured_endpoint_urls")):
        return None
    found = ConfiguredEndpointProvider(
        full_config=sess.full_config, scoped_config=sess.get_scoped_config(), client_name="s3"
    ).provide()
    return str(found) if found else None


def resolve(sess: Session, region: str) -> Endpoint | None:
    """The endpoint of ``sess``'s S3 requests, or None when botocore should send them."""
    s3_config = sess.get_config_variable("s3") or {}
    if any(_truthy(s3_config.get(name)) for name in UNFOLLOWED_S3):
        return None
    style = str(s3_config.get("addressing_style") or "auto")
    url = configured_url(sess)
    if url is None:
        if any(_truthy(sess.get_config_variable(name)) for name in UNFOLLOWED):
            return None
        regional = s3_config.get("us_east_1_regional_endpoint") == "regional"
        return aws_s3(region, path_style=style == "path", regional=regional)
    return from_url(url, region, path_style=style != "virtual")


def aws_s3(region: str, *, path_style: bool = False, regional: bool = False) -> Endpoint | None:
    """AWS's own S3 endpoint for ``region`` (None outside the commercial partition): the
    global name in us-east-1 unless ``regional``."""
    region = region or "us-east-1"
    if not AWS_REGION.match(region):
        return None
    regional = regional or region != "us-east-1"
    url = f"https://s3.{region}.amazonaws.com" if regional else "https://s3.amazonaws.com"
    return from_url(url, region, path_style=path_style)


def from_url(url: str, region: str, *, path_style: bool) -> Endpoint | None:
    """The endpoint at ``url`` (None for one that is not http(s) or goes through a proxy)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or _proxied(parts.scheme, url):
        return None
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port and parts.port != {"http": 80, "https": 443}[parts.scheme]:
        netloc = f"{netloc}:{parts.port}"
    return Endpoint(parts.scheme, netloc, parts.path.rstrip("/"), region or "us-east-1", path_style)


def _proxied(scheme: str, url: str) -> bool:
    """True when the environment sends ``url`` through an HTTP proxy (botocore does that)."""
    from urllib.request import getproxies, proxy_bypass

    if scheme not in getproxies():
        return False
    host = urlsplit(url).hostname or ""
    return not proxy_bypass(host)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def ca_bundle(sess: Session) -> str:
    """What botocore verifies TLS with: AWS_CA_BUNDLE or ``ca_bundle``, else its bundle."""
    from botocore.httpsession import get_cert_path

    return str(get_cert_path(sess.get_config_variable("ca_bundle") or True))
