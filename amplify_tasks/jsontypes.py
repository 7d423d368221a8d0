"""JSON values as the json module reads and writes them (a type for annotations only)."""

from __future__ import annotations

from typing import TypeAlias

#: A JSON value: an object, an array, a string, a number, true/false or null.
JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"
