"""Route 53 hosted zones and records the domain tests make on the emulator."""

from __future__ import annotations

from typing import Any

import boto3


def make_zone(name: str, private: bool = False) -> str:
    """A new hosted zone (public unless ``private``); its id."""
    extra: dict[str, Any] = {}
    if private:
        extra = {
            "HostedZoneConfig": {"PrivateZone": True},
            "VPC": {"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"},
        }
    made = boto3.client("route53").create_hosted_zone(
        Name=name, CallerReference=f"{name}-{private}", **extra
    )
    return str(made["HostedZone"]["Id"]).rsplit("/", 1)[-1]


def add_record(zone_id: str, name: str, rtype: str, value: str) -> None:
    """Create one plain record in the zone."""
    boto3.client("route53").change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": rtype,
                        "TTL": 60,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
            ]
        },
    )


def records(zone_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The zone's record sets by (name with its dot, type)."""
    sets = boto3.client("route53").list_resource_record_sets(HostedZoneId=zone_id)
    return {(r["Name"], r["Type"]): r for r in sets["ResourceRecordSets"]}
