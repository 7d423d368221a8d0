"""The custom domain's hosted zone, checked in Route 53 before anything changes: it exists,
can be read, is public, and holds every domain name; the zone a HOSTING_HOSTED_ZONE name
means is looked up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import SettingsError
from amplify_tasks.settings import Settings, zone_problem
from amplify_tasks.settings.keys import key_of
from amplify_tasks.settings.validate import setting_error

from .events import error_code, error_message

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_route53 import Route53Client

#: Error codes Route 53 answers for a zone id that names no zone.
_MISSING = frozenset({"NoSuchHostedZone", "InvalidInput"})


@dataclass(frozen=True)
class Zone:
    """A Route 53 hosted zone: its id and its name (no trailing dot)."""

    id: str
    name: str

    def label(self) -> str:
        return f"{self.name} ({self.id})"


def _field(settings: Settings) -> str:
    return "hosted_zone_id" if settings.hosted_zone_id else "hosted_zone"


def _value(settings: Settings) -> str:
    return settings.hosted_zone_id or settings.hosted_zone


def _fail(settings: Settings, problem: str, fix: str) -> SettingsError:
    return setting_error(key_of(_field(settings)), _value(settings), None, problem, fix)


def _refused(settings: Settings, exc: ClientError) -> SettingsError:
    code = error_code(exc)
    if code in _MISSING:
        return _fail(
            settings,
            "names no hosted zone of this account",
            "use the id Route 53 shows for the domain's public hosted zone "
            "(aws route53 list-hosted-zones)",
        )
    return _fail(
        settings,
        f"cannot be read ({code}: {aws.one_line(error_message(exc))})",
        "allow route53:GetHostedZone, route53:ListHostedZonesByName and "
        "route53:ChangeResourceRecordSets to these credentials",
    )


def _by_id(settings: Settings, route53: Route53Client) -> tuple[Zone, bool]:
    found = route53.get_hosted_zone(Id=settings.hosted_zone_id)["HostedZone"]
    name = str(found["Name"]).rstrip(".").lower()
    private = bool(found.get("Config", {}).get("PrivateZone"))
    return Zone(settings.hosted_zone_id, name), private


def _by_name(settings: Settings, route53: Route53Client) -> tuple[Zone, bool]:
    wanted = settings.hosted_zone + "."
    listed = route53.list_hosted_zones_by_name(DNSName=wanted, MaxItems="10")["HostedZones"]
    same = [z for z in listed if str(z["Name"]).lower() == wanted]
    public = [z for z in same if not z.get("Config", {}).get("PrivateZone")]
    if not same:
        raise _fail(
            settings,
            "names no hosted zone of this account",
            "create the public hosted zone in Route 53, or correct the name",
        )
    if len(public) > 1:
        ids = ", ".join(str(z["Id"]).rsplit("/", 1)[-1] for z in public)
        raise _fail(
            settings,
            f"names {len(public)} public hosted zones ({ids})",
            "set HOSTING_HOSTED_ZONE_ID to the one that serves the domain instead",
        )
    chosen = (public or same)[0]
    return Zone(str(chosen["Id"]).rsplit("/", 1)[-1], settings.hosted_zone), not public


def find_zone(settings: Settings, route53: Route53Client | None = None) -> Zone | None:
    """The stage's hosted zone, checked (None when it names none); one SettingsError line
    naming the setting when it does not exist, cannot be read, is private, or does not hold
    every domain name."""
    if not (settings.domain_names and _value(settings)):
        return None
    from botocore.exceptions import ClientError

    with aws.translate_errors():
        client = route53 if route53 is not None else aws.client("route53")
        try:
            zone, private = (_by_id if settings.hosted_zone_id else _by_name)(settings, client)
        except ClientError as exc:
            raise _refused(settings, exc) from None
    if private:
        raise _fail(
            settings,
            f"is the private hosted zone {zone.name}: ACM validates and visitors resolve "
            "names only through public DNS",
            "use the domain's public hosted zone",
        )
    if settings.hosted_zone and zone.name != settings.hosted_zone:
        raise _fail(
            settings,
            f"is the zone {zone.name}, not HOSTING_HOSTED_ZONE={settings.hosted_zone}",
            "set only one of HOSTING_HOSTED_ZONE_ID and HOSTING_HOSTED_ZONE",
        )
    wrong = zone_problem(settings.domain_names, zone.name)
    if wrong:
        names = ",".join(settings.domain_names)
        raise setting_error(key_of("domain_names"), names, None, *wrong)
    return zone
