"""A preview shows its own release's `_redirects` and `_headers`: `inv publish --preview` as
a user runs it on the emulator, both of the stage's real functions on the distribution's
preview choosing the same pointer (the preview cookie or host name, or neither for live);
promote and rollback keep the pointer's rules flag, so the live release's rules follow it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from edge_stacks import get
from releases_site import V1, ReleaseSite
from test_previews_edge import preview_domain_site
from test_releases import released

from amplify_tasks.releases.previews import COOKIE


def rules(name: str) -> dict[str, str]:
    return {
        **V1,
        "_redirects": f"/go /{name}/ 302\n",
        "_headers": f"/*\n  X-Rule: {name}\n",
        f"{name}/index.html": f"<p>{name}</p>",
    }


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    made = ReleaseSite(inv_project, emulator, unique_name("rp"))
    made.build(rules("a"))
    released(made.publish().stdout)
    made.build(rules("b"))
    return made


def seen(site: ReleaseSite, cookie: str = "") -> tuple[str, str]:
    """Where /go redirects and the X-Rule header of /, for a visitor with ``cookie``."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    status, found, _ = get(site.url(), "/go", headers=headers)
    assert status == 302, status
    status, page, _ = get(site.url(), "/", headers=headers)
    assert status == 200, status
    return found["location"], page.get("x-rule", "")


def test_a_preview_gets_its_release_s_rules_and_live_keeps_its_own(site: ReleaseSite) -> None:
    live = site.live()
    site.publish("--preview", "pr-5")
    pointer = json.loads(site.store()["p:pr-5"])
    assert pointer["r"] != live and pointer["x"] == 1  # the preview's release has rules
    assert seen(site, "pr-5") == ("/b/", "b")
    assert seen(site) == ("/a/", "a")

    site.run("hosting.promote", "--stage", "prod", "--preview", "pr-5", "--yes")
    assert json.loads(site.store()["live"]) == {
        "r": pointer["r"],
        "d": 0,
        "x": 1,
        "k": pointer["k"],
    }
    assert seen(site) == ("/b/", "b")
    site.run("hosting.rollback", "--stage", "prod", "--yes")
    assert site.live() == live and seen(site) == ("/a/", "a")


def test_a_preview_s_host_name_gets_its_release_s_rules(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    site, domain = preview_domain_site(inv_project, emulator, unique_name)
    site.build(rules("a"))
    released(site.publish().stdout)
    site.build(rules("b"))
    site.publish("--preview", "pr-6")
    host = {"Host": f"pr-6.{domain}"}
    status, headers, _ = get(site.url(), "/go", headers=host)
    assert (status, headers["location"]) == (302, "/b/")
    assert get(site.url(), "/", headers=host)[1]["x-rule"] == "b"  # the Host, no cookie
    assert get(site.url(), "/")[1]["x-rule"] == "a"
