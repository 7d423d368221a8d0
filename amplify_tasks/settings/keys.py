"""The ``HOSTING_*`` keys: one per Settings field, in `.env.example` order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


#: Every key the Settings reads; unknown ``HOSTING_*`` keys land in ``Settings.extra``.
PREFIX = "HOSTING_"


#: Settings field -> its key, in .env.example order; unknown ``HOSTING_*`` keys go to ``extra``.
FIELD_KEYS: dict[str, str] = {
    name: PREFIX + name.upper()
    for name in (
        "app_name",
        "stack_name",
        "bucket_name",
        "cloudfront",
        "index_document",
        "error_document",
        "min_ttl",
        "default_ttl",
        "max_ttl",
        "error_responses",
        "spa",
        "price_class",
        "domain_names",
        "certificate_arn",
        "build_command",
        "dist_dir",
        "ignore_file",
        "max_deletes",
        "termination_protection",
        "require_clean_git",
        "export_outputs",
        "smoke_test",
        "smoke_timeout",
        "lock_timeout",
    )
}


KNOWN_KEYS = frozenset(FIELD_KEYS.values())


def key_of(field_name: str) -> str:
    """The ``HOSTING_*`` key of a Settings field."""
    return FIELD_KEYS[field_name]
