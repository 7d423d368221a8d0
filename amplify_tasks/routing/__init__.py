"""Routing at the edge: what the viewer-request function must know of the published files
(the folders with an index document), computed from the bucket's keys, and its writing into
the distribution's key value store.
"""

from .paths import PathFacts, StoreUpdate, path_facts, store_update
from .publish import STATE_KEY, RoutingResult, keys_after, plan_facts, write_facts

__all__ = [
    "STATE_KEY",
    "PathFacts",
    "RoutingResult",
    "StoreUpdate",
    "keys_after",
    "path_facts",
    "plan_facts",
    "store_update",
    "write_facts",
]
