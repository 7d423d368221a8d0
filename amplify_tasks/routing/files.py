"""The routing files of a dist folder: `_redirects` and `_headers` at its top (their names
set in invoke config as ``hosting.redirects_file`` and ``hosting.headers_file``), read and
parsed into the rules of a release. They are never uploaded (sync.ignore leaves them out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .headers import HeaderBlock, parse_headers
from .redirects import Redirect, RulesError, parse_redirects

if TYPE_CHECKING:
    from .rules import CompiledRules

DEFAULT_REDIRECTS = "_redirects"
DEFAULT_HEADERS = "_headers"


@dataclass(frozen=True)
class RoutingFiles:
    """The names of the two files at the top of the dist folder."""

    redirects: str = DEFAULT_REDIRECTS
    headers: str = DEFAULT_HEADERS

    @classmethod
    def from_config(cls, config: object) -> RoutingFiles:
        """From a project's config mapping (``redirects_file``, ``headers_file``)."""
        get = getattr(config, "get", None)
        redirects = get("redirects_file") if get else None
        headers = get("headers_file") if get else None
        return cls(str(redirects or DEFAULT_REDIRECTS), str(headers or DEFAULT_HEADERS))

    @property
    def names(self) -> tuple[str, str]:
        return self.redirects, self.headers


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    except IsADirectoryError:
        raise RulesError([f"{path} is a folder: the routing file must be a text file"]) from None
    except OSError as exc:
        raise RulesError([f"cannot read {path} ({exc.strerror})"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError([f"{path} is not UTF-8 text: save it as UTF-8"]) from None


@dataclass(frozen=True)
class SiteRules:
    """The parsed routing files of a dist folder."""

    redirects: tuple[Redirect, ...] = ()
    headers: tuple[HeaderBlock, ...] = ()

    def compiled(self, *, clean_urls: bool = False, files: Iterable[str] = ()) -> CompiledRules:
        from .rules import compile_rules

        return compile_rules(self.redirects, self.headers, clean_urls=clean_urls, files=files)


def read_rules(dist: Path, names: RoutingFiles = RoutingFiles()) -> SiteRules:
    """The rules of ``dist``'s routing files (none when they are absent); RulesError with
    every bad line when a file has one."""
    redirects, problems = parse_redirects(_read(dist / names.redirects), names.redirects)
    headers, header_problems = parse_headers(_read(dist / names.headers), names.headers)
    problems += header_problems
    if problems:
        raise RulesError(problems)
    return SiteRules(tuple(redirects), tuple(headers))
