"""`hosting.add`: pick a stage's shape, write `.env.<stage>` (and the shared `.env`), the
ignore file and the rendered template; everything is validated before the first file is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from amplify_tasks.errors import SettingsError
from amplify_tasks.project import Project
from amplify_tasks.settings import (
    ENVIRONMENT,
    Settings,
    build_settings,
    read_env_file,
    sanitize_app_name,
    stage_names,
    validate_stage_name,
)
from amplify_tasks.sync import ignore
from amplify_tasks.templates import rendering as templates

#: Stages whose name picks the shape: dev is S3 only, prod adds CloudFront.
PRESETS: dict[str, bool] = {"dev": False, "prod": True}


def preset_cloudfront(stage: str) -> bool | None:
    """CloudFront on/off for a preset stage name, None for any other stage."""
    return PRESETS.get(stage)


def shape(cloudfront: bool) -> str:
    return "S3 + CloudFront, HTTPS" if cloudfront else "S3 website only, HTTP"


def existing_stages(project: Project) -> list[str]:
    """Stages that have a `.env.<stage>` file, sorted."""
    return stage_names(project)


def default_app_name(project: Project) -> str:
    return sanitize_app_name(project.root.name)


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
        f"# Every key, its value, where it is set and what it means: "
        f"inv hosting.settings --stage {stage}",
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
            "# HOSTING_HOSTED_ZONE=example.com",
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
