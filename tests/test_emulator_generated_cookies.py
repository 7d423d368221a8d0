"""What preview selection asks of the emulator's CloudFront Functions, over real HTTP: a
viewer-request function's generated response carries ``cookies`` as Set-Cookie lines (one per
cookie, attributes kept, a ``multiValue`` cookie once per value), a WWW-Authenticate header
and a body, as CloudFront documents; the function reads the viewer's cookies from
``request.cookies`` (never from a cookie header) and may use atob, Date.now and sha256."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from edge_stacks import deploy, edge_template, get

from amplify_tasks.local import control

GATE = """import crypto from 'crypto';
function handler(event) {
  var request = event.request;
  var auth = request.headers.authorization;
  var pair = auth ? atob(auth.value.slice(6)) : '';
  return {
    statusCode: pair ? 200 : 401,
    statusDescription: pair ? 'OK' : 'Unauthorized',
    headers: {'www-authenticate': {value: 'Basic realm="preview"'}},
    cookies: {
      chosen: {value: 'pr-7', attributes: 'Path=/; HttpOnly; SameSite=Lax'},
      gone: {value: '', attributes: 'Path=/; Max-Age=0'},
      many: {value: 'a', multiValue: [{value: 'a'}, {value: 'b', attributes: 'Path=/x'}]},
    },
    body: JSON.stringify({
      cookies: request.cookies,
      header: request.headers.cookie || null,
      hash: crypto.createHash('sha256').update(pair).digest('hex'),
      now: Date.now(),
    }),
  };
}"""


def test_a_generated_response_sets_cookies_and_asks_for_credentials(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> None:
    out = deploy(
        emulator, unique_name(), edge_template(unique_name(), functions={"viewer-request": GATE})
    )
    status, headers, body = get(out["url"], "/", headers={"Cookie": "chosen=old; other=1"})
    assert status == 401 and headers["www-authenticate"] == 'Basic realm="preview"'
    seen = json.loads(body)
    assert seen["cookies"] == {"chosen": {"value": "old"}, "other": {"value": "1"}}
    assert seen["header"] is None  # cookies are shown as cookies only
    assert abs(seen["now"] / 1000 - time.time()) < 60

    where = urlsplit(out["url"])
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    pair = base64.b64encode(b"preview:pw").decode()
    conn.request("GET", "/", headers={"Authorization": f"Basic {pair}"})
    answer = conn.getresponse()
    lines = answer.headers.get_all("Set-Cookie")
    body = answer.read()
    conn.close()
    assert answer.status == 200
    assert json.loads(body)["hash"] == hashlib.sha256(b"preview:pw").hexdigest()
    assert sorted(lines) == sorted(
        [
            "chosen=pr-7; Path=/; HttpOnly; SameSite=Lax",
            "gone=; Path=/; Max-Age=0",
            "many=a",
            "many=b; Path=/x",
        ]
    )
