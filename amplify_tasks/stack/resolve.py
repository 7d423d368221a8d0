"""Where a custom domain URL leads on the loopback emulator, which stands for public DNS with
its Route 53: the zone holding the host's alias record, the distribution the record points
at, that distribution's preview. Off the emulator the URL is fetched as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from amplify_tasks import aws
from amplify_tasks.errors import HookError

from .site_url import emulator_endpoint, preview_of

if TYPE_CHECKING:
    from mypy_boto3_route53 import Route53Client

    from .outputs import StackOutputs


def alias_target(route53: Route53Client, host: str) -> str:
    """The DNS name the A alias record of ``host`` points at ('' when there is none), in
    the most specific public hosted zone holding ``host``."""
    wanted = host.rstrip(".").lower() + "."
    zones = [
        z
        for page in route53.get_paginator("list_hosted_zones").paginate()
        for z in page["HostedZones"]
        if not z.get("Config", {}).get("PrivateZone")
        and (wanted == z["Name"].lower() or wanted.endswith("." + z["Name"].lower()))
    ]
    for zone in sorted(zones, key=lambda z: len(z["Name"]), reverse=True):
        found = route53.list_resource_record_sets(
            HostedZoneId=zone["Id"], StartRecordName=wanted, StartRecordType="A", MaxItems="1"
        )["ResourceRecordSets"]
        for record in found:
            if record["Name"].lower() == wanted and record["Type"] == "A":
                return str(record.get("AliasTarget", {}).get("DNSName", "")).rstrip(".")
        return ""
    return ""


def reachable_url(outputs: StackOutputs, url: str) -> str:
    """The URL to fetch for ``url``: under the emulator, a custom domain URL becomes the
    preview of the distribution its alias record points at (HookError when it points at
    none of this stack's); any other URL stays as it is."""
    if not (emulator_endpoint() and outputs.domain_url and url == outputs.domain_url):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    with aws.translate_errors():
        target = alias_target(aws.client("route53"), host)
    if target != outputs.distribution_domain or not target:
        raise HookError(
            f"{host} has no A alias record pointing at distribution {outputs.distribution_id} "
            f"(it points at {target or 'nothing'}): check the records in its hosted zone"
        )
    preview = preview_of(outputs.distribution_id).rstrip("/")
    return f"{preview}{parts.path or '/'}" if preview else url
