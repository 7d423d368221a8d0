"""Routing at the edge: what the viewer-request function must know of the published files
(the folders with an index document), computed from the bucket's keys, and its writing into
the distribution's key value store; and the site's own rules, `_redirects` and `_headers`,
parsed, compiled into data for the functions and the S3 website, and checked against each
stage shape's limits.

The names load their modules on first use (``amplify_tasks.lazy``): reading the ignore file
or the rules does not import the matcher, the path facts or the rules' compiler.
"""

from typing import TYPE_CHECKING

from amplify_tasks.lazy import lazy_names

if TYPE_CHECKING:
    from .files import RoutingFiles, SiteRules, read_rules
    from .headers import HeaderBlock, parse_headers
    from .matcher import Decision, decide, headers_for
    from .paths import PathFacts, StoreUpdate, path_facts, store_update
    from .publish import STATE_KEY, RoutingResult, keys_after, plan_facts, write_facts
    from .redirects import Redirect, RuleProblem, RulesError, parse_redirects
    from .rules import CompiledRules, Usage, cloudfront_usage, compile_rules, store_entries
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "files": ("RoutingFiles", "SiteRules", "read_rules"),
            "headers": ("HeaderBlock", "parse_headers"),
            "matcher": ("Decision", "decide", "headers_for"),
            "paths": ("PathFacts", "StoreUpdate", "path_facts", "store_update"),
            "publish": ("STATE_KEY", "RoutingResult", "keys_after", "plan_facts", "write_facts"),
            "redirects": ("Redirect", "RuleProblem", "RulesError", "parse_redirects"),
            "rules": (
                "CompiledRules",
                "Usage",
                "cloudfront_usage",
                "compile_rules",
                "store_entries",
            ),
        },
    )

__all__ = [
    "STATE_KEY",
    "CompiledRules",
    "Decision",
    "HeaderBlock",
    "PathFacts",
    "Redirect",
    "RoutingFiles",
    "RoutingResult",
    "RuleProblem",
    "RulesError",
    "SiteRules",
    "StoreUpdate",
    "Usage",
    "cloudfront_usage",
    "compile_rules",
    "decide",
    "headers_for",
    "keys_after",
    "parse_headers",
    "parse_redirects",
    "path_facts",
    "plan_facts",
    "read_rules",
    "store_entries",
    "store_update",
    "write_facts",
]
