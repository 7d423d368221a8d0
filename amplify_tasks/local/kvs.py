"""The data of CloudFront KeyValueStores: keys and values per store, the store's ETag, and
AWS's limits. A store exists while moto's CloudFront backend knows its ARN (the control
plane: CreateKeyValueStore or AWS::CloudFront::KeyValueStore); its data is made on first use.
"""

from __future__ import annotations

import base64
import datetime
import secrets
import string
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .backends import cloudfront_backend

#: AWS's limits: key 512 bytes, value 1 KB, the whole store (keys + values) 5 MB.
KEY_MAX_BYTES = 512
VALUE_MAX_BYTES = 1024
STORE_MAX_BYTES = 5 * 1024 * 1024
#: Puts plus deletes in one UpdateKeys.
BATCH_MAX_KEYS = 50
LIST_DEFAULT = 10
LIST_MAX = 50


class KvsError(Exception):
    """An error of the KeyValueStore API: its code, HTTP status and message."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


def not_found(arn: str) -> KvsError:
    return KvsError("ResourceNotFoundException", 404, f"Resource {arn} was not found.")


def new_etag() -> str:
    """An ETag shaped like CloudFront's (uppercase letters and digits)."""
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(14))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _size(key: str, value: str) -> int:
    return len(key.encode()) + len(value.encode())


def check_key(key: str) -> None:
    size = len(key.encode())
    if not 1 <= size <= KEY_MAX_BYTES:
        raise KvsError(
            "ValidationException",
            400,
            f"Key size is {size} bytes; keys are 1 to {KEY_MAX_BYTES} bytes.",
        )


def check_value(key: str, value: str) -> None:
    size = len(value.encode())
    if size > VALUE_MAX_BYTES:
        raise KvsError(
            "ValidationException",
            400,
            f"Value size of key {key} is {size} bytes; values are at most {VALUE_MAX_BYTES} bytes.",
        )


@dataclass(frozen=True)
class Snapshot:
    """The store as one consistent read: what a function sees for one request."""

    etag: str
    items: dict[str, str]
    created: datetime.datetime
    last_modified: datetime.datetime


@dataclass
class StoreData:
    """Keys and values of one store, guarded by a lock; every change makes a new ETag."""

    arn: str
    created: datetime.datetime = field(default_factory=_now)
    items: dict[str, str] = field(default_factory=dict)
    etag: str = field(default_factory=new_etag)
    total: int = 0
    last_modified: datetime.datetime = field(default_factory=_now)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.last_modified = self.created

    def _counts(self) -> dict[str, Any]:
        return {"ItemCount": len(self.items), "TotalSizeInBytes": self.total}

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                **self._counts(),
                "KvsARN": self.arn,
                "Created": self.created.timestamp(),
                "LastModified": self.last_modified.timestamp(),
                "Status": "READY",
                "ETag": self.etag,
            }

    def get(self, key: str) -> dict[str, Any]:
        with self.lock:
            if key not in self.items:
                raise KvsError("ResourceNotFoundException", 404, f"Key {key} was not found.")
            return {"Key": key, "Value": self.items[key], **self._counts()}

    def page(self, max_results: int | None, token: str | None) -> dict[str, Any]:
        limit = LIST_DEFAULT if max_results is None else max_results
        if not 1 <= limit <= LIST_MAX:
            raise KvsError(
                "ValidationException", 400, f"MaxResults must be between 1 and {LIST_MAX}."
            )
        after = _decode_token(token) if token else None
        with self.lock:
            keys = sorted(k for k in self.items if after is None or k > after)
            page = keys[:limit]
            result: dict[str, Any] = {"Items": [{"Key": k, "Value": self.items[k]} for k in page]}
        if len(keys) > limit:
            result["NextToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return result

    def update(
        self, if_match: str | None, puts: Iterable[tuple[str, str]], deletes: Iterable[str]
    ) -> dict[str, Any]:
        """Apply every put and delete or none (AWS's all-or-nothing), if ``if_match`` is the
        current ETag; the new ETag and counts."""
        puts, deletes = list(puts), list(deletes)
        if len(puts) + len(deletes) > BATCH_MAX_KEYS:
            raise KvsError(
                "ValidationException",
                400,
                f"An update changes at most {BATCH_MAX_KEYS} keys; this one changes "
                f"{len(puts) + len(deletes)}.",
            )
        with self.lock:
            if not if_match or if_match != self.etag:
                raise KvsError("ConflictException", 409, "Pre-Condition failed")
            items = dict(self.items)
            for key in deletes:
                items.pop(key, None)
            return self._replace(items, puts)

    def _replace(self, items: dict[str, str], puts: list[tuple[str, str]]) -> dict[str, Any]:
        """Make ``items`` plus ``puts`` the content, within the limits (lock held)."""
        for key, value in puts:
            check_key(key)
            check_value(key, value)
        items.update(puts)
        total = sum(_size(k, v) for k, v in items.items())
        if total > STORE_MAX_BYTES:
            raise KvsError(
                "ServiceQuotaExceededException",
                402,
                f"The key value store would hold {total} bytes; the limit is "
                f"{STORE_MAX_BYTES} bytes.",
            )
        self.items, self.total = items, total
        self.etag = new_etag()
        self.last_modified = _now()
        return {**self._counts(), "ETag": self.etag}

    def delete(self, if_match: str | None, key: str) -> dict[str, Any]:
        with self.lock:
            present = key in self.items
        if not present:
            raise KvsError("ResourceNotFoundException", 404, f"Key {key} was not found.")
        return self.update(if_match, [], [key])

    def snapshot(self) -> Snapshot:
        with self.lock:
            return Snapshot(self.etag, dict(self.items), self.created, self.last_modified)

    def load(self, items: dict[str, str]) -> None:
        """Replace the whole content (an import when the store is created: no batch limit)."""
        with self.lock:
            self._replace({}, list(items.items()))


def _decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise KvsError("ValidationException", 400, "NextToken is not valid.") from exc


class Registry:
    """StoreData per ARN, for the stores moto's CloudFront backend knows."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stores: dict[str, StoreData] = {}

    def find(self, arn: str) -> StoreData:
        """The data of the store ``arn``; ResourceNotFoundException when there is none."""
        control = control_plane_store(arn)
        if control is None:
            with self.lock:
                self.stores.pop(arn, None)
            raise not_found(arn)
        with self.lock:
            data = self.stores.get(arn)
            if data is None:
                created = getattr(control, "last_modified_time", None)
                data = StoreData(arn, created if isinstance(created, datetime.datetime) else _now())
                self.stores[arn] = data
            return data

    def drop(self, arn: str) -> None:
        with self.lock:
            self.stores.pop(arn, None)


def control_plane_store(arn: str) -> Any:
    """moto's KeyValueStore with this ARN, or None."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "cloudfront" or not parts[5].startswith("key-value-store/"):
        return None
    try:
        backend = cloudfront_backend(parts[4])
    except Exception:
        return None
    return next((s for s in backend.key_value_stores.values() if s.arn == arn), None)


REGISTRY = Registry()
