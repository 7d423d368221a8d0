"""`inv hosting.add` and `inv hosting.configure`: pick or ask the stage, turn flags (or answers
on a terminal) into one call of the stage core in amplify_tasks.stages, and print the result.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SettingsError
from ..project import Project
from ._edge import hosting_task
from ._hooked import hooked

if TYPE_CHECKING:
    from invoke import Context

_STAGE_CHOICES = (
    ("dev", "DEV (S3 only with HTTP)"),
    ("prod", "PROD (S3 with CloudFront using HTTPS)"),
)


def _tri(on: bool, off: bool, name: str) -> bool | None:
    if on and off:
        raise SettingsError(f"--{name} and --no-{name} contradict each other: pass only one")
    return True if on else False if off else None


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


def _resolve_stage(project: Project, stage: str, ask: bool, new: bool) -> str:
    """--stage, else hosting.default_stage, else ask on a terminal, else a clear error."""
    from amplify_tasks.settings import validate_stage_name
    from amplify_tasks.setup import existing_stages

    from ..prompt import Prompter, interactive

    chosen = stage or project.get("default_stage") or ""
    if chosen:
        return validate_stage_name(str(chosen))
    if ask and interactive():
        if new:
            return Prompter().choose("Select the environment setup", _STAGE_CHOICES, "dev")
        stages = existing_stages(project)
        if stages:
            return Prompter().choose("Stage to configure", [(s, s) for s in stages], stages[0])
    known = ", ".join(existing_stages(project)) or "none yet"
    raise SettingsError(
        f"no stage given (existing: {known}): pass --stage NAME, for example --stage "
        f"{'dev' if new else 'prod'}, or set hosting.default_stage in invoke.yaml"
    )


@hosting_task(
    help={
        "stage": "stage name ([a-z0-9-]); dev is S3 only, prod adds CloudFront; asked if omitted",
        "cloudfront": "serve the stage through CloudFront with HTTPS (any stage name)",
        "no_cloudfront": "S3 website only, HTTP (any stage name)",
        "yes": "ask nothing: take defaults (CloudFront off for stages other than prod)",
        "force": "overwrite an existing .env.<stage>",
        "no_hooks": "run no user hooks (pre-built hooks still run)",
    }
)
def add(
    c: Context,
    stage: str = "",
    cloudfront: bool = False,
    no_cloudfront: bool = False,
    yes: bool = False,
    force: bool = False,
    no_hooks: bool = False,
) -> None:
    """Add a hosting stage: write .env.<stage> and render its stack template."""
    from amplify_tasks.setup import add_stage, preset_cloudfront, shape

    from ..prompt import Prompter, interactive

    project = Project.from_context(c)
    chosen = _resolve_stage(project, stage, ask=not yes, new=True)
    use_cf = _tri(cloudfront, no_cloudfront, "cloudfront")
    if use_cf is None and preset_cloudfront(chosen) is None:
        if not yes and interactive():
            use_cf = Prompter().confirm(f"Serve stage {chosen} through CloudFront (HTTPS)", False)
        else:
            use_cf = False
    args = {"cloudfront": use_cf, "yes": yes, "force": force}
    with hooked(project, "add", chosen, args, no_hooks=no_hooks) as ctx:
        result = add_stage(project, chosen, use_cf, force)
        ctx.settings = result.settings
    print(f"added stage {result.stage} ({shape(result.settings.cloudfront)})")
    for path in result.written:
        print(f"  wrote {_rel(project, path)}")
    if result.template_diff:
        print(f"  template changes: {result.template_diff}")
    print(
        f"next: inv publish --stage {result.stage}"
        f"  (change settings: inv hosting.configure --stage {result.stage})"
    )


@hosting_task(
    help={
        "stage": "stage to configure (asked on a terminal if omitted)",
        "section": "walk only this section on a terminal: website, cloudfront or publish",
        "index_doc": "index document, e.g. index.html",
        "error_doc": "error document, e.g. 404.html",
        "cloudfront": "turn CloudFront (HTTPS) on",
        "no_cloudfront": "turn CloudFront off (S3 website only); the bucket and files stay",
        "min_ttl": "CloudFront minimum TTL in seconds",
        "default_ttl": "CloudFront default TTL in seconds",
        "max_ttl": "CloudFront maximum TTL in seconds",
        "spa": "single-page app: 403/404 serve the index document with 200",
        "no_spa": "turn single-page-app mode off",
        "error_response": "CODE:PATH:RESPONSE_CODE[:CACHING_TTL], add or replace (repeatable)",
        "clear_error_responses": "remove every custom error response first",
        "ignore": "add a publish ignore pattern, gitignore syntax (repeatable)",
        "unignore": "remove a publish ignore pattern (repeatable)",
        "no_hooks": "run no user hooks (pre-built hooks still run)",
    },
    iterable=["error_response", "ignore", "unignore"],
    auto_shortflags=False,
    short_flags={"stage": "s"},
)
def configure(
    c: Context,
    stage: str = "",
    section: str = "",
    index_doc: str = "",
    error_doc: str = "",
    cloudfront: bool = False,
    no_cloudfront: bool = False,
    min_ttl: str = "",
    default_ttl: str = "",
    max_ttl: str = "",
    spa: bool = False,
    no_spa: bool = False,
    error_response: list[str] | None = None,
    clear_error_responses: bool = False,
    ignore: list[str] | None = None,
    unignore: list[str] | None = None,
    no_hooks: bool = False,
) -> None:
    """Configure a stage's website, CloudFront and publish settings (flags or questions)."""
    from amplify_tasks.settings import load_settings
    from amplify_tasks.setup import SECTIONS, StageChanges, configure_stage, walk
    from amplify_tasks.sync import ignore_path, read_patterns

    from ..prompt import Prompter, interactive

    if section and section not in SECTIONS:
        raise SettingsError(f"--section {section!r} is unknown: use one of {', '.join(SECTIONS)}")
    project = Project.from_context(c)
    changes = StageChanges(
        index_document=index_doc or None,
        error_document=error_doc or None,
        cloudfront=_tri(cloudfront, no_cloudfront, "cloudfront"),
        min_ttl=min_ttl or None,
        default_ttl=default_ttl or None,
        max_ttl=max_ttl or None,
        spa=_tri(spa, no_spa, "spa"),
        error_responses=tuple(error_response or ()),
        clear_error_responses=clear_error_responses,
        ignore=tuple(ignore or ()),
        unignore=tuple(unignore or ()),
    )
    chosen = _resolve_stage(project, stage, ask=changes.is_empty(), new=False)
    settings = load_settings(project, chosen)
    if changes.is_empty() and interactive():
        patterns = read_patterns(ignore_path(project.root, settings))
        sections = (section,) if section else SECTIONS
        changes = walk(Prompter(), settings, patterns, sections)
    given = {k: v for k, v in asdict(changes).items() if v is not None and v != ()}
    args = {"section": section, **given}
    with hooked(project, "configure", chosen, args, no_hooks=no_hooks, settings=settings) as ctx:
        result = configure_stage(project, chosen, changes)
        ctx.settings = load_settings(project, chosen)

    for key, (old, new) in result.changed.items():
        print(f"{key}: {old or '(default)'} -> {new or '(default)'}")
    for key in result.overridden:
        print(f"note: {key} is set in the environment, which overrides .env.{chosen}")
    if result.ignore.changed:
        marks = [f"+{p}" for p in result.ignore.added] + [f"-{p}" for p in result.ignore.removed]
        print(f"{_rel(project, result.ignore.path)}: {' '.join(marks)}")
    if not (result.changed or result.ignore.changed):
        print(f"stage {chosen}: settings unchanged")
    summary = result.template_diff or "written"
    print(f"template {_rel(project, result.template_path)}: {summary}")
