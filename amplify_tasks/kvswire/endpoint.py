"""Where a key value store's requests go, as botocore's endpoint rule set for
``cloudfront-keyvaluestore`` decides it: ``https://<account-id>.cloudfront-kvs.global.api.aws``
for a store of the ``aws`` partition, or the configured endpoint
(AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE, AWS_ENDPOINT_URL) with the account id in front of
its host. A configured http endpoint on loopback (the emulator) is also the connection's HTTP
proxy, as for botocore's client (``aws.loopback_proxies``): ``<account-id>.127.0.0.1`` resolves
nowhere. Whatever the rule set would decide otherwise (another partition, an ARN it refuses, a
region outside the commercial partition) is botocore's: ``Routes.locate`` gives None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from amplify_tasks.s3wire import Endpoint
from amplify_tasks.s3wire.endpoint import AWS_REGION, from_url

#: The service's name in the environment's endpoint variables (botocore's service id).
ENV_NAME = "CLOUDFRONT_KEYVALUESTORE"
#: AWS's own host of every store: the account id goes in front.
AWS_HOST = "cloudfront-kvs.global.api.aws"
#: A store's ARN (global: no region) as the rule set accepts it, with a 12-digit account.
ARN = re.compile(r"^arn:aws:cloudfront::(?P<account>\d{12}):key-value-store/[^/:]+$")
#: Hosts of a loopback endpoint (the emulator).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Target:
    """One store's requests: the Host they name, the path they start with (quoted), and the
    proxy to connect to ('' for the host itself)."""

    host: str
    path: str
    via: str


@dataclass(frozen=True)
class Routes:
    """The stores' endpoint: a configured one, or AWS's (``configured`` False)."""

    endpoint: Endpoint
    configured: bool

    @property
    def via(self) -> str:
        """The loopback endpoint the requests go through ('' for none)."""
        host = urlsplit(f"//{self.endpoint.netloc}").hostname or ""
        loopback = self.configured and not self.endpoint.tls and host in LOOPBACK_HOSTS
        return self.endpoint.netloc if loopback else ""

    def locate(self, arn: str) -> Target | None:
        """The target of the store ``arn``; None when botocore should send its requests."""
        match = ARN.match(arn)
        if match is None:
            return None
        host = f"{match.group('account')}.{self.endpoint.netloc}"
        return Target(host, f"{self.endpoint.base_path}/key-value-stores/{encode(arn)}", self.via)


def routes(endpoints: Mapping[str, str], region: str) -> Routes | None:
    """The stores' endpoint from the environment's ``endpoints`` (service id -> URL, '' for
    every service; ``s3wire.EnvAccess.endpoints``); None when botocore should decide it."""
    if not AWS_REGION.match(region) or "-iso" in region:
        return None  # the rule set compares the region's partition with the ARN's
    url = endpoints.get(ENV_NAME) or endpoints.get("")
    endpoint = from_url(url or f"https://{AWS_HOST}", region, path_style=True)
    return None if endpoint is None else Routes(endpoint, bool(url))


def encode(value: str) -> str:
    """A path parameter as botocore's REST serializer puts it in the URI (everything but
    ``-._~`` percent-encoded, ``/`` and ``:`` too)."""
    return quote(value, safe="-._~")
