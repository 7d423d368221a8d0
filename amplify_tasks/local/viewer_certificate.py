"""CloudFront's checks of a distribution's aliases and viewer certificate: every alias needs
an ACM certificate in us-east-1 that is issued and covers it (a wildcard covers one label),
and no other distribution may already have the alias.
"""

from __future__ import annotations

from typing import Any

from .backends import cloudfront_backend

#: The region CloudFront takes ACM certificates from.
CERTIFICATE_REGION = "us-east-1"


def _error(code: str, message: str) -> Exception:
    from moto.cloudfront.exceptions import CloudFrontException

    return CloudFrontException(code, message)


def covers(pattern: str, name: str) -> bool:
    """True when a certificate name ``pattern`` covers the host ``name``."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return (bool(head) and head != "*" and rest == pattern[2:]) or name == pattern
    return pattern == name


def check_aliases(account_id: str, config: dict[str, Any], own_id: str = "") -> None:
    """Refuse aliases as CloudFront does: no covering issued certificate, or an alias that
    another distribution (not ``own_id``) has."""
    aliases = [str(a) for a in (config.get("Aliases") or {}).get("Items") or []]
    if not aliases:
        return
    from moto.acm.models import acm_backends

    arn = str((config.get("ViewerCertificate") or {}).get("ACMCertificateArn") or "")
    certificates = acm_backends[account_id][CERTIFICATE_REGION]._certificates
    cert = certificates.get(arn)
    if cert is None or cert.status != "ISSUED":
        raise _error(
            "InvalidViewerCertificate",
            "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't "
            "valid, or doesn't include a valid certificate chain.",
        )
    names = {str(n) for n in [cert.common_name, *cert.sans] if n}
    for alias in aliases:
        if not any(covers(n, alias) for n in names):
            raise _error(
                "InvalidViewerCertificate",
                f"The certificate that is attached to your distribution doesn't cover the "
                f"alternate domain name (CNAME) that you're trying to add: {alias}",
            )
    for dist_id, dist in cloudfront_backend(account_id).distributions.items():
        if dist_id == own_id:
            continue
        taken = set((getattr(dist.distribution_config, "Aliases", None) or {}).get("Items") or [])
        clash = taken & set(aliases)
        if clash:
            raise _error(
                "CNAMEAlreadyExists",
                f"One or more of the CNAMEs you provided are already associated with a "
                f"different resource: {sorted(clash)[0]}",
            )
