"""The JSON document hooks read on stdin and the HOSTING_* environment made from it; secret
keys are left out and secret values masked.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, overload

from amplify_tasks.secret import is_secret_name, mask

from .model import HookContext

if TYPE_CHECKING:
    from amplify_tasks.jsontypes import JSON

#: The JSON schema of the document hook scripts read on stdin.
SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "hook-input.schema.json"

#: Version of the JSON document hooks read on stdin (schemas/hook-input.schema.json).
INPUT_VERSION = 1


class HookInputError(TypedDict):
    """The failure a post hook is given."""

    message: str
    type: str


class HookInput(TypedDict):
    """The JSON document a hook reads on stdin (schemas/hook-input.schema.json)."""

    version: int
    event: str
    hook: str
    task: str
    stage: str
    args: dict[str, JSON]
    settings: dict[str, JSON] | None
    outputs: dict[str, JSON] | None
    error: HookInputError | None
    project_root: str
    release: dict[str, str] | None
    preview: dict[str, str] | None


@overload
def scrub(value: Mapping[str, object], secrets: Sequence[str] = ()) -> dict[str, JSON]: ...
@overload
def scrub(value: None, secrets: Sequence[str] = ()) -> None: ...
@overload
def scrub(value: object, secrets: Sequence[str] = ()) -> JSON: ...
def scrub(value: object, secrets: Sequence[str] = ()) -> JSON:
    """A JSON-ready copy of ``value`` without secret-named keys and with secret values masked."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): scrub(v, secrets) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask(value, secrets)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value), secrets)


def as_mapping(value: object) -> dict[str, object] | None:
    """Settings or stack outputs (dataclass, mapping or object with to_dict) as a dict."""
    if value is None:
        return None
    for method in ("to_dict", "as_dict"):
        fn = getattr(value, method, None)
        if callable(fn):
            return dict(fn())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    return {k: v for k, v in vars(value).items() if not k.startswith("_")}


def hook_input(ctx: HookContext, hook_name: str, secrets: Sequence[str] = ()) -> HookInput:
    """The JSON document a hook reads on stdin (schemas/hook-input.schema.json)."""
    error: HookInputError | None = None
    if ctx.error is not None:
        error = {"message": mask(ctx.error, secrets), "type": ctx.error_type or "Error"}
    return {
        "version": INPUT_VERSION,
        "event": ctx.event,
        "hook": hook_name,
        "task": ctx.task,
        "stage": ctx.stage,
        "args": scrub(ctx.args, secrets),
        "settings": scrub(as_mapping(ctx.settings), secrets),
        "outputs": scrub(as_mapping(ctx.outputs), secrets),
        "error": error,
        "project_root": str(ctx.project.root) if ctx.project else "",
        "release": dict(ctx.release) if ctx.release is not None else None,
        "preview": dict(ctx.preview) if ctx.preview is not None else None,
    }


def _env_name(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_").upper() for p in parts)


def _env_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def hook_env(document: HookInput, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without secrets, plus HOSTING_* variables for the input.

    HOSTING_EVENT, _HOOK, _TASK, _STAGE, _PROJECT_ROOT, _ERROR, _ERROR_TYPE, and one
    HOSTING_ARG_<NAME>, HOSTING_SETTING_<NAME>, HOSTING_OUTPUT_<NAME> per field; on a release
    stage after its sync, HOSTING_RELEASE_ID and HOSTING_RELEASE_PREVIOUS; after a preview's,
    HOSTING_PREVIEW_NAME, HOSTING_PREVIEW_URL and HOSTING_PREVIEW_EXPIRES.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()}
    env = {k: v for k, v in env.items() if not is_secret_name(k)}
    for key in ("event", "hook", "task", "stage", "project_root"):
        env[_env_name("HOSTING", key)] = _env_value(document.get(key))
    error = document.get("error")
    if error:
        env["HOSTING_ERROR"] = str(error["message"])
        env["HOSTING_ERROR_TYPE"] = str(error["type"])
    release = document.get("release")
    if release:
        env["HOSTING_RELEASE_ID"] = release.get("id", "")
        env["HOSTING_RELEASE_PREVIOUS"] = release.get("previous", "")
    preview = document.get("preview")
    if preview:
        for key in ("name", "url", "expires"):
            env[_env_name("HOSTING_PREVIEW", key)] = preview.get(key, "")
    for prefix, section in (
        ("ARG", document.get("args")),
        ("SETTING", document.get("settings")),
        ("OUTPUT", document.get("outputs")),
    ):
        for key, value in (section or {}).items():
            env[_env_name("HOSTING", prefix, key)] = _env_value(value)
    return env
