"""Adding and configuring a stage: write `.env.<stage>`, edit settings and ignore patterns, and
render the stage's template; everything is validated before the first file is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import ignore, templates
from .errors import SettingsError
from .project import Project
from .settings import (
    ENVIRONMENT,
    FIELD_KEYS,
    ErrorResponse,
    Settings,
    as_values,
    build_settings,
    format_error_responses,
    parse_error_response,
    parse_error_responses,
    read_env_file,
    sanitize_app_name,
    stage_values,
    validate_stage_name,
    write_settings,
)

#: Stages whose name picks the shape: dev is S3 only, prod adds CloudFront.
PRESETS: dict[str, bool] = {"dev": False, "prod": True}
#: The interactive sections of `hosting.configure`, in walk order.
SECTIONS = ("website", "cloudfront", "publish")


def preset_cloudfront(stage: str) -> bool | None:
    """CloudFront on/off for a preset stage name, None for any other stage."""
    return PRESETS.get(stage)


def shape(cloudfront: bool) -> str:
    return "S3 + CloudFront, HTTPS" if cloudfront else "S3 website only, HTTP"


def existing_stages(project: Project) -> list[str]:
    """Stages that have a `.env.<stage>` file, sorted."""
    found = []
    for path in sorted(project.env_dir.glob(".env.*")):
        name = path.name[len(".env.") :]
        try:
            validate_stage_name(name)
        except SettingsError:
            continue
        if path.is_file():
            found.append(name)
    return found


def default_app_name(project: Project) -> str:
    return sanitize_app_name(project.root.name)


# --------------------------------------------------------------------------- add


@dataclass(frozen=True)
class AddResult:
    """What `add_stage` wrote."""

    stage: str
    settings: Settings
    env_file: Path
    template_path: Path
    written: tuple[Path, ...]
    template_diff: str | None


def stage_file_text(stage: str, cloudfront: bool) -> str:
    """The first contents of `.env.<stage>`."""
    lines = [
        f"# Settings of stage {stage} ({shape(cloudfront)}).",
        "# Shared settings live in .env; the process environment overrides both files.",
        "# Every key, with its default, is listed in .env.example.",
        f"HOSTING_CLOUDFRONT={'true' if cloudfront else 'false'}",
        "# HOSTING_INDEX_DOCUMENT=index.html",
        "# HOSTING_ERROR_DOCUMENT=index.html",
    ]
    if cloudfront:
        lines += [
            "# HOSTING_SPA=false",
            "# HOSTING_MIN_TTL=60",
            "# HOSTING_DEFAULT_TTL=86400",
            "# HOSTING_MAX_TTL=31536000",
            "# HOSTING_ERROR_RESPONSES=404:/404.html:404",
            "# HOSTING_DOMAIN_NAMES=www.example.com",
            "# HOSTING_CERTIFICATE_ARN=arn:aws:acm:us-east-1:123456789012:certificate/...",
        ]
    return "\n".join(lines) + "\n"


def shared_file_text(app_name: str) -> str:
    """The first contents of `.env` (settings every stage shares)."""
    return (
        "# Settings shared by every stage; .env.<stage> and the environment override them.\n"
        f"HOSTING_APP_NAME={app_name}\n"
        "# HOSTING_BUILD_COMMAND=npm run build\n"
        "# HOSTING_DIST_DIR=dist\n"
    )


def add_stage(
    project: Project,
    stage: str,
    cloudfront: bool | None = None,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
) -> AddResult:
    """Write `.env.<stage>` (and `.env`, `.publishignore` when missing) and render the template.

    ``cloudfront`` None takes the preset of dev/prod; other stages must say.
    """
    import os

    validate_stage_name(stage)
    if cloudfront is None:
        cloudfront = preset_cloudfront(stage)
    if cloudfront is None:
        raise SettingsError(
            f"stage {stage!r} has no preset shape: pass --cloudfront (S3 + CloudFront) "
            "or --no-cloudfront (S3 website only)"
        )
    env_file = project.env_file(stage)
    if env_file.exists() and not force:
        raise SettingsError(
            f"{env_file.name} already exists: change it with `inv hosting.configure --stage "
            f"{stage}`, or pass --force to overwrite it"
        )
    shared_file = project.env_file(None)
    shared_text = None if shared_file.exists() else shared_file_text(default_app_name(project))
    stage_text = stage_file_text(stage, cloudfront)

    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    if shared_text is None:
        for key, value in read_env_file(shared_file).items():
            values[key], origins[key] = value, f"in {shared_file.name}"
    else:
        values["HOSTING_APP_NAME"] = default_app_name(project)
    values["HOSTING_CLOUDFRONT"] = "true" if cloudfront else "false"
    env = os.environ if environ is None else environ
    for key, value in env.items():
        if key.startswith("HOSTING_"):
            values[key], origins[key] = value, ENVIRONMENT
    settings = build_settings(
        stage, values, default_app_name=default_app_name(project), origins=origins
    )
    text = templates.render(project, settings)

    written: list[Path] = []
    if shared_text is not None:
        shared_file.parent.mkdir(parents=True, exist_ok=True)
        shared_file.write_text(shared_text, encoding="utf-8")
        written.append(shared_file)
    env_file.parent.mkdir(parents=True, exist_ok=True)
    env_file.write_text(stage_text, encoding="utf-8")
    written.append(env_file)
    ignore_file = ignore.ignore_path(project.root, settings)
    if ignore.write_default(ignore_file):
        written.append(ignore_file)
    template_path, diff = templates.write_text(project.template_path(stage), text)
    written.append(template_path)
    return AddResult(stage, settings, env_file, template_path, tuple(written), diff)


# --------------------------------------------------------------------------- configure


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
