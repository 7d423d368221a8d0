"""Tasks of this job are added here."""

from __future__ import annotations
