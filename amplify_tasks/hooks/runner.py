"""Which hooks an event runs (pre-built, Python, scripts, in that order), running them, and
the pre/post pair around a task or a publish step.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping

from amplify_tasks.errors import HookError, HostingError
from amplify_tasks.project import Project
from amplify_tasks.secret import mask
from amplify_tasks.settings import Settings

from .events import EVENTS, check_event
from .model import Builtin, Hook, HookContext, HookDescription, Kind
from .python import python_hook, python_hook_names
from .scripts import script_hook, script_paths


def builtin_hooks() -> tuple[Builtin, ...]:
    from amplify_tasks.hooks.prebuilt.registry import BUILTINS

    return BUILTINS


def _builtin_for(event: str, settings: Settings | None, args: Mapping[str, object]) -> list[Hook]:
    return [
        Hook(Kind.BUILTIN, b.name, b.description, b.run)
        for b in builtin_hooks()
        if b.event == event and b.enabled(settings, args)
    ]


def hooks_for(
    project: Project,
    event: str,
    settings: Settings | None = None,
    args: Mapping[str, object] | None = None,
    *,
    user_hooks: bool = True,
) -> list[Hook]:
    """Every hook an event runs, in order: pre-built, Python callables, scripts."""
    check_event(event)
    hooks = _builtin_for(event, settings, args or {})
    if user_hooks:
        hooks += [python_hook(project, s, event) for s in python_hook_names(project, event)]
        hooks += [script_hook(project, p, event) for p in script_paths(project, event)]
    return hooks


def has_user_hooks(project: Project, events: Iterable[str]) -> bool:
    """Whether a Python or script hook is set for one of ``events``."""
    return any(python_hook_names(project, e) or script_paths(project, e) for e in events)


def run_event(project: Project, event: str, ctx: HookContext, *, user_hooks: bool = True) -> None:
    """Run an event's hooks. A pre event stops at the first failure; a post event runs every
    hook (later ones are given the failure) and then raises the first failure as HookError.
    """
    ctx.event = event
    ctx.project = ctx.project or project
    first: HookError | None = None
    for hook in hooks_for(project, event, ctx.settings, ctx.args, user_hooks=user_hooks):
        try:
            hook.run(ctx)
        except HookError as exc:
            if event.startswith("pre-"):
                raise
            first = first or exc
            if ctx.error is None:
                ctx.failed(exc)
        except HostingError as exc:
            wrapped = HookError(f"{event} hook {hook.name!r} failed: {exc}")
            if event.startswith("pre-"):
                raise wrapped from exc
            first = first or wrapped
            if ctx.error is None:
                ctx.failed(wrapped)
    if first is not None:
        raise first


@contextlib.contextmanager
def around(
    project: Project, step: str, ctx: HookContext, *, user_hooks: bool = True
) -> Iterator[HookContext]:
    """Run ``pre-<step>``, the body, then ``post-<step>`` (also after a failure, with the error).

    ``step`` is a task (add, configure, publish, remove) or a publish step (deploy, sync).
    A failing pre hook fails the step: the body does not run, and the post hooks run and are
    given the error, as after a failure of the body. After a failure the original error is
    re-raised; a post hook's own failure is then printed, not raised.
    """
    pre, post = check_event(f"pre-{step}"), check_event(f"post-{step}")
    try:
        run_event(project, pre, ctx, user_hooks=user_hooks)
    except Exception as exc:
        _after_failure(project, post, ctx, exc, user_hooks=user_hooks)
        raise
    try:
        yield ctx
    except Exception as exc:
        _after_failure(project, post, ctx, exc, user_hooks=user_hooks)
        raise
    ctx.error = ctx.error_type = None
    run_event(project, post, ctx, user_hooks=user_hooks)


def _after_failure(
    project: Project, post: str, ctx: HookContext, exc: Exception, *, user_hooks: bool
) -> None:
    """The post hooks of a failed step, given the error; their own failure is a warning."""
    ctx.failed(exc)
    try:
        run_event(project, post, ctx, user_hooks=user_hooks)
    except HookError as hook_exc:
        sys.stderr.write(mask(f"warning: {hook_exc}\n"))


def list_hooks(
    project: Project,
    settings: Settings | None = None,
    args: Mapping[str, object] | None = None,
    *,
    user_hooks: bool = True,
) -> dict[str, list[HookDescription]]:
    """For each event, the hooks that would run (pre-built ones as the settings turn them on)."""
    return {
        event: [
            HookDescription(h.kind.value, h.name, h.description)
            for h in hooks_for(project, event, settings, args, user_hooks=user_hooks)
        ]
        for event in EVENTS
    }
