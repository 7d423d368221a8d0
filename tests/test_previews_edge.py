"""Previews as a visitor and a developer meet them, on the emulator: `inv publish --preview`
as a user runs it, and the distribution's preview server running the stage's real
viewer-request function: live and preview side by side, the cookie flow with a cookie jar,
expiry, the password, and the refusals."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from edge_stacks import get
from releases_site import V1, ReleaseSite, live_then
from test_machine_output import document
from test_releases import released

from amplify_tasks.releases.previews import COOKIE

V2 = {**V1, "index.html": "<!doctype html><title>v2</title>", "new.html": "<p>new in v2</p>"}
PASSWORD = "preview-pw-0123456789"


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return live_then(inv_project, emulator, unique_name("pv"), V2)


def preview(site: ReleaseSite, name: str, *args: str, **env: str) -> dict[str, Any]:
    return document(site.publish("--preview", name, "--json", *args, **env), "publish")


def test_a_preview_is_served_beside_live_through_a_cookie(site: ReleaseSite) -> None:
    live = site.live()
    doc = preview(site, "pr-7")
    made = doc["preview"]
    assert site.live() == live and made["release"] != live  # live is not touched
    assert doc["preview_url"] == made["url"] == f"{site.url()}/?preview=pr-7"
    assert "release" not in doc and made["protected"] == "no"
    assert json.loads(site.store()["p:pr-7"])["r"] == made["release"]
    url = site.url()
    visitor, everyone = requests.Session(), requests.Session()
    answer = visitor.get(doc["preview_url"], timeout=10)  # 302 with the cookie, then /
    assert answer.history[0].status_code == 302 and answer.url == url + "/"
    assert answer.status_code == 200 and "v2" in answer.text
    assert visitor.cookies.get(COOKIE) == "pr-7"
    assert "new in v2" in visitor.get(url + "/new.html", timeout=10).text  # root-relative
    folder = visitor.get(url + "/docs", timeout=10, allow_redirects=False)  # its folder keys
    assert (folder.status_code, folder.headers["location"]) == (302, "/docs/")
    assert "v1" in everyone.get(url + "/", timeout=10).text
    assert everyone.get(url + "/new.html", timeout=10).status_code == 404
    status, headers, _ = get(url, "/docs/?a=1&preview=pr-7&b=2")
    assert (status, headers["location"]) == (302, "/docs/?a=1&b=2")
    assert "pr-7" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
    cleared = visitor.get(url + "/?preview=", timeout=10)
    assert "v1" in cleared.text and COOKIE not in visitor.cookies
    status, _, body = get(url, "/", headers={"Cookie": f"{COOKIE}=nope"})
    assert status == 404 and b"Preview nope does not exist" in body

    site.build({**V2, "index.html": "<!doctype html><title>v3</title>"})
    again = preview(site, "pr-7")["preview"]  # the same name moves to the new release
    assert again["release"] > made["release"] and site.live() == live
    _, _, body = get(url, "/", headers={"Cookie": f"{COOKIE}=pr-7"})
    assert b"v3" in body


def test_a_dry_run_of_a_preview_writes_nothing(site: ReleaseSite) -> None:
    site.emulator.reset_requests()
    out = site.publish("--preview", "dry", "--dry-run").stdout
    assert "dry run of stage prod" in out and site.writes() == []
    assert "p:dry" not in site.store()


def test_an_expired_preview_answers_410(site: ReleaseSite) -> None:
    doc = preview(site, "short", "--expires", "2s")
    cookie = {"Cookie": f"{COOKIE}=short"}
    record = json.loads(site.store()["p:short"])
    assert record["e"] - record["c"] == 2
    time.sleep(3)
    status, headers, body = get(site.url(), "/", headers=cookie)
    assert status == 410 and b"Preview short has expired" in body
    assert "Max-Age=0" in headers["set-cookie"]  # the visitor is back on live next time
    assert doc["preview"]["expires"].endswith("Z")


def test_a_password_protected_preview_asks_for_basic_credentials(site: ReleaseSite) -> None:
    result = site.publish("--preview", "secret", HOSTING_PREVIEW_PASSWORD=PASSWORD)
    assert PASSWORD not in result.stdout + result.stderr
    assert "password protected" in result.stdout
    value = site.store()["p:secret"]
    assert PASSWORD not in value and json.loads(value)["h"]
    url, cookie = site.url(), f"{COOKIE}=secret"

    def auth(user: str, password: str) -> dict[str, str]:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Cookie": cookie, "Authorization": f"Basic {pair}"}

    status, headers, _ = get(url, "/", headers={"Cookie": cookie})
    assert status == 401 and headers["www-authenticate"].startswith("Basic ")
    assert get(url, "/", headers=auth("preview", "wrong"))[0] == 401
    assert get(url, "/", headers=auth("admin", PASSWORD))[0] == 401
    status, _, body = get(url, "/", headers=auth("preview", PASSWORD))
    assert status == 200 and b"v2" in body
    assert get(url, "/")[0] == 200  # live asks for nothing


def test_post_publish_hooks_are_told_the_preview(site: ReleaseSite) -> None:
    site.project.write(
        "amplify/hooks/post-publish.sh",
        'echo "env $HOSTING_PREVIEW_NAME $HOSTING_PREVIEW_URL"\n'
        "python3 -c \"import json,sys; print('json', json.load(sys.stdin)['preview']['name'])\"\n",
    )
    out = site.publish("--preview", "hooked").stdout
    assert f"[post-publish.sh] env hooked {site.url()}/?preview=hooked" in out
    assert "[post-publish.sh] json hooked" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preview", "PR_7"], "preview name 'PR_7' is not valid: use 1 to 40 of a-z"),
        (["--preview", "pr-7", "--expires", "soon"], "--expires 'soon' is not a duration"),
        (["--expires", "1d"], "--expires needs --preview NAME"),
    ],
)
def test_bad_preview_flags_are_one_line_and_publish_nothing(
    site: ReleaseSite, args: list[str], message: str
) -> None:
    before = site.store()
    failed = site.publish(*args, check=False)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines() == [
        f"error: {failed.stderr.split('error: ')[1].strip()}"
    ]
    assert message in failed.stderr and site.store() == before


def test_a_stage_publishing_in_place_refuses_a_preview(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.add_stage("dev", unique_name("pvdev"), {"dist/index.html": "<h1>dev</h1>"})
    failed = inv_project.run("publish", "--stage", "dev", "--preview", "pr-1", check=False)
    assert failed.returncode == 2
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith("error: stage dev publishes in place (it has no CloudFront)")
    for task in (["hosting.previews"], ["hosting.promote", "--preview", "pr-1", "--yes"]):
        listed = inv_project.run(*task, "--stage", "dev", check=False)
        assert listed.returncode == 2 and listed.stderr.strip() == (
            "error: stage dev does not publish releases (it has no CloudFront): it publishes "
            "in place"
        )


def preview_domain_site(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> tuple[ReleaseSite, str]:
    """A release stage whose previews have host names under their own domain (the
    distribution's wildcard alias, an imported certificate for it), and that domain."""
    from zones import imported_certificate

    domain = f"{unique_name('pre')}.example.test"
    inv_project.env.update(
        HOSTING_DOMAIN_NAMES=f"*.{domain}",
        HOSTING_CERTIFICATE_ARN=imported_certificate(f"*.{domain}"),
        HOSTING_PREVIEW_DOMAIN=domain,
    )
    return ReleaseSite(inv_project, emulator, unique_name("pvh")), domain


def test_a_preview_domain_gives_each_preview_its_own_host_name(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    site, domain = preview_domain_site(inv_project, emulator, unique_name)
    released(site.publish().stdout)
    site.build(V2)
    doc = preview(site, "pr-9")
    assert doc["preview_url"] == f"https://pr-9.{domain}/"
    url = site.url()
    status, _, body = get(url, "/new.html", headers={"Host": f"pr-9.{domain}"})
    assert (status, body) == (200, b"<p>new in v2</p>")  # no cookie needed
    status, headers, body = get(url, "/", headers={"Host": f"pr-10.{domain}"})
    assert status == 404 and b"Preview pr-10 does not exist" in body
    assert "set-cookie" not in headers  # a host name is no cookie to clear
    assert b"v1" in get(url, "/")[2]  # the distribution's own name: live
