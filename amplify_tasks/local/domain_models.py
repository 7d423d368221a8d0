"""CloudFormation models for a custom domain, backed by moto's ACM and Route 53 backends:
``AWS::CertificateManager::Certificate`` (DNS validation through DomainValidationOptions'
HostedZoneId: the validation CNAME records are written into the zone as ACM writes them, the
certificate is issued at once unless a CAA record forbids Amazon to issue it) and
``AWS::Route53::RecordSet`` (alias or plain records; creating one that exists is refused, as
Route 53 refuses it).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .model_base import Where, _Model

#: The CAA issuer domains that let ACM issue (any one of them in an ``issue`` property).
AMAZON_ISSUERS = ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com")


class DomainError(Exception):
    """A refusal the way the service words it; ``progress`` are CloudFormation's
    in-progress reasons shown before the failure, ``physical_id`` the resource made."""

    def __init__(
        self, code: str, message: str, progress: tuple[str, ...] = (), physical_id: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.progress_reasons = progress
        self.physical_id = physical_id


def route53_backend(account_id: str) -> Any:
    from moto.route53.models import route53_backends

    return route53_backends[account_id]["aws"]


def acm_backend(account_id: str, region: str) -> Any:
    from moto.acm.models import acm_backends

    return acm_backends[account_id][region]


def zone_of(account_id: str, props: dict[str, Any]) -> Any:
    """The hosted zone a record set or validation option names (by id or by name)."""
    from moto.route53.exceptions import NoSuchHostedZone

    backend = route53_backend(account_id)
    name = str(props.get("HostedZoneName") or "")
    zone = backend.get_hosted_zone_by_name(name) if name else None
    if zone is None:
        zone_id = str(props.get("HostedZoneId") or "")
        try:
            return backend.get_hosted_zone(zone_id)
        except NoSuchHostedZone:
            raise DomainError(
                "NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}"
            ) from None
    return zone


def dotted(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _records(zone: Any, name: str, rtype: str) -> list[Any]:
    return [r for r in zone.rrsets if dotted(r.name) == dotted(name) and r.type == rtype]


class HostingRecordSet(_Model, CloudFormationModel):
    """AWS::Route53::RecordSet in moto's Route 53 backend (Ref: the record's name)."""

    CFN_TYPE = "AWS::Route53::RecordSet"

    def __init__(self, name: str, rtype: str, zone_id: str) -> None:
        self.physical_resource_id = name
        self.rtype = rtype
        self.zone_id = zone_id

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingRecordSet:
        zone = zone_of(where.account_id, props)
        record = dotted(str(props["Name"]).lower())
        rtype = str(props["Type"])
        if not (record == zone.name or record.endswith("." + zone.name)):
            raise DomainError(
                "InvalidChangeBatch",
                f"RRSet with DNS name {record} is not permitted in zone {zone.name}",
            )
        if _records(zone, record, rtype):
            raise DomainError(
                "InvalidChangeBatch",
                f"Tried to create resource record set [name='{record}', type='{rtype}'] "
                "but it already exists",
            )
        stored: dict[str, Any] = {"Name": record, "Type": rtype}
        alias = props.get("AliasTarget")
        if alias:
            stored["AliasTarget"] = {
                "HostedZoneId": str(alias["HostedZoneId"]),
                "DNSName": dotted(str(alias["DNSName"])),
                "EvaluateTargetHealth": str(alias.get("EvaluateTargetHealth", False)).lower()
                == "true",
            }
        else:
            stored["TTL"] = int(props.get("TTL", 300))
            stored["ResourceRecords"] = [str(v) for v in props.get("ResourceRecords") or []]
        zone.add_rrset(stored)
        return cls(record, rtype, zone.id)

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingRecordSet:
        self._delete(where.account_id)
        return self.create(name, props, where)

    def delete(self, account_id: str, region: str) -> None:
        """moto's stack delete calls this (with the record's zone known)."""
        self._delete(account_id)

    def _delete(self, account_id: str) -> None:
        zone = route53_backend(account_id).zones.get(self.zone_id.rsplit("/", 1)[-1])
        if zone is not None:
            zone.delete_rrset({"Name": self.physical_resource_id, "Type": self.rtype})

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        try:
            zone = zone_of(where.account_id, props)
        except DomainError:
            return
        zone.delete_rrset({"Name": dotted(physical_id), "Type": str(props.get("Type"))})


def caa_refusal(zone: Any, name: str) -> str:
    """The CAA value that forbids Amazon to issue for ``name`` ('' when none does): the
    closest name (up to the zone's apex) holding CAA records decides, as ACM checks it."""
    wildcard = name.startswith("*.")
    label = name[2:] if wildcard else name
    while True:
        found = _records(zone, label, "CAA")
        values = [str(v) for r in found for v in r.records or []]
        if values:
            tags = ("issuewild", "issue") if wildcard else ("issue",)
            for tag in tags:
                chosen = [v for v in values if v.split()[1:2] == [tag]]
                if chosen:
                    allowed = any(any(i in v for i in AMAZON_ISSUERS) for v in chosen)
                    return "" if allowed else chosen[0]
            return ""
        if dotted(label) == zone.name or "." not in label:
            return ""
        label = label.split(".", 1)[1]


class HostingCertificate(_Model, CloudFormationModel):
    """AWS::CertificateManager::Certificate in moto's ACM backend (Ref: the ARN), DNS
    validated in the hosted zones its DomainValidationOptions name."""

    CFN_TYPE = "AWS::CertificateManager::Certificate"
    ATTRIBUTES = ("Id",)

    def __init__(self, arn: str, region: str) -> None:
        self.physical_resource_id = arn
        self.region = region
        self.progress_reasons: tuple[str, ...] = ()

    @classmethod
    def create(cls, name: str, props: dict[str, Any], where: Where) -> HostingCertificate:
        domain = str(props["DomainName"]).lower()
        sans = [str(s).lower() for s in props.get("SubjectAlternativeNames") or []]
        names = list(dict.fromkeys([domain, *sans]))
        tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]
        options = {
            str(o["DomainName"]).lower(): o for o in props.get("DomainValidationOptions") or []
        }
        if str(props.get("ValidationMethod", "DNS")) != "DNS":
            raise DomainError("InvalidParameter", "the emulator validates certificates by DNS")
        missing = [n for n in names if not (options.get(n) or {}).get("HostedZoneId")]
        if missing:
            raise DomainError(
                "InvalidParameter",
                f"no DomainValidationOptions HostedZoneId for {', '.join(missing)}: the "
                "emulator cannot wait for a record added by hand",
            )
        zones = {n: zone_of(where.account_id, options[n]) for n in names}
        backend = acm_backend(where.account_id, where.region)
        arn = backend.request_certificate(domain, None, names, tags)
        cert = backend.get_certificate(arn)
        progress = cls._write_records(cert, zones)
        refused = next(((n, v) for n in names if (v := caa_refusal(zones[n], n))), None)
        if refused:
            cert.status = "FAILED"
            backend.delete_certificate(arn)
            raise DomainError(
                "CAA_ERROR",
                f"Certificate {arn} failed validation for {refused[0]}: the CAA record "
                f"'{refused[1]}' does not allow Amazon to issue certificates (CAA_ERROR)",
                progress,
                arn,
            )
        cert.status = "ISSUED"
        made = cls(arn, where.region)
        made.progress_reasons = progress
        return made

    @staticmethod
    def _write_records(cert: Any, zones: dict[str, Any]) -> tuple[str, ...]:
        """UPSERT each name's validation CNAME in its zone; CloudFormation's in-progress
        reasons naming them."""
        reasons: list[str] = []
        for option in cert.describe()["Certificate"]["DomainValidationOptions"]:
            record = option["ResourceRecord"]
            zone = zones[option["DomainName"]]
            zone.upsert_rrset(
                {
                    "Name": record["Name"],
                    "Type": "CNAME",
                    "TTL": 300,
                    "ResourceRecords": [record["Value"]],
                }
            )
            reason = (
                f"Content of DNS Record is: {{Name: {record['Name']},Type: CNAME,"
                f"Value: {record['Value']}}}"
            )
            if reason not in reasons:
                reasons.append(reason)
        return tuple(reasons)

    def delete(self, account_id: str, region: str) -> None:
        """moto's stack delete calls this."""
        self.remove(self.physical_resource_id, {}, Where(account_id, self.region, ""))

    def change(self, name: str, props: dict[str, Any], where: Where) -> HostingCertificate:
        """Every property of a certificate needs a new one: make it, delete the old one."""
        made = self.create(name, props, where)
        self.remove(self.physical_resource_id, props, where)
        return made

    @classmethod
    def remove(cls, physical_id: str, props: dict[str, Any], where: Where) -> None:
        """Delete the certificate; its validation records stay in the zone, as on AWS."""
        region = physical_id.split(":")[3] if physical_id.count(":") > 4 else where.region
        backend = acm_backend(where.account_id, region)
        if physical_id in backend._certificates:
            backend.delete_certificate(physical_id)
