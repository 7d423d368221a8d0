"""The part of a wire client that is botocore's: its own client for the service, made on
first need by one thread, and every attribute the wire client does not have."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

C = TypeVar("C")


class BotocoreFallback(Generic[C]):
    """Base of the wire clients: ``botocore`` makes the client that sends the rest."""

    def __init__(self, botocore: Callable[[], C]) -> None:
        self._make_botocore = botocore
        self._botocore: C | None = None
        self._making = threading.Lock()

    @property
    def botocore(self) -> C:
        """botocore's client, made once, by the first thread that needs it."""
        with self._making:
            if self._botocore is None:
                self._botocore = self._make_botocore()
            return self._botocore

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.botocore, name)
