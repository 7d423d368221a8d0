"""The interactive walk of `hosting.configure`: ask the Website, CloudFront and Publish
questions with the stage's current values as defaults, and return the requested changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from amplify_tasks.prompt import Prompter
from amplify_tasks.settings import (
    FIELD_KEYS,
    Settings,
    build_settings,
    format_error_responses,
    parse_error_responses,
)
from amplify_tasks.sync import check_pattern

from .configure import StageChanges


class _Draft:
    """The answers so far, checked against every setting at once (so min <= default holds)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.values = {
            FIELD_KEYS["app_name"]: settings.app_name,
            FIELD_KEYS["stack_name"]: settings.stack_name,
            FIELD_KEYS["index_document"]: settings.index_document,
            FIELD_KEYS["error_document"]: settings.error_document,
            FIELD_KEYS["min_ttl"]: str(settings.min_ttl),
            FIELD_KEYS["default_ttl"]: str(settings.default_ttl),
            FIELD_KEYS["max_ttl"]: str(settings.max_ttl),
        }

    def check(self, field_name: str, answer: str) -> str:
        trial = dict(self.values)
        trial[FIELD_KEYS[field_name]] = answer
        build_settings(self.settings.stage, trial)
        self.values = trial
        return answer


def _website(p: Prompter, draft: _Draft) -> dict[str, object]:
    p.say("Website: the documents S3 serves")
    s = draft.settings
    return {
        "index_document": p.ask(
            "Index document", s.index_document, lambda a: draft.check("index_document", a)
        ),
        "error_document": p.ask(
            "Error document", s.error_document, lambda a: draft.check("error_document", a)
        ),
    }


def _error_responses(answer: str) -> str:
    if answer.strip().lower() in ("none", "-"):
        return ""
    return format_error_responses(parse_error_responses(answer))


def _cloudfront(p: Prompter, draft: _Draft) -> dict[str, object]:
    p.say("CloudFront: the HTTPS content delivery network in front of the bucket")
    s = draft.settings
    out: dict[str, object] = {
        "cloudfront": p.confirm("Serve this stage through CloudFront with HTTPS", s.cloudfront)
    }
    if not out["cloudfront"]:
        return out
    for name, label in (
        ("min_ttl", "Minimum TTL (seconds)"),
        ("default_ttl", "Default TTL (seconds)"),
        ("max_ttl", "Maximum TTL (seconds)"),
    ):
        out[name] = p.ask(
            label,
            str(getattr(s, name)),
            lambda a, n=name: draft.check(n, a),  # type: ignore[misc]
        )
    out["spa"] = p.confirm("Single-page app (403/404 serve the index document with 200)", s.spa)
    if not out["spa"]:
        current = format_error_responses(s.error_responses) or "none"
        text = p.ask(
            "Custom error responses, CODE:PATH:RESPONSE_CODE[:TTL] separated by commas "
            "('none' for the default 404 page)",
            current,
            _error_responses,
        )
        out["error_responses"] = tuple(t for t in text.split(",") if t)
        out["clear_error_responses"] = True
    return out


def _patterns(answer: str) -> tuple[str, ...]:
    return tuple(check_pattern(p) for p in re.split(r"\s+", answer.strip()) if p)


def _publish(p: Prompter, patterns: Sequence[str]) -> dict[str, object]:
    p.say("Publish: files of the dist folder that publish skips (gitignore syntax)")
    p.say("  now ignored: " + (" ".join(patterns) if patterns else "(nothing)"))
    return {
        "ignore": p.ask("Patterns to add, separated by spaces", "", _patterns),
        "unignore": p.ask("Patterns to stop ignoring, separated by spaces", "", _patterns),
    }


def walk(
    prompter: Prompter,
    settings: Settings,
    patterns: Sequence[str],
    sections: Sequence[str],
) -> StageChanges:
    """Ask the questions of ``sections`` (website, cloudfront, publish) and return changes."""
    draft = _Draft(settings)
    answers: dict[str, object] = {}
    for section in sections:
        if section == "website":
            answers.update(_website(prompter, draft))
        elif section == "cloudfront":
            answers.update(_cloudfront(prompter, draft))
        elif section == "publish":
            answers.update(_publish(prompter, patterns))
    return StageChanges(**answers)  # type: ignore[arg-type]
