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


def imported_certificate(*names: str) -> str:
    """A self-signed certificate for ``names`` imported into ACM in us-east-1 (so ISSUED);
    its ARN."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    acm = boto3.client("acm", region_name="us-east-1")
    return str(
        acm.import_certificate(
            Certificate=cert.public_bytes(serialization.Encoding.PEM),
            PrivateKey=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ),
        )["CertificateArn"]
    )
