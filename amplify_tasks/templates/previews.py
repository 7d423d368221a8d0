"""What the viewer-request function knows of previews: their key prefix, the query
parameter and cookie that choose one, the user name of their password, and the preview domain
(from HOSTING_PREVIEW_DOMAIN), all from the one place the product defines them."""

from __future__ import annotations

from amplify_tasks.releases.layout import PREVIEW_PREFIX
from amplify_tasks.releases.previews import COOKIE, PARAMETER, PREVIEW_USER
from amplify_tasks.settings import Settings


def preview_context(settings: Settings) -> dict[str, object]:
    return {
        "preview_prefix": PREVIEW_PREFIX,
        "preview_domain": settings.preview_domain,
        "preview_parameter": PARAMETER,
        "preview_cookie": COOKIE,
        "preview_user": PREVIEW_USER,
    }
