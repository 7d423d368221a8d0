"""The emulator's preview URL of a distribution is asked for once per process, also when the
publish's prefetch and its deploy ask at the same time: a loopback server standing in for
the emulator's control API counts the calls (it answers slowly, so both askers overlap)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from loopback_server import serving_on_loopback

from amplify_tasks.stack import site_url

CALLS: list[str] = []


class _Control(http.server.BaseHTTPRequestHandler):
    """GET /_amplify_tasks/previews, 0.2 s late: one distribution, E1."""

    def do_GET(self) -> None:
        CALLS.append(self.path)
        time.sleep(0.2)
        body = json.dumps(
            [{"kind": "distribution", "distribution_id": "E1", "url": "http://127.0.0.1:9/e1/"}]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _clean() -> None:
    CALLS.clear()
    site_url._PREVIEWS.clear()


def test_two_askers_at_once_make_one_call() -> None:
    with serving_on_loopback(_Control) as endpoint:
        with ThreadPoolExecutor(4) as pool:
            found = list(pool.map(lambda _i: site_url._preview_url(endpoint, "E1"), range(4)))
        again = site_url._preview_url(endpoint, "E1")
    assert found == ["http://127.0.0.1:9/e1/"] * 4 and again == found[0]
    assert CALLS == ["/_amplify_tasks/previews"]


def test_an_unknown_distribution_is_asked_again() -> None:
    with serving_on_loopback(_Control) as endpoint:
        assert site_url._preview_url(endpoint, "E9") == ""
        assert site_url._preview_url(endpoint, "E9") == ""
    assert len(CALLS) == 2  # no preview yet: a later stack may make one


def test_a_waiter_is_not_left_hanging_when_the_first_asker_fails() -> None:
    with serving_on_loopback(_Control) as endpoint:
        done: list[str] = []
        first = threading.Thread(target=lambda: done.append(site_url._preview_url(endpoint, "E9")))
        first.start()
        time.sleep(0.05)
        assert site_url._preview_url(endpoint, "E9") == ""
        first.join(timeout=5)
    assert done == [""]
