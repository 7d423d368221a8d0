"""Publishing a dist folder to a bucket in place: scan (local), listing (remote), content
rules and ETags, diff into a plan (data), then execute it in the safe order.
"""

from .content import HeaderRules
from .execute import FileDone, Guard, OnFile, SyncInterrupted, SyncResult, apply_change
from .hashcache import HashCache
from .ignore import check_pattern, ignore_path, load_ignore, load_ignore_spec, read_patterns
from .listing import (
    LISTED_STATE_PREFIX,
    LOCK_KEY,
    MANIFEST_KEY,
    RESERVED_PREFIX,
    RemoteObject,
    list_remote,
)
from .objects import copy_key, upload_file
from .plan import PHASE_NAMES, SyncPlan
from .run import (
    Hasher,
    SyncOptions,
    hash_ahead,
    plan_sync,
    run_plan,
    started_hasher,
    sync_dist,
)
from .scan import DistError, LocalFile, check_publishable, scan_dist

__all__ = [
    "LISTED_STATE_PREFIX",
    "LOCK_KEY",
    "MANIFEST_KEY",
    "PHASE_NAMES",
    "RESERVED_PREFIX",
    "DistError",
    "FileDone",
    "Guard",
    "HashCache",
    "Hasher",
    "HeaderRules",
    "LocalFile",
    "OnFile",
    "RemoteObject",
    "SyncInterrupted",
    "SyncOptions",
    "SyncPlan",
    "SyncResult",
    "apply_change",
    "check_pattern",
    "check_publishable",
    "copy_key",
    "hash_ahead",
    "ignore_path",
    "list_remote",
    "load_ignore",
    "load_ignore_spec",
    "plan_sync",
    "read_patterns",
    "run_plan",
    "scan_dist",
    "started_hasher",
    "sync_dist",
    "upload_file",
]
