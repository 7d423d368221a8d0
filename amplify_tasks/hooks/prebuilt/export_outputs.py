"""The pre-built `export-outputs` hook (post-deploy): the stack outputs as a JSON file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from amplify_tasks.errors import HookError
from amplify_tasks.hooks.model import HookContext
from amplify_tasks.hooks.output import emit
from amplify_tasks.settings import Settings

if TYPE_CHECKING:
    from amplify_tasks.jsontypes import JSON


def export_enabled(settings: Settings | None, args: Mapping[str, object]) -> bool:
    return settings is not None and bool(settings.export_outputs)


def outputs_document(ctx: HookContext) -> dict[str, JSON]:
    """What export-outputs writes: the stage and every stack output, secrets left out."""
    from amplify_tasks.hooks.document import as_mapping, scrub

    outputs = scrub(as_mapping(ctx.outputs) or {})
    return {"stage": ctx.stage, **outputs}


def run_export_outputs(ctx: HookContext) -> None:
    """Write the stack outputs as JSON to HOSTING_EXPORT_OUTPUTS (relative to the project)."""
    if ctx.error is not None or ctx.outputs is None or ctx.arg("dry_run"):
        emit("export-outputs", "no stack outputs in this run: nothing written")
        return
    target = ctx.root / ctx.require_settings().export_outputs
    body = json.dumps(outputs_document(ctx), indent=2, sort_keys=True) + "\n"
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == body:
            emit("export-outputs", f"{target} is up to date")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise HookError(
            f"{ctx.event} hook 'export-outputs' cannot write {target}: {exc}; "
            "fix HOSTING_EXPORT_OUTPUTS or the folder's permissions"
        ) from exc
    emit("export-outputs", f"wrote {target}")
