"""What botocore would take from the process environment, read without botocore: static
credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the region
(AWS_REGION, AWS_DEFAULT_REGION) and a service's endpoint (AWS_ENDPOINT_URL_<SERVICE>,
AWS_ENDPOINT_URL, else AWS's own host name).

``from_environ`` gives None whenever botocore could decide otherwise: no static credentials
or no region in the environment, a profile named (AWS_PROFILE), settings this module does not
follow (FIPS, dual-stack, a CA bundle, expiring credentials), or a default profile in the
shared config file that holds more than a region. botocore then finds everything itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .endpoint import AWS_REGION, Endpoint, aws_s3, from_url
from .signing import Credentials

#: Environment variables whose effect is botocore's to apply: set, botocore decides.
DEFERRED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
    "AWS_S3_USE_ARN_REGION",
)

#: Keys of the default profile that leave the environment's choices as they are.
HARMLESS_KEYS = frozenset({"region", "output"})


@dataclass(frozen=True)
class EnvAccess:
    """Credentials, region and configured endpoints, all from the environment."""

    credentials: Credentials
    region: str
    endpoints: Mapping[str, str]  # service id (upper case) -> URL; "" for every service

    def endpoint(self, service: str) -> Endpoint | None:
        """Where requests to ``service`` ("s3", "cloudformation") go; None when botocore
        should send them (a proxy, a region outside the commercial partition)."""
        url = self.endpoints.get(service.upper()) or self.endpoints.get("")
        if url:
            return from_url(url, self.region, path_style=True)
        if service == "s3":
            return aws_s3(self.region)
        if not AWS_REGION.match(self.region):
            return None
        url = f"https://{service}.{self.region}.amazonaws.com"
        return from_url(url, self.region, path_style=True)


def from_environ(region: str = "", env: Mapping[str, str] = os.environ) -> EnvAccess | None:
    """The environment's credentials, region (``region`` first) and endpoints, or None when
    botocore's chain should find them (see the module's doc)."""
    key, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    region = region or env.get("AWS_REGION", "") or env.get("AWS_DEFAULT_REGION", "")
    if not (key and secret and region) or any(env.get(name) for name in DEFERRED):
        return None
    if not _default_profile_harmless(env):
        return None
    token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None
    endpoints: dict[str, str] = {}
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() != "true":
        for name, value in env.items():
            if name == "AWS_ENDPOINT_URL" and value:
                endpoints[""] = value
            elif name.startswith("AWS_ENDPOINT_URL_") and value:
                endpoints[name.removeprefix("AWS_ENDPOINT_URL_")] = value
    return EnvAccess(Credentials(key, secret, token), region, endpoints)


def _default_profile_harmless(env: Mapping[str, str]) -> bool:
    """True when the shared config file is missing or its default profile sets nothing
    but a region (which the environment's overrides) and an output format."""
    try:
        path = Path(env.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config").expanduser()
        text = path.read_text()
    except FileNotFoundError:
        return True
    except (OSError, RuntimeError, UnicodeDecodeError):  # RuntimeError: no home folder
        return False
    import configparser  # only for a config file there is

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return False  # botocore reports it
    keys = {
        key
        for section in ("default", "profile default")
        if parser.has_section(section)
        for key in parser.options(section)
    }
    return keys <= HARMLESS_KEYS


def default_ca_bundle() -> str:
    """The CA bundle botocore verifies TLS with when none is configured: certifi's, else
    the one botocore ships (found without importing botocore)."""
    try:
        import certifi
    except ImportError:
        import importlib.util

        spec = importlib.util.find_spec("botocore")
        folder = next(iter(spec.submodule_search_locations or [])) if spec else ""
        return os.path.join(folder, "cacert.pem")
    return str(certifi.where())
