"""Releases on CloudFront stages: immutable release trees in the bucket, fingerprinted assets
shared by all of them, a manifest per release, and the key value store's ``live`` pointer the
viewer-request function routes by.
"""

from .layout import (
    FOLDER_INFIX,
    LIVE_KEY,
    MANIFESTS_PREFIX,
    RELEASES_PREFIX,
    Pointer,
    folder_key,
    is_release_id,
    manifest_key,
    new_release_id,
    parse_pointer,
    release_key,
)

__all__ = [
    "FOLDER_INFIX",
    "LIVE_KEY",
    "MANIFESTS_PREFIX",
    "RELEASES_PREFIX",
    "Pointer",
    "folder_key",
    "is_release_id",
    "manifest_key",
    "new_release_id",
    "parse_pointer",
    "release_key",
]
