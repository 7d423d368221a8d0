"""Releases as a viewer sees them, through the distribution's preview (the stage's own
viewer-request function in mini-racer, reading the store's ``live`` pointer): every page is
one release's, a publish switches them all at once, a rollback switches back, and a stage
going from in place to releases never answers an error on the way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from edge_stacks import get
from releases_site import V1, ReleaseSite
from test_releases import released, spawn, version


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("edge"))


class Watcher:
    """Fetches ``path`` through the preview over and over on a thread of its own, keeping
    every (status, body) it was answered, until stopped."""

    def __init__(self, url: str, path: str = "/") -> None:
        self.url, self.path = url, path
        self.seen: list[tuple[int, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            status, _headers, body = get(self.url, self.path)
            self.seen.append((status, body))

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def bodies(self) -> Iterator[bytes]:
        """The bodies in the order they came, each run of equal ones once."""
        last = None
        for _status, body in self.seen:
            if body != last:
                yield body
                last = body


def watch_publish(site: ReleaseSite, url: str) -> Watcher:
    """Publish with every object of the new release going up slowly, fetching / meanwhile;
    the watcher, once the publish made its release live."""
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/_r/", delay=0.5, count=50)
    try:
        with Watcher(url) as watcher:
            proc = spawn(site)
            out, err = proc.communicate(timeout=180)
    finally:
        site.emulator.clear_faults()
    assert proc.returncode == 0, err
    released(out)
    assert all(status == 200 for status, _ in watcher.seen), watcher.seen[:5]
    return watcher


def test_during_a_slow_publish_every_page_is_the_live_release_s(site: ReleaseSite) -> None:
    site.build(version(2))
    released(site.publish().stdout)
    url = site.url()
    v2, v3 = version(2)["index.html"].encode(), version(3)["index.html"].encode()
    assert get(url, "/")[::2] == (200, v2)
    site.build(version(3))
    watcher = watch_publish(site, url)
    assert len(watcher.seen) > 10
    assert list(watcher.bodies()) in ([v2, v3], [v2])  # v2's until the pointer moved, then v3's
    assert get(url, "/")[::2] == (200, v3)
    assert get(url, "/v3/")[0] == 200 and get(url, "/v2/")[0] in {403, 404}
    status, headers, _ = get(url, "/v3")
    assert (status, headers.get("location")) == (302, "/v3/")


def test_rollback_is_what_viewers_get(site: ReleaseSite) -> None:
    out = site.publish(HOSTING_SMOKE_TEST="true").stdout  # the smoke test fetches the release
    first = released(out)
    assert "[smoke-test]" in out
    site.build(version(2))
    released(site.publish().stdout)
    url = site.url()
    assert get(url, "/")[2] == version(2)["index.html"].encode()
    site.run("hosting.rollback", "--stage", "prod", "--yes")
    assert site.live() == first
    assert get(url, "/")[::2] == (200, V1["index.html"].encode())
    assert get(url, "/docs/")[::2] == (200, V1["docs/index.html"].encode())
    assert get(url, "/nope")[::2] == (404, V1["404.html"].encode())
    assert get(url, f"/_r/{first}/index.html")[0] == 404  # a release is not addressable
    assert get(url, "/.amplify-tasks/releases/")[0] == 404


def test_an_in_place_stage_switches_to_releases_without_an_error_answered(
    site: ReleaseSite,
) -> None:
    site.publish(HOSTING_RELEASES="false")
    url = site.url()
    v1, v2 = V1["index.html"].encode(), version(2)["index.html"].encode()
    assert get(url, "/")[::2] == (200, v1)
    site.build(version(2))
    watcher = watch_publish(site, url)
    assert list(watcher.bodies()) in ([v1, v2], [v1])
    assert get(url, "/")[::2] == (200, v2)
    assert get(url, "/docs/")[0] == 200
