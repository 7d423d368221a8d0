"""A package whose public names load their modules on first use (PEP 562).

A package's ``__init__`` imports its names under ``TYPE_CHECKING`` (for the type checker)
and sets ``__getattr__ = lazy_names(__name__, {module: (name, ...)})``: importing the package,
or one of its modules, runs none of the others, and a publish imports only the modules it
calls. A name must not be the name of one of the package's modules (importing that module
would set the package's attribute to the module); such a name is imported eagerly instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping


def lazy_names(package: str, homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """The module ``__getattr__`` of ``package``: each name of ``homes`` from its module."""
    where = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # the import statement's path, which `-X importtime` reports (import_module's is not)
        value = getattr(__import__(f"{package}.{module}", fromlist=(name,)), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
