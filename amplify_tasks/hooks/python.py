"""Python hooks: ``module:function`` names under invoke config ``hosting.hooks.<event>``,
imported from the project root and run with their stdout and stderr prefixed and masked, given
settings without secrets; an exception's text is masked too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import sys
from collections.abc import Callable, Mapping

from amplify_tasks.errors import HookError, HostingError
from amplify_tasks.project import Project
from amplify_tasks.secret import mask, secret_values

from .events import EVENTS
from .model import Hook, HookContext, Kind
from .output import PrefixWriter


def python_hook_names(project: Project, event: str) -> list[str]:
    """The ``module:function`` names under invoke config ``hosting.hooks.<event>``."""
    table = project.get("hooks") or {}
    if not isinstance(table, Mapping):
        raise HookError(
            "invoke config hosting.hooks must map event names to lists of 'module:function'"
        )
    unknown = sorted(set(map(str, table)) - set(EVENTS))
    if unknown:
        raise HookError(
            f"invoke config hosting.hooks names unknown event(s) {', '.join(unknown)}: "
            f"use {', '.join(EVENTS)}"
        )
    names = table.get(event) or []
    if isinstance(names, str):
        names = [names]
    for name in names:
        if not isinstance(name, str) or name.count(":") != 1 or name.startswith(":"):
            raise HookError(
                f"hook {name!r} under hosting.hooks.{event} is not 'module:function': "
                "name a function as package.module:function"
            )
    return list(names)


def load_callable(project: Project, spec: str, event: str) -> Callable[[HookContext], object]:
    """Import ``module:function``; the project root is importable as in its tasks.py."""
    module_name, func_name = spec.split(":")
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise HookError(
            f"cannot import hook {spec!r} (hosting.hooks.{event}): {type(exc).__name__}: {exc} "
            f"-- make {module_name} importable from {project.root}"
        ) from exc
    func = getattr(module, func_name, None)
    if not callable(func):
        raise HookError(
            f"hook {spec!r} (hosting.hooks.{event}): {module_name} has no function "
            f"{func_name}: fix the name in the invoke config"
        )
    return func


def _without_secrets(ctx: HookContext) -> HookContext:
    """The context a callable is given: its settings without the secret-named extras."""
    if ctx.settings is None:
        return ctx
    from amplify_tasks.settings import public_settings

    return dataclasses.replace(ctx, settings=public_settings(ctx.settings))


def python_hook(project: Project, spec: str, event: str) -> Hook:
    def run(ctx: HookContext) -> None:
        func = load_callable(project, spec, event)
        secrets = secret_values()
        out = PrefixWriter(spec, sys.stdout, secrets)
        err = PrefixWriter(spec, sys.stderr, secrets)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                func(_without_secrets(ctx))
        except HostingError as exc:
            raise HookError(mask(f"{event} hook {spec!r} failed: {exc}", secrets)) from exc
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise HookError(
                    mask(f"{event} hook {spec!r} failed with exit status {exc.code}", secrets)
                ) from exc
        except Exception as exc:
            raise HookError(
                mask(f"{event} hook {spec!r} raised {type(exc).__name__}: {exc}", secrets)
            ) from exc
        finally:
            out.flush()
            err.flush()

    return Hook(Kind.PYTHON, spec, f"Python callable from hosting.hooks.{event}", run)
