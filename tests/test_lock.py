"""The stage lock against the emulator over HTTP, with an injected clock and sleep so waiting
is tested without waiting: who holds it, waiting and giving up naming the holder, taking over
an abandoned lock (by the waiter's clock, or by S3's), the heartbeat, release and breaking.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from amplify_tasks import aws
from amplify_tasks.errors import LockError
from amplify_tasks.lock import Holder, StageLock, break_lock, inspect
from amplify_tasks.sync import LOCK_KEY


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def bucket(aws_env: dict[str, str], unique_name: Callable[[str], str]) -> tuple[Any, str]:
    s3 = aws.client("s3")
    name = unique_name("lock")
    s3.create_bucket(Bucket=name)
    return s3, name


def holder(task: str = "publish", user: str = "alice") -> Holder:
    here = Holder.here(task)
    return Holder(user, "build-7", here.pid, "3f9a1c2", task, here.since, here.token)


def lock_of(
    bucket: tuple[Any, str], who: Holder, said: list[str], fake: FakeTime | None = None, **kw: Any
) -> StageLock:
    s3, name = bucket
    timing = {"clock": fake.clock, "sleep": fake.sleep} if fake else {}
    lock = StageLock(s3, name, "prod", who, out=said.append, **timing, **kw)
    _made.append(lock)
    return lock


#: Every lock a test made: released after it, so no heartbeat outlives its test.
_made: list[StageLock] = []


@pytest.fixture(autouse=True)
def _release_every_lock() -> Iterator[None]:
    yield
    while _made:
        _made.pop().release()


def test_the_lock_says_who_holds_it_and_is_gone_when_released(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    said: list[str] = []
    alice = holder()
    lock = lock_of(bucket, alice, said)
    lock.acquire()
    body = json.loads(s3.get_object(Bucket=name, Key=LOCK_KEY)["Body"].read())
    assert {k: body[k] for k in ("user", "host", "commit", "task", "pid")} == {
        "user": "alice",
        "host": "build-7",
        "commit": "3f9a1c2",
        "task": "publish",
        "pid": alice.pid,
    }
    assert body["since"].endswith("Z") and body["heartbeat"].endswith("Z")
    held = inspect(s3, name)
    assert held is not None and held.holder == alice and held.age < 60
    lock.release()
    assert inspect(s3, name) is None and said == []


def test_a_second_run_waits_then_stops_naming_the_holder(bucket: tuple[Any, str]) -> None:
    first = lock_of(bucket, holder(user="alice"), [])
    first.acquire()
    said: list[str] = []
    fake = FakeTime()
    second = lock_of(bucket, holder(user="bob"), said, fake, timeout=120)
    with pytest.raises(LockError) as info:
        second.acquire()
    message = str(info.value)
    assert "stage prod is locked by alice@build-7" in message and "commit 3f9a1c2" in message
    assert "waited 120 s" in message and "inv hosting.unlock --stage prod" in message
    assert "\n" not in message
    assert len(said) == 1 and "waiting up to 120 s (HOSTING_LOCK_TIMEOUT)" in said[0]
    assert sum(fake.slept) == 120 and max(fake.slept) <= 2  # looked again every 2 s
    assert inspect(*bucket) is not None  # the holder's lock is untouched
    first.release()
    second.acquire()  # free now: taken at once
    assert fake.slept[-1:] == [2.0] and len(fake.slept) == 60
    second.release()


def test_no_wait_with_a_timeout_of_zero(bucket: tuple[Any, str]) -> None:
    first = lock_of(bucket, holder(), [])
    first.acquire()
    fake = FakeTime()
    with pytest.raises(LockError, match="waited 0 s"):
        lock_of(bucket, holder(user="bob"), [], fake, timeout=0).acquire()
    assert fake.slept == []
    first.release()


def test_a_lock_not_renewed_for_five_minutes_is_taken_over(bucket: tuple[Any, str]) -> None:
    dead = lock_of(bucket, holder(user="alice"), [], heartbeat=3600)
    dead.acquire()  # and never renewed: its process is gone
    said: list[str] = []
    fake = FakeTime()
    bob = holder(user="bob")
    taker = lock_of(bucket, bob, said, fake, timeout=600)
    taker.acquire()
    assert 300 <= sum(fake.slept) <= 302
    # the age is S3's clock against Last-Modified, whole seconds: 300 or a second or two more
    assert re.search(
        r"was not renewed for 30[0-2] s \(abandoned after 300 s\): taken over", said[-1]
    )
    assert "alice@build-7" in said[-1]
    held = inspect(*bucket)
    assert held is not None and held.holder == bob
    # the run that lost it finds out at its next renewal and does not delete the new lock
    assert not dead.renew()
    assert "taken over by bob@build-7" in dead.lost()
    dead.release()
    assert inspect(*bucket) is not None and inspect(*bucket).holder == bob  # type: ignore[union-attr]
    taker.release()
    assert inspect(*bucket) is None


def test_a_lock_old_by_the_servers_clock_is_taken_over_at_once(
    emulator: Any, bucket: tuple[Any, str]
) -> None:
    lock_of(bucket, holder(user="alice"), [], heartbeat=3600).acquire()
    emulator.age_object(bucket[1], LOCK_KEY, 400)
    said: list[str] = []
    fake = FakeTime()
    taker = lock_of(bucket, holder(user="bob"), said, fake, timeout=0)
    taker.acquire()
    assert fake.slept == [] and "taken over" in said[0] and "renewed for 4" in said[0]
    taker.release()


def test_the_heartbeat_renews_the_lock(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    lock = lock_of(bucket, holder(), [], heartbeat=0.2)
    lock.acquire()
    first = inspect(s3, name)
    time.sleep(1.5)  # several beats
    later = inspect(s3, name)
    assert first is not None and later is not None and first.etag != later.etag
    assert later.holder == first.holder and not lock.lost()
    lock.release()
    assert inspect(s3, name) is None


def test_breaking_a_lock_is_conditional_and_its_holder_notices(bucket: tuple[Any, str]) -> None:
    s3, name = bucket
    said: list[str] = []
    lock = lock_of(bucket, holder(), said, heartbeat=3600)
    lock.acquire()
    held = inspect(s3, name)
    assert held is not None
    assert lock.renew()  # a heartbeat: the lock as read is no longer the one in the bucket
    assert not break_lock(s3, name, held)
    current = inspect(s3, name)
    assert current is not None and break_lock(s3, name, current)
    assert not lock.renew() and "was removed" in lock.lost()
    lock.release()  # nothing to give back, nothing said
    assert said == [] and inspect(s3, name) is None
