"""The custom-domain settings checked without AWS: the domain names, the hosted zone (by id
or by name), the certificate ARN, and how they fit together and with CloudFront.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from amplify_tasks.errors import SettingsError

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_NAME_RE = re.compile(rf"^({_LABEL}\.)+[a-z]([a-z0-9-]{{0,61}}[a-z0-9])?$")
_CERT_RE = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")
_ZONE_ID_RE = re.compile(r"^(?:/?hostedzone/)?([A-Z0-9]{1,32})$")


class Values(Protocol):
    """Raw setting values that can say what is wrong with one of them."""

    def raw(self, field_name: str) -> str: ...

    def fail(self, field_name: str, problem: str, fix: str) -> SettingsError: ...


@dataclass(frozen=True)
class DomainSettings:
    """The checked custom-domain settings of a stage."""

    names: tuple[str, ...] = ()
    certificate_arn: str = ""
    zone_id: str = ""
    zone: str = ""  # the zone's name, without the trailing dot


def name_problem(name: str) -> str | None:
    """None when ``name`` is a DNS name a distribution alias can have, else why not ('' when
    there is nothing more to say than that)."""
    if len(name) > 253:
        return "longer than 253 characters"
    bare = name[2:] if name.startswith("*.") else name
    if "*" in bare:
        return "a wildcard only as the whole first label, as in *.example.com"
    if not _NAME_RE.match(bare):
        return ""
    return None


def in_zone(name: str, zone: str) -> bool:
    """True when the record ``name`` belongs in the zone named ``zone``."""
    return name == zone or name.endswith("." + zone)


def zone_problem(names: tuple[str, ...], zone: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) for the first name whose record cannot be made in the zone
    named ``zone``; None when every name's record belongs there."""
    for name in names:
        if in_zone(name, zone):
            continue
        if name.startswith("*.") and in_zone(zone, name[2:]):
            return (
                f"holds {name}, a wildcard whose record would sit in {name[2:]}, above the "
                f"hosted zone {zone}",
                f"name the hosts inside {zone} instead (such as *.{zone}), or use the zone "
                f"of {name[2:]}",
            )
        return (
            f"holds {name}, which is outside the hosted zone {zone}",
            f"list only names ending in {zone}, or use the hosted zone they belong to",
        )
    return None


def _names(values: Values) -> tuple[str, ...]:
    out: list[str] = []
    for item in re.split(r"[,\s]+", values.raw("domain_names").lower().rstrip(".")):
        item = item.rstrip(".")
        if not item:
            continue
        problem = name_problem(item)
        if problem is not None:
            raise values.fail(
                "domain_names",
                f"holds {item!r}, which is not a domain name" + (f" ({problem})" * bool(problem)),
                "list DNS names like www.example.com, separated by commas",
            )
        if item not in out:
            out.append(item)
    return tuple(out)


def _zone(values: Values) -> tuple[str, str]:
    raw_id = values.raw("hosted_zone_id")
    zone_id = ""
    if raw_id:
        match = _ZONE_ID_RE.match(raw_id.upper() if raw_id.isalnum() else raw_id)
        if not match:
            raise values.fail(
                "hosted_zone_id",
                "is not a Route 53 hosted zone id",
                "use the zone's id as Route 53 shows it, such as Z0123456789ABCDEFGHIJ",
            )
        zone_id = match.group(1)
    zone = values.raw("hosted_zone").lower().rstrip(".")
    if zone and (zone.startswith("*") or name_problem(zone) is not None):
        raise values.fail(
            "hosted_zone",
            "is not a hosted zone name",
            "use the zone's domain name, such as example.com",
        )
    return zone_id, zone


def _certificate(values: Values, names: tuple[str, ...], zoned: bool) -> str:
    arn = values.raw("certificate_arn")
    if names and not arn and not zoned:
        raise values.fail(
            "certificate_arn",
            f"is empty but HOSTING_DOMAIN_NAMES lists {', '.join(names)}",
            "set HOSTING_HOSTED_ZONE_ID (or HOSTING_HOSTED_ZONE) to the names' Route 53 zone "
            "so publish makes the certificate, or HOSTING_CERTIFICATE_ARN to an ACM "
            "certificate in us-east-1 covering them",
        )
    if arn:
        match = _CERT_RE.match(arn)
        if not match:
            raise values.fail(
                "certificate_arn",
                "is not an ACM certificate ARN",
                "use arn:aws:acm:us-east-1:<account>:certificate/<id>",
            )
        if match.group(1) != "us-east-1":
            raise values.fail(
                "certificate_arn",
                f"is in {match.group(1)}, but CloudFront only uses certificates in us-east-1",
                "request or import the certificate in us-east-1 and use that ARN",
            )
    return arn


def domain_settings(values: Values, cloudfront: bool) -> DomainSettings:
    """The checked domain settings; the first bad value raises SettingsError."""
    names = _names(values)
    zone_id, zone = _zone(values)
    if names and not cloudfront:
        raise values.fail(
            "domain_names",
            "is set but HOSTING_CLOUDFRONT is false (only a distribution serves a custom domain)",
            "set HOSTING_CLOUDFRONT=true for this stage, or empty HOSTING_DOMAIN_NAMES",
        )
    zone_field = "hosted_zone_id" if zone_id else "hosted_zone"
    if (zone_id or zone) and not names:
        raise values.fail(
            zone_field,
            "is set but HOSTING_DOMAIN_NAMES is empty",
            "list the domain names to serve from the zone in HOSTING_DOMAIN_NAMES, or empty "
            f"HOSTING_{zone_field.upper()}",
        )
    wrong = zone_problem(names, zone) if zone else None
    if wrong:
        raise values.fail("domain_names", *wrong)
    arn = _certificate(values, names, bool(zone_id or zone))
    return DomainSettings(names, arn, zone_id, zone)
