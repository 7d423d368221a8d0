"""CloudFormation behaviour moto lacks, patched into moto inside the emulator process only:
termination protection and DELETE_FAILED for a non-empty bucket.
"""

from __future__ import annotations


def install() -> None:
    """Apply the patches (idempotent)."""
