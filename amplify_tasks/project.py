"""Where a project lives and its invoke config (the ``hosting`` key), read with a fallback
for every key so a partial ``ns.configure({"hosting": {...}})`` keeps our other defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, SupportsIndex, SupportsInt

if TYPE_CHECKING:
    from invoke import Config, Context

#: Upload threads (and HTTP connections) per publish, unless hosting.concurrency says.
DEFAULT_CONCURRENCY = 32
#: A release's server-side copies at once, per upload thread: a copy sends no bytes, so the
#: round trips are what it waits for (the connection pool is sized for them).
COPY_FACTOR = 3

#: Invoke config defaults under the ``hosting`` key. Paths are relative to the project root.
CONFIG_DEFAULTS: dict[str, object] = {
    # where `hosting.add` renders stack templates: <backend_dir>/<stage>/template.json
    "backend_dir": "amplify/backend/hosting",
    # where .env and .env.<stage> live
    "env_dir": ".",
    # executable hook scripts named <event> or <event>.<ext>
    "hooks_dir": "amplify/hooks",
    # a project's own Jinja2 templates; a file here overrides a built-in of the same name
    "templates_dir": "cfn",
    # the stage used when --stage is not given (None: ask on a terminal, else fail)
    "default_stage": None,
    # Python hook callables: {"pre-publish": ["module:function", ...], ...}
    "hooks": {},
    # header rules: [{"glob": "*.html", "cache_control": "...", "content_type": "..."}]
    "headers": [],
    # the routing files at the top of the dist folder (read by publish, never uploaded)
    "redirects_file": "_redirects",
    "headers_file": "_headers",
    # upload threads (and HTTP connections) per publish
    "concurrency": DEFAULT_CONCURRENCY,
    # emulator state (pid file, log) for `inv local.*`
    "state_dir": ".amplify-tasks",
}


def hosting_config(config: Config | None) -> dict[str, object]:
    """Our defaults overlaid with whatever the ``hosting`` config key holds."""
    merged = dict(CONFIG_DEFAULTS)
    user: object = None
    if config is not None:
        try:
            user = config.get("hosting", None)
        except AttributeError:
            user = None
    if isinstance(user, Mapping):
        for key, value in user.items():
            if value is not None:
                merged[key] = value
    return merged


def project_root(config: Config | None = None) -> Path:
    """The folder of the tasks.py invoke loaded; else AMPLIFY_TASKS_ROOT; else the cwd."""
    prefix = getattr(config, "_project_prefix", None) if config is not None else None
    if prefix:
        return Path(prefix).resolve()
    env = os.environ.get("AMPLIFY_TASKS_ROOT")
    if env:
        return Path(env).resolve()
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Project:
    """A project's root folder and its resolved invoke config."""

    root: Path
    config: Mapping[str, object] = field(default_factory=lambda: dict(CONFIG_DEFAULTS))

    @classmethod
    def from_context(cls, ctx: Context) -> Project:
        cfg = getattr(ctx, "config", None)
        return cls(root=project_root(cfg), config=hosting_config(cfg))

    @classmethod
    def at(cls, root: Path | str, **overrides: object) -> Project:
        cfg = dict(CONFIG_DEFAULTS)
        cfg.update(overrides)
        return cls(root=Path(root).resolve(), config=cfg)

    def get(self, key: str) -> object:
        return self.config.get(key, CONFIG_DEFAULTS.get(key))

    def path(self, key: str) -> Path:
        return self.root / str(self.get(key))

    @property
    def backend_dir(self) -> Path:
        return self.path("backend_dir")

    @property
    def env_dir(self) -> Path:
        return self.path("env_dir")

    @property
    def hooks_dir(self) -> Path:
        return self.path("hooks_dir")

    @property
    def templates_dir(self) -> Path:
        return self.path("templates_dir")

    @property
    def state_dir(self) -> Path:
        return self.path("state_dir")

    def template_path(self, stage: str) -> Path:
        return self.backend_dir / stage / "template.json"

    def env_file(self, stage: str | None = None) -> Path:
        return self.env_dir / (f".env.{stage}" if stage else ".env")

    @property
    def concurrency(self) -> int:
        value = self.get("concurrency")
        if isinstance(value, (str, bytes, SupportsInt, SupportsIndex)):
            try:
                return max(1, int(value))
            except (TypeError, ValueError):
                pass
        return DEFAULT_CONCURRENCY
