"""What the templates need for a custom domain: the certificate the distribution uses (given,
made in the stack, or made in the companion stack in us-east-1 and passed in), the alias
records per name, and the companion stack's own template.
"""

from __future__ import annotations

import hashlib
import re

from amplify_tasks.settings import Settings

#: CloudFront only uses certificates from this region.
CERTIFICATE_REGION = "us-east-1"

#: The hosted zone id every alias record to a CloudFront distribution names.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"

#: Logical ids and parameters the domain adds.
CERTIFICATE_ID = "DomainCertificate"
ZONE_PARAMETER = "HostedZoneId"
ARN_PARAMETER = "CertificateArn"
IN_STACK_CONDITION = "CertificateInStack"


def zoned(settings: Settings) -> bool:
    """True when the stage names a hosted zone: the stack makes the alias records."""
    return bool(settings.domain_names and (settings.hosted_zone_id or settings.hosted_zone))


def makes_certificate(settings: Settings) -> bool:
    """True when publish makes the certificate (a zone and no certificate ARN)."""
    return zoned(settings) and not settings.certificate_arn


def record_id(name: str, rtype: str) -> str:
    """The logical id of a name's alias record: readable, and unique through a hash."""
    label = "".join(p.capitalize() for p in re.split(r"[^a-z0-9]+", name.replace("*", "wildcard")))
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"Alias{rtype}{label[:40]}{digest}"


def domain_urls(settings: Settings) -> tuple[str, ...]:
    """``https://`` + each domain name that is no wildcard."""
    return tuple(f"https://{n}" for n in settings.domain_names if not n.startswith("*."))


def domain_url(settings: Settings) -> str:
    """The first of ``domain_urls``, when the stack makes the names' records."""
    urls = domain_urls(settings)
    return urls[0] if zoned(settings) and urls else ""


def certificate_ref(settings: Settings) -> object:
    """What the distribution's AcmCertificateArn is: the given ARN, else the one this stack
    makes (in us-east-1) or the companion stack's, passed in as a parameter."""
    if not makes_certificate(settings):
        return settings.certificate_arn
    return {"Fn::If": [IN_STACK_CONDITION, {"Ref": CERTIFICATE_ID}, {"Ref": ARN_PARAMETER}]}


def domain_context(settings: Settings) -> dict[str, object]:
    """The template variables of the custom domain."""
    names = settings.domain_names
    return {
        "hosted_zone": zoned(settings),
        "make_certificate": makes_certificate(settings),
        "certificate_condition": IN_STACK_CONDITION,
        "certificate_ref": certificate_ref(settings),
        "certificate_region": CERTIFICATE_REGION,
        "cloudfront_zone_id": CLOUDFRONT_ZONE_ID,
        "alias_records": [
            {"id": record_id(n, t), "name": n, "type": t} for n in names for t in ("A", "AAAA")
        ],
        "domain_url": domain_url(settings),
    }


def companion_name(settings: Settings) -> str:
    """The companion stack's name: the stage's, with ``-certificate`` (at most 128)."""
    return companion_of(settings.stack_name)


def companion_of(stack_name: str) -> str:
    """The companion stack's name of the stage stack ``stack_name``."""
    return f"{stack_name[:116]}-certificate"
