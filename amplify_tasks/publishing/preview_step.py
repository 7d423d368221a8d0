"""`inv publish --preview NAME`: what it asks for, checked before anything runs (a name, a
duration, a release stage), and what it made, as the summary, --json and hooks show it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks.errors import ReleaseError, SettingsError

if TYPE_CHECKING:
    from amplify_tasks.releases.prepare import Prepared
    from amplify_tasks.releases.previews import Preview
    from amplify_tasks.settings import Settings

    from .options import PublishOptions


@dataclass(frozen=True)
class PreviewRequest:
    """The preview a publish makes: its name, how long it lives, its password (or '')."""

    name: str
    expires_in: int
    password: str = field(default="", repr=False)


def preview_request(options: PublishOptions, settings: Settings) -> PreviewRequest | None:
    """The checked --preview/--expires of a publish (None without --preview); one-line
    errors for a bad name or duration and for a stage that publishes in place."""
    if not options.preview:
        if options.expires:
            raise SettingsError("--expires needs --preview NAME: only a preview expires")
        return None
    from amplify_tasks.releases.durations import parse_duration
    from amplify_tasks.releases.previews import check_name

    check_name(options.preview)
    if not settings.uses_releases:
        why = "it has no CloudFront" if not settings.cloudfront else "HOSTING_RELEASES=false"
        raise ReleaseError(
            f"stage {settings.stage} publishes in place ({why}): a preview needs a release "
            "stage (HOSTING_CLOUDFRONT=true, HOSTING_RELEASES not false); nothing was published"
        )
    expires = parse_duration(options.expires) if options.expires else settings.preview_expires
    return PreviewRequest(options.preview, expires, settings.preview_password)


def as_preview(prepared: Prepared, preview: PreviewRequest | None) -> Prepared:
    """The prepared release, its manifest naming the preview it is published as."""
    if preview is None:
        return prepared
    plan = prepared.plan
    manifest = dataclasses.replace(plan.manifest, preview=preview.name)
    return dataclasses.replace(prepared, plan=dataclasses.replace(plan, manifest=manifest))


def preview_info(preview: Preview, site_url: str, settings: Settings) -> dict[str, str]:
    """``{name, url, expires, release, protected}`` of a preview just published."""
    from amplify_tasks.releases.manifest import now_iso
    from amplify_tasks.releases.previews import preview_url

    return {
        "name": preview.name,
        "url": preview_url(preview.name, site_url, settings.preview_domain),
        "expires": now_iso(preview.expires),
        "release": preview.release,
        "protected": "yes" if preview.protected else "no",
    }
