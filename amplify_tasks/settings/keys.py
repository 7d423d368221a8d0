"""The ``HOSTING_*`` keys: one per Settings field, in `.env.example` order, each with its
default and one line of meaning (what `inv hosting.settings`, `.env.example` and the README
table say about it).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every key the Settings reads; unknown ``HOSTING_*`` keys land in ``Settings.extra``.
PREFIX = "HOSTING_"


@dataclass(frozen=True)
class Key:
    """One setting: its Settings field, its default and what it means."""

    field: str
    #: The default as `.env.example` writes it; empty when an empty value is worked out
    #: (``empty`` says how) or means off.
    default: str
    meaning: str
    #: What an empty value means when there is no fixed default.
    empty: str = ""

    @property
    def name(self) -> str:
        return PREFIX + self.field.upper()

    @property
    def default_text(self) -> str:
        """The default in words: the fixed value, else what an empty value means."""
        return self.default or self.empty or "empty"


#: The settings key table, in .env.example order.
KEYS: tuple[Key, ...] = (
    Key("app_name", "", "app name, used in the stack name", "project folder name, sanitised"),
    Key("stack_name", "", "CloudFormation stack name", "app-hosting-stage, e.g. shop-hosting-prod"),
    Key(
        "bucket_name",
        "",
        "S3 bucket name (S3 naming rules checked); changing it replaces the bucket, "
        "which publish does only with --allow-replace",
        "empty: CloudFormation names it",
    ),
    Key(
        "cloudfront",
        "false",
        "S3 + CloudFront, HTTPS (PROD shape) or S3 website only (DEV); hosting.add: on for prod",
    ),
    Key("index_document", "index.html", "folder index document (a file name, no '/')"),
    Key("error_document", "index.html", "document served with status 404 for a missing key"),
    Key("min_ttl", "60", "CloudFront cache policy minimum TTL, whole seconds (<= default)"),
    Key("default_ttl", "86400", "CloudFront cache policy default TTL, whole seconds"),
    Key("max_ttl", "31536000", "CloudFront cache policy maximum TTL, whole seconds (>= default)"),
    Key(
        "error_responses",
        "",
        "CloudFront custom error responses, CODE:PATH:RESPONSE_CODE[:CACHING_TTL] "
        "comma-separated (TTL default 300)",
        "empty: 403 and 404 serve the error document with 404",
    ),
    Key("spa", "false", "single-page app: 403 and 404 serve the index document with 200"),
    Key(
        "clean_urls",
        "false",
        "CloudFront: /about is served from about.html and /about.html redirects (301) to /about",
    ),
    Key(
        "price_class",
        "PriceClass_100",
        "CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All",
    ),
    Key(
        "domain_names",
        "",
        "custom domain names of the distribution, comma-separated (needs HOSTING_CLOUDFRONT)",
    ),
    Key(
        "hosted_zone_id",
        "",
        "Route 53 public hosted zone of the domain names: publish makes their A/AAAA alias "
        "records and, without a certificate ARN, a DNS-validated certificate",
        "empty: no records",
    ),
    Key(
        "hosted_zone",
        "",
        "the same zone by name (example.com), looked up once per run; instead of "
        "HOSTING_HOSTED_ZONE_ID",
        "empty: no records",
    ),
    Key(
        "certificate_arn",
        "",
        "ACM certificate for the domain names, must be in us-east-1",
        "empty: made in the hosted zone",
    ),
    Key("build_command", "", "shell command that builds the site", "empty: no build"),
    Key(
        "dist_dir",
        "dist",
        "the folder publish uploads; never the project root, a folder holding it or the "
        "settings files",
    ),
    Key(
        "allow_dist_outside",
        "false",
        "allow a dist folder outside the project (absolute, '..', or a symlink leading out)",
    ),
    Key("ignore_file", ".publishignore", "publish ignore patterns (gitignore syntax)"),
    Key("max_deletes", "256", "most stale files one publish deletes"),
    Key(
        "termination_protection",
        "",
        "stack termination protection",
        "value of HOSTING_CLOUDFRONT",
    ),
    Key(
        "require_clean_git",
        "",
        "publish refuses a git tree with uncommitted changes",
        "value of HOSTING_CLOUDFRONT",
    ),
    Key(
        "export_outputs",
        "",
        "write the stack outputs as JSON to this path after a deploy: a file of its own "
        "inside the project",
        "empty: off",
    ),
    Key("smoke_test", "true", "fetch the site after publishing, fail on an error status"),
    Key("smoke_timeout", "60", "seconds the smoke test may retry (at least 1)"),
    Key(
        "lock_timeout",
        "120",
        "seconds a publish waits for the stage's lock another publish holds (0: no wait); "
        "a lock not renewed for 5 minutes counts as abandoned",
    ),
    Key(
        "releases",
        "",
        "publish each version as an immutable release made live by one key value store "
        "write (rollback: inv hosting.rollback); false: sync the bucket in place; "
        "a stage without CloudFront always publishes in place",
        "value of HOSTING_CLOUDFRONT",
    ),
    Key(
        "keep_releases",
        "10",
        "releases kept for rollback (at least 1, the live one always among them); older "
        "ones and the assets only they use are deleted after a publish",
    ),
    Key(
        "preview_domain",
        "",
        "previews at https://NAME.<this domain>/ (a wildcard alias *.<domain> of the "
        "distribution, with its certificate)",
        "empty: https://<domain>/?preview=NAME",
    ),
    Key("preview_expires", "7d", "how long a preview lives unless --expires says (7d, 12h, 30m)"),
    Key(
        "preview_password",
        "",
        "HTTP Basic password (user preview) of the previews published while it is set; "
        "environment only, never in a file; only a salted hash reaches the store",
        "empty: no password",
    ),
)


#: Settings field -> its key, in .env.example order; unknown ``HOSTING_*`` keys go to ``extra``.
FIELD_KEYS: dict[str, str] = {k.field: k.name for k in KEYS}


KNOWN_KEYS = frozenset(FIELD_KEYS.values())


def key_of(field_name: str) -> str:
    """The ``HOSTING_*`` key of a Settings field."""
    return FIELD_KEYS[field_name]
