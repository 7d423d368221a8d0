"""Reading a stage's settings: `.env` (shared) and `.env.<stage>` with python-dotenv, the
process environment winning over both, into one validated Settings.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from amplify_tasks.errors import SettingsError

from .keys import PREFIX
from .model import Settings
from .paths import check_paths
from .validate import build_settings, sanitize_app_name, validate_stage_name

if TYPE_CHECKING:
    from amplify_tasks.project import Project


#: The origin of a value set in the process environment (it wins over the files).
ENVIRONMENT = "from the environment"


def read_env_file(path: Path) -> dict[str, str]:
    """The keys of one dotenv file; a malformed line raises SettingsError naming it."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}; fix the file or its permissions") from None
    out: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or (binding.key is not None and binding.value is None):
            original = binding.original.string
            stripped = original.lstrip("\n")
            lineno = binding.original.line + len(original) - len(stripped)
            shown = stripped.splitlines()[0] if stripped.strip() else ""
            raise SettingsError(
                f"{path.name} line {lineno}: {shown!r} is not KEY=VALUE: "
                "fix or remove that line (quote values holding spaces or '#')"
            )
        if binding.key is not None and binding.value is not None:
            out[binding.key] = binding.value
    return out


def stage_names(project: Project) -> list[str]:
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


def missing_stage_message(project: Project, stage: str) -> str:
    """Why a stage cannot be used: the stages there are, the closest one, how to add it."""
    import difflib

    stage_file = project.env_file(stage)
    known = stage_names(project)
    add = f"`inv hosting.add --stage {stage}`"
    if not known:
        return (
            f"stage {stage!r} has no {stage_file.name} in {project.env_dir} and no stage has "
            f"been added there yet: run {add} first"
        )
    close = difflib.get_close_matches(stage, known, n=1, cutoff=0.5)
    where = f"stage {stage!r} has no {stage_file.name} in {project.env_dir}; "
    where += f"the stages are {', '.join(known)}"
    if close:
        return f"{where}: did you mean --stage {close[0]}? (to add stage {stage}, run {add})"
    return f"{where}: pass one of them, or run {add} first"


def stage_values(
    project: Project, stage: str, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Merged raw values (.env < .env.<stage> < environment) and where each key came from."""
    validate_stage_name(stage)
    stage_file = project.env_file(stage)
    if not stage_file.is_file():
        raise SettingsError(missing_stage_message(project, stage))
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    for path in (project.env_file(None), stage_file):
        for key, value in read_env_file(path).items():
            values[key] = value
            origins[key] = f"in {path.name}"
    env = os.environ if environ is None else environ
    for key, value in env.items():
        if key.startswith(PREFIX):
            values[key] = value
            origins[key] = ENVIRONMENT
    return values, origins


def load_settings(
    project: Project, stage: str, environ: Mapping[str, str] | None = None
) -> Settings:
    """The validated Settings of a stage; SettingsError (one line) on any bad value."""
    values, origins = stage_values(project, stage, environ)
    return settings_from(project, stage, values, origins)


def settings_from(
    project: Project, stage: str, values: Mapping[str, str], origins: Mapping[str, str]
) -> Settings:
    """Raw values (with their origins) validated into a stage's Settings, its paths checked."""
    settings = build_settings(
        stage, values, default_app_name=sanitize_app_name(project.root.name), origins=origins
    )
    check_paths(project, settings, origins)
    return settings
