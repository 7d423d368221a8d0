"""The previews a stage's key value store holds, read from its entries, and their keys moved
or deleted each as a compare and swap (a preview moved by another run is left as it is)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .layout import PREVIEW_PREFIX
from .previews import Preview, parse_preview, preview_key
from .state import StoreState, read_key
from .store import move_pointer

if TYPE_CHECKING:
    from .prepare import Stage


def previews_of(store: StoreState) -> list[Preview]:
    """The previews in ``store``, by name."""
    found = []
    for key in sorted(store.entries):
        if key.startswith(PREVIEW_PREFIX):
            preview = parse_preview(key, store.entries[key])
            if preview is not None:
                found.append(preview)
    return found


def expired_previews(store: StoreState, now: float) -> list[Preview]:
    return [p for p in previews_of(store) if p.expired(now)]


def held(stage: Stage, store: StoreState, key: str) -> str | None:
    """What ``key`` holds: as ``store`` read it when it was listed, else asked (GetKey); a
    store not listed shows no preview's pointer."""
    return store.entries.get(key) if store.listed else read_key(stage.kvs(), stage.arn, key)


def point_preview(stage: Stage, store: StoreState, preview: Preview) -> StoreState:
    """Point ``p:<name>`` at the preview's release (while it still holds what ``store`` says);
    the store as it is after."""
    key = preview_key(preview.name)
    value = preview.value()
    move_pointer(
        stage.kvs(),
        stage.arn,
        key,
        value,
        held(stage, store, key),
        what=f"preview {preview.name} was not moved; publish it again",
        etag=store.etag,
    )
    return dataclasses.replace(store, entries={**store.entries, key: value})


def drop_previews(stage: Stage, store: StoreState, previews: Iterable[Preview]) -> StoreState:
    """Delete the previews' keys; the store as it is after."""
    entries = dict(store.entries)
    for preview in previews:
        key = preview_key(preview.name)
        move_pointer(
            stage.kvs(),
            stage.arn,
            key,
            None,
            entries.get(key),
            what=f"preview {preview.name} was not deleted; look at `inv hosting.previews`",
        )
        entries.pop(key, None)
    return dataclasses.replace(store, entries=entries)
