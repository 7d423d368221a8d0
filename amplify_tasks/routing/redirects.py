"""The `_redirects` file, in the syntax Netlify and Cloudflare Pages document: one rule a
line, ``FROM TO [STATUS]``, ``#`` starting a comment. STATUS is 301 (the default), 302, 303,
307, 308, 200 (a rewrite: TO's content served at FROM) or 404 (TO's content served with
404), with an optional ``!`` (force: a 200 or 404 rule applies over a file too). FROM is a
path with ``:name`` placeholders (one segment each) and at most one ``*``, at the end,
captured as ``:splat``; TO may use them, and may be an absolute URL for a redirect.

Every problem is one :class:`RuleProblem` (file, line number, what is wrong, how to fix it),
so a file with three mistakes says all three at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amplify_tasks.errors import HostingError

from .patterns import PLACEHOLDER, SPLAT, names_in

#: The statuses a rule may give, and what each means.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
REWRITE = 200
NOT_FOUND = 404
STATUSES = (*REDIRECT_STATUSES, REWRITE, NOT_FOUND)
DEFAULT_STATUS = 301
#: The longest rule line Cloudflare Pages accepts.
MAX_LINE = 1000


@dataclass(frozen=True)
class RuleProblem:
    """One bad line of a rules file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class RulesError(HostingError):
    """Bad lines in the routing files: ``problems`` holds one line each."""

    kind = "dist"

    def __init__(self, problems: Iterable[RuleProblem | str]) -> None:
        self.problems = [str(p) for p in problems]
        first = self.problems[0]
        more = len(self.problems) - 1
        tail = f" (and {more} more problem(s))" if more else ""
        super().__init__(f"{first}{tail}; nothing was published")


@dataclass(frozen=True)
class Redirect:
    """One rule of `_redirects`, in file order (``line`` is its line number)."""

    source: str
    target: str
    status: int = DEFAULT_STATUS
    force: bool = False
    line: int = 0

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECT_STATUSES

    @property
    def external(self) -> bool:
        return self.target.startswith(("http://", "https://"))


def _has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


def _check_source(source: str) -> str | None:
    if not source.startswith("/"):
        return f"FROM {source!r} must be a path starting with '/'"
    if "*" in source[:-1]:
        return f"FROM {source!r} may have one '*', at its end only"
    if "?" in source or "#" in source:
        return f"FROM {source!r} has a query or a fragment: match on the path only"
    names = PLACEHOLDER.findall(source)
    if len(set(names)) != len(names):
        return f"FROM {source!r} uses a placeholder twice"
    if SPLAT in names:
        return f"FROM {source!r} names a placeholder ':splat': use '*' for it"
    return None


def _check_target(source: str, target: str, status: int) -> str | None:
    external = target.startswith(("http://", "https://"))
    if not external and not target.startswith("/"):
        return f"TO {target!r} must be a path starting with '/' or an http(s):// URL"
    if external and status not in REDIRECT_STATUSES:
        return (
            f"TO {target!r} is another site: a {status} rule serves a file of this site, "
            "so give a path, or redirect with 301, 302, 303, 307 or 308"
        )
    if not external and status not in REDIRECT_STATUSES and ("?" in target or "#" in target):
        return f"TO {target!r} of a {status} rule is a file of the site: give a path only"
    have = set(names_in(source))
    for name in PLACEHOLDER.findall(target):
        if name not in have:
            what = "a '*' at the end of FROM" if name == SPLAT else f"':{name}' in FROM"
            return f"TO uses ':{name}' but FROM {source!r} has no {what}"
    return None


def _status(text: str) -> tuple[int, bool] | str:
    force = text.endswith("!")
    digits = text[:-1] if force else text
    if not digits.isdigit() or int(digits) not in STATUSES:
        allowed = ", ".join(str(s) for s in STATUSES)
        return f"unknown status {text!r}: use one of {allowed} (optionally with '!')"
    return int(digits), force


def parse_line(text: str, file: str, number: int) -> Redirect | RuleProblem | None:
    """The rule of one line, its problem, or None for a blank or comment line."""
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    if len(line) > MAX_LINE:
        return RuleProblem(file, number, f"the rule is over {MAX_LINE} characters: shorten it")
    if _has_control(line.replace("\t", " ")):
        return RuleProblem(file, number, "the rule has a control character: remove it")
    parts = line.split()
    if len(parts) < 2:
        return RuleProblem(file, number, "a rule is 'FROM TO [STATUS]': TO is missing")
    if len(parts) > 3:
        extra = " ".join(parts[3:])
        return RuleProblem(
            file,
            number,
            f"unexpected {extra!r} after the status: conditions (country, language, role, "
            "query parameters) are not supported; a rule is 'FROM TO [STATUS]'",
        )
    source, target = parts[0], parts[1]
    status, force = DEFAULT_STATUS, False
    if len(parts) == 3:
        parsed = _status(parts[2])
        if isinstance(parsed, str):
            return RuleProblem(file, number, parsed)
        status, force = parsed
    problem = _check_source(source) or _check_target(source, target, status)
    if problem:
        return RuleProblem(file, number, problem)
    return Redirect(source, target, status, force, number)


def parse_redirects(
    text: str, file: str = "_redirects"
) -> tuple[list[Redirect], list[RuleProblem]]:
    """Every rule of a `_redirects` text, in order, and every problem found."""
    rules: list[Redirect] = []
    problems: list[RuleProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = parse_line(line, file, number)
        if isinstance(found, RuleProblem):
            problems.append(found)
        elif found is not None:
            rules.append(found)
    return rules, problems
