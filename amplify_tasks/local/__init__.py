"""The loopback AWS emulator: a moto server with our CloudFormation models, a request log,
fault injection and preview HTTP servers for website buckets and distributions.

Only ``control`` is safe to import without the ``local`` extra (moto) installed.
"""

from __future__ import annotations
