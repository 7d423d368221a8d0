"""`hosting.configure`: change a stage's settings and ignore patterns from flags or the
walk-through's answers, re-render its template; everything is validated before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from amplify_tasks.errors import SettingsError
from amplify_tasks.project import Project
from amplify_tasks.settings import (
    ENVIRONMENT,
    FIELD_KEYS,
    ErrorResponse,
    Settings,
    as_values,
    build_settings,
    format_error_responses,
    parse_error_response,
    parse_error_responses,
    stage_values,
    write_settings,
)
from amplify_tasks.sync import ignore
from amplify_tasks.templates import rendering as templates

from .add import default_app_name

#: The interactive sections of `hosting.configure`, in walk order.
SECTIONS = ("website", "cloudfront", "publish")


@dataclass(frozen=True)
class StageChanges:
    """Requested changes to a stage; None or empty means 'leave as is'."""

    index_document: str | None = None
    error_document: str | None = None
    cloudfront: bool | None = None
    min_ttl: str | None = None
    default_ttl: str | None = None
    max_ttl: str | None = None
    spa: bool | None = None
    error_responses: tuple[str, ...] = ()  # CODE:PATH:RESPONSE_CODE[:TTL], add or replace
    clear_error_responses: bool = False
    ignore: tuple[str, ...] = ()
    unignore: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == StageChanges()


#: The flag that sets each settings field, for error messages.
FLAGS: dict[str, str] = {
    "index_document": "--index-doc",
    "error_document": "--error-doc",
    "cloudfront": "--cloudfront/--no-cloudfront",
    "min_ttl": "--min-ttl",
    "default_ttl": "--default-ttl",
    "max_ttl": "--max-ttl",
    "spa": "--spa/--no-spa",
    "error_responses": "--error-response",
}


@dataclass(frozen=True)
class ConfigureResult:
    """What `configure_stage` changed."""

    stage: str
    settings: Settings
    env_file: Path
    changed: dict[str, tuple[str, str]]  # key -> (old, new), as written to the stage file
    overridden: tuple[str, ...]  # keys written but still overridden by the environment
    ignore: ignore.IgnoreChange
    template_path: Path
    template_diff: str | None


def _text_updates(changes: StageChanges, values: Mapping[str, str]) -> dict[str, str]:
    updates: dict[str, str] = {}
    for name in ("index_document", "error_document", "min_ttl", "default_ttl", "max_ttl"):
        value = getattr(changes, name)
        if value is not None:
            updates[FIELD_KEYS[name]] = str(value).strip()
    for name in ("cloudfront", "spa"):
        flag = getattr(changes, name)
        if flag is not None:
            updates[FIELD_KEYS[name]] = "true" if flag else "false"
    if changes.error_responses or changes.clear_error_responses:
        key = FIELD_KEYS["error_responses"]
        base: tuple[ErrorResponse, ...] = ()
        if not changes.clear_error_responses:
            try:
                base = parse_error_responses(values.get(key, ""))
            except ValueError as exc:
                raise SettingsError(
                    f"{key}={values.get(key, '')!r} is invalid ({exc}): fix it, or pass "
                    "--clear-error-responses"
                ) from None
        by_code = {r.code: r for r in base}
        for item in changes.error_responses:
            try:
                response = parse_error_response(item)
            except ValueError as exc:
                raise SettingsError(f"--error-response {item!r}: {exc}") from None
            by_code[response.code] = response
        updates[key] = format_error_responses(by_code[c] for c in sorted(by_code))
    return updates


def _effective(
    project: Project, stage: str, values: Mapping[str, str], origins: Mapping[str, str]
) -> dict[str, str]:
    """The current values with defaults filled in (the raw values if they do not validate)."""
    try:
        current = build_settings(
            stage, values, default_app_name=default_app_name(project), origins=origins
        )
    except SettingsError:
        return dict(values)
    return as_values(current)


def configure_stage(
    project: Project,
    stage: str,
    changes: StageChanges,
    environ: Mapping[str, str] | None = None,
) -> ConfigureResult:
    """Apply changes to `.env.<stage>` and the ignore file, then render the template again.

    Every value is validated and the template rendered before any file is written.
    """
    values, origins = stage_values(project, stage, environ)
    updates = _text_updates(changes, values)
    flag_of = {FIELD_KEYS[n]: f for n, f in FLAGS.items()}

    new_values = dict(values)
    new_origins = dict(origins)
    overridden: list[str] = []
    for key, value in updates.items():
        if origins.get(key) == ENVIRONMENT:
            if values.get(key) != value:
                overridden.append(key)
            continue
        new_values[key] = value
        new_origins[key] = f"from {flag_of.get(key, key)}"
    settings = build_settings(
        stage, new_values, default_app_name=default_app_name(project), origins=new_origins
    )
    ignore_file = ignore.ignore_path(project.root, settings)
    ignore_text, ignore_change = ignore.plan_edit(ignore_file, changes.ignore, changes.unignore)
    text = templates.render(project, settings)

    env_file = project.env_file(stage)
    before = _effective(project, stage, values, origins)
    changed = {
        key: (before.get(key, ""), value)
        for key, value in updates.items()
        if before.get(key, "") != value
    }
    if changed:
        write_settings(env_file, {key: new for key, (_, new) in changed.items()})
    if ignore_change.changed:
        ignore_file.parent.mkdir(parents=True, exist_ok=True)
        ignore_file.write_text(ignore_text, encoding="utf-8")
    template_path, diff = templates.write_text(project.template_path(stage), text)
    return ConfigureResult(
        stage=stage,
        settings=settings,
        env_file=env_file,
        changed=changed,
        overridden=tuple(overridden),
        ignore=ignore_change,
        template_path=template_path,
        template_diff=diff,
    )
