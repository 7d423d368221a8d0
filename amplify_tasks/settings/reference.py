"""`inv hosting.settings`: every key of a stage with its value, where the value came from
(default, `.env`, `.env.<stage>`, environment) and one line of meaning; secrets masked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from amplify_tasks.secret import MASK, is_secret_name, mask, secret_values

from .files import ENVIRONMENT, settings_from, stage_values
from .keys import KEYS
from .views import as_values

if TYPE_CHECKING:
    from amplify_tasks.project import Project


#: Where a value came from when no file and no variable sets it.
DEFAULT = "default"


#: The meaning shown for a ``HOSTING_*`` key the tool does not know.
UNKNOWN = "not an amplify-tasks setting: kept, hooks see it in settings.extra"


@dataclass(frozen=True)
class SettingRow:
    """One key as `inv hosting.settings` shows it."""

    key: str
    value: str
    source: str
    default: str
    meaning: str


def source_label(origin: str | None) -> str:
    """``in .env.prod`` -> ``.env.prod``; the environment -> ``environment``; else default."""
    if not origin:
        return DEFAULT
    if origin == ENVIRONMENT:
        return "environment"
    return origin.removeprefix("in ")


def _source(values: Mapping[str, str], origins: Mapping[str, str], key: str) -> str:
    """Where a key's value came from: an empty value is the default's."""
    return source_label(origins.get(key) if values.get(key, "").strip() else None)


def source_of(
    project: Project, stage: str, key: str, environ: Mapping[str, str] | None = None
) -> str:
    """Where one key of a stage is set: default, .env, .env.<stage> or environment."""
    values, origins = stage_values(project, stage, environ)
    return _source(values, origins, key)


def _shown(key: str, value: str, secrets: list[str]) -> str:
    return MASK if is_secret_name(key) and value else mask(value, secrets)


@dataclass(frozen=True)
class SettingsReference:
    """Every key of one stage, in the key table's order; ``to_json`` for scripts."""

    stage: str
    rows: tuple[SettingRow, ...]

    def sources(self) -> str:
        """The sources in the order they apply, a later one winning."""
        return f"default < .env < .env.{self.stage} < environment"

    def to_json(self) -> str:
        data = {
            "stage": self.stage,
            "settings": {
                r.key: {k: v for k, v in asdict(r).items() if k != "key"} for r in self.rows
            },
        }
        return json.dumps(data, indent=2)


def settings_reference(
    project: Project, stage: str, environ: Mapping[str, str] | None = None
) -> SettingsReference:
    """The stage's settings, validated: every known key (derived values included), then the
    unknown ``HOSTING_*`` keys the files or the environment set."""
    env = os.environ if environ is None else environ
    values, origins = stage_values(project, stage, env)
    settings = settings_from(project, stage, values, origins)
    effective = as_values(settings)
    secrets = secret_values(env)
    rows = [
        SettingRow(
            key.name,
            _shown(key.name, effective[key.name], secrets),
            _source(values, origins, key.name),
            key.default_text,
            key.meaning,
        )
        for key in KEYS
    ]
    rows += [
        SettingRow(name, _shown(name, value, secrets), _source(values, origins, name), "", UNKNOWN)
        for name, value in settings.extra.items()
    ]
    return SettingsReference(stage, tuple(rows))
