"""Settings seen from outside: as the ``HOSTING_*`` strings that load back to them, and as a
JSON-able mapping for hooks.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from amplify_tasks.secret import is_secret_name

from .keys import FIELD_KEYS
from .model import ErrorResponse, Settings
from .validate import format_error_responses

if TYPE_CHECKING:
    pass


def as_values(settings: Settings) -> dict[str, str]:
    """Settings as the ``HOSTING_*`` strings that would load back to it (derived included)."""
    from amplify_tasks.releases.durations import format_duration

    out: dict[str, str] = {}
    for name, key in FIELD_KEYS.items():
        value = getattr(settings, name)
        out[key] = format_duration(value) if name == "preview_expires" else _to_text(value)
    return out


def _to_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        if value and isinstance(value[0], ErrorResponse):
            return format_error_responses(value)
        return ",".join(str(v) for v in value)
    return str(value)


def public_settings(settings: Settings) -> Settings:
    """Settings without the secrets: the preview password and the extra keys whose names
    look secret (what hooks are given)."""
    extra = {k: v for k, v in settings.extra.items() if not is_secret_name(k)}
    return dataclasses.replace(settings, extra=extra, preview_password="")


def public_dict(settings: Settings) -> dict[str, object]:
    """A JSON-able view of Settings for hooks; keys that look secret are left out."""
    data: dict[str, object] = {}
    public = public_settings(settings)
    for f in dataclasses.fields(public):
        value = getattr(public, f.name)
        if f.name == "preview_password":
            continue
        if f.name == "error_responses":
            value = [dataclasses.asdict(r) for r in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data
