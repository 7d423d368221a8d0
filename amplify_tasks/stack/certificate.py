"""The custom domain's certificate as ACM reports it (status and expiry), for
`inv hosting.status`."""

from __future__ import annotations

from dataclasses import dataclass

from amplify_tasks import aws
from amplify_tasks.templates.domain import CERTIFICATE_REGION

from .events import error_code


@dataclass(frozen=True)
class CertificateState:
    """A certificate's ACM status and the day it expires (ISO; '' before it is issued)."""

    arn: str
    status: str
    expires: str = ""

    def line(self) -> str:
        until = f", expires {self.expires}" if self.expires else ""
        return f"  certificate       {self.status}{until} ({self.arn})"


def certificate_state(arn: str) -> CertificateState | None:
    """The state of the certificate ``arn`` (None for no ARN); a certificate ACM cannot
    show is reported as such, not raised."""
    if not arn:
        return None
    from botocore.exceptions import ClientError

    with aws.translate_errors():
        acm = aws.client("acm", region=CERTIFICATE_REGION)
        try:
            found = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        except ClientError as exc:
            return CertificateState(arn, f"unreadable ({error_code(exc)})")
    after = found.get("NotAfter")
    expires = after.date().isoformat() if after is not None else ""
    return CertificateState(arn, str(found.get("Status", "")), expires)
