"""The preview settings: the wildcard domain previews get their own host names under, how
long a preview lives by default, and the password, which is taken from the environment only
(a dotenv file would keep it on disk, beside the code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from amplify_tasks.errors import SettingsError

from .domain import Values, name_problem
from .keys import key_of


@dataclass(frozen=True)
class PreviewSettings:
    domain: str = ""
    expires: int = 7 * 86400
    password: str = ""


def preview_settings(
    values: Values, origins: Mapping[str, str], cloudfront: bool, domain_names: tuple[str, ...]
) -> PreviewSettings:
    """The checked preview settings; the first bad one raises a one-line SettingsError."""
    from amplify_tasks.releases.durations import parse_duration

    domain = values.raw("preview_domain").lower().rstrip(".")
    if domain:
        if name_problem(domain) is not None or domain.startswith("*."):
            raise values.fail(
                "preview_domain",
                "is not a domain name",
                "set it to the domain previews live under, such as preview.example.com",
            )
        if not cloudfront or f"*.{domain}" not in domain_names:
            raise values.fail(
                "preview_domain",
                f"needs the distribution's wildcard alias *.{domain}",
                f"set HOSTING_CLOUDFRONT=true and add *.{domain} to HOSTING_DOMAIN_NAMES (its "
                "certificate must cover it), or leave HOSTING_PREVIEW_DOMAIN empty",
            )
    key = key_of("preview_expires")
    expires = parse_duration(values.raw("preview_expires") or "7d", what=key)
    password_key = key_of("preview_password")
    password = values.raw("preview_password")
    where = origins.get(password_key, "")
    if password and where.startswith("in "):
        # the value is never shown: it is a secret
        raise SettingsError(
            f"{password_key} is set {where}: a password is taken from the environment only; "
            "delete that line and export it for the publish (for example from a CI secret)"
        )
    if password and not all(" " <= ch <= "~" for ch in password):
        raise SettingsError(
            f"{password_key} holds a character that is not printable ASCII: browsers send "
            "HTTP Basic credentials reliably only in ASCII; choose another password"
        )
    return PreviewSettings(domain, expires, password)
