"""The thin invoke layer: parse flags, call the core, turn domain errors into invoke.Exit.

Each module here holds the tasks of one job; this module assembles the public collections.
"""

from __future__ import annotations

from types import ModuleType

from invoke import Collection, Task

from ..project import CONFIG_DEFAULTS
from . import hooks as _hooks
from . import local as _local
from . import previews as _previews
from . import publish as _publish
from . import releases as _releases
from . import routing as _routing
from . import settings as _settings
from . import setup as _setup
from . import stack as _stack


def _collection(name: str, *modules: ModuleType) -> Collection:
    coll = Collection(name)
    for module in modules:
        for obj in vars(module).values():
            if isinstance(obj, Task):
                coll.add_task(obj)
    return coll


hosting = _collection("hosting", _setup, _settings, _stack, _releases, _previews, _hooks, _routing)
hosting.configure({"hosting": dict(CONFIG_DEFAULTS)})

local = _collection("local", _local)

publish: Task = _publish.publish

namespace = Collection()
namespace.add_collection(hosting)
namespace.add_collection(local)
namespace.add_task(publish)
namespace.configure({"hosting": dict(CONFIG_DEFAULTS)})

__all__ = ["hosting", "local", "namespace", "publish"]
