"""The site's rules on a DEV stage (the S3 website): what it can do is done there, what it
cannot is said once per kind of rule.

- a redirect of one path (``/old /new``) is an empty object at that key with
  ``WebsiteRedirectLocation`` (S3 answers 301 for it, whatever the rule's 3xx);
- a redirect of a prefix (``/blog/* /posts/:splat``, ``/docs/* https://x.example/:splat``,
  ``/v1/* /v2/``) is a routing rule of the bucket's website configuration (S3 allows 50),
  with the rule's status;
- rewrites (200), 404 rules, placeholders, a splat used other than at the end of TO,
  `_headers` and clean URLs need a CloudFront stage.

The routing rules are set with PutBucketWebsite at publish time, over the index and error
documents the stack set: they come from the dist folder, like the files, so a publish (not
a stack update) changes them; a deploy that rewrites the website configuration drops them
until the publish that follows it, which compares and puts them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .files import SiteRules
from .patterns import PLACEHOLDER, SPLAT
from .redirects import REDIRECT_STATUSES, Redirect, RulesError

#: The most routing rules an S3 website configuration holds.
MAX_ROUTING_RULES = 50


@dataclass(frozen=True)
class WebsiteRules:
    """What the S3 website does with a site's rules: redirect objects (key -> location),
    routing rules (as PutBucketWebsite takes them) and one warning per unsupported kind."""

    objects: dict[str, str] = field(default_factory=dict)
    routing_rules: tuple[dict[str, object], ...] = ()
    warnings: tuple[str, ...] = ()


def _split_url(target: str) -> tuple[str, str, str]:
    """(protocol, host, path without its leading '/') of an absolute URL."""
    protocol, _, rest = target.partition("://")
    host, slash, path = rest.partition("/")
    return protocol, host, path if slash else ""


def _routing_rule(rule: Redirect) -> dict[str, object] | None:
    """The routing rule of a prefix redirect, None when S3 cannot express it."""
    prefix = rule.source[1:-1]
    target = rule.target
    redirect: dict[str, object] = {"HttpRedirectCode": str(rule.status)}
    if rule.external:
        protocol, host, path = _split_url(target)
        redirect.update(Protocol=protocol, HostName=host)
    else:
        path = target[1:]
    names = PLACEHOLDER.findall(path)
    if names == [SPLAT] and path.endswith(":" + SPLAT):
        redirect["ReplaceKeyPrefixWith"] = path[: -len(SPLAT) - 1]
    elif not names:
        redirect["ReplaceKeyWith"] = path
    else:
        return None
    found: dict[str, object] = {"Redirect": redirect}
    if prefix:
        found["Condition"] = {"KeyPrefixEquals": prefix}
    return found


def _kind(rule: Redirect) -> str:
    if rule.status == 200:
        return "rewrite (200)"
    if rule.status == 404:
        return "404"
    return "placeholder"


WHY = {
    "rewrite (200)": "the S3 website cannot serve another path's content",
    "404": "the S3 website has one error document for the whole site",
    "placeholder": "S3 routing rules match and replace a key prefix only",
    "shadowed": "a file of the site has that path, and an object is either",
    "headers": "the S3 website sets no response headers of the site's own",
    "clean URLs": "the S3 website serves keys as they are",
}


def website_rules(
    site: SiteRules, files: Iterable[str], *, index_document: str, clean_urls: bool = False
) -> WebsiteRules:
    """The S3 website's share of ``site``; ``files`` are the bucket keys of the dist folder.
    RulesError when the prefix redirects need more than 50 routing rules."""
    keys = set(files)
    objects: dict[str, str] = {}
    routing: list[dict[str, object]] = []
    skipped: dict[str, list[int]] = {}
    for rule in site.redirects:
        if rule.status not in REDIRECT_STATUSES:
            skipped.setdefault(_kind(rule), []).append(rule.line)
            continue
        dynamic = "*" in rule.source or PLACEHOLDER.search(rule.source)
        prefix_only = rule.source.endswith("*") and not PLACEHOLDER.search(rule.source)
        if not dynamic:
            key = rule.source[1:]
            key = key + index_document if key == "" or key.endswith("/") else key
            if key in keys:
                skipped.setdefault("shadowed", []).append(rule.line)
            elif key not in objects:
                objects[key] = rule.target
            continue
        made = _routing_rule(rule) if prefix_only else None
        if made is None:
            skipped.setdefault("placeholder", []).append(rule.line)
        else:
            routing.append(made)
    if len(routing) > MAX_ROUTING_RULES:
        raise RulesError(
            [
                f"_redirects: {len(routing)} prefix redirects need as many S3 routing rules, "
                f"over the {MAX_ROUTING_RULES} a bucket website holds: merge them, or use a "
                "CloudFront stage (HOSTING_CLOUDFRONT=true)"
            ]
        )
    if site.headers:
        skipped["headers"] = [b.line for b in site.headers]
    if clean_urls:
        skipped["clean URLs"] = []
    warnings = tuple(_warning(kind, lines) for kind, lines in skipped.items())
    return WebsiteRules(objects, tuple(routing), warnings)


def _warning(kind: str, lines: list[int]) -> str:
    if kind == "clean URLs":
        return f"HOSTING_CLEAN_URLS needs a CloudFront stage ({WHY[kind]}): not applied"
    if kind == "headers":
        what = f"{len(lines)} _headers block(s)"
    elif kind == "shadowed":
        what = f"{len(lines)} redirect(s) of a path that is a file"
    else:
        what = f"{len(lines)} {kind} rule(s)"
    where = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
    need = "the file is served" if kind == "shadowed" else "needs a CloudFront stage"
    return f"{what} (line {where}): {need} ({WHY[kind]}); not applied on this stage"
