"""Releases on a PROD stage as a user publishes them (`inv publish --stage prod` on the
emulator): each publish makes an immutable release under ``_r/<id>/``, fingerprinted assets
go to the shared pool at the root, and one key value store write makes a release live.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite

from amplify_tasks.releases import RELEASES_PREFIX

V2 = {**V1, "index.html": "<!doctype html><title>v2</title>"}
del V2["assets/lazy.2222bbbb.js"]


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    return ReleaseSite(inv_project, emulator, unique_name("rel"))


def released(out: str) -> str:
    found = re.search(r"release (\d{8}-\d{6}-[0-9a-f]{4}) is live", out)
    assert found, out
    return found.group(1)


def test_publish_makes_a_release_live_and_a_second_one_replaces_it(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    assert site.live() == first
    tree = site.objects(f"{RELEASES_PREFIX}{first}/")
    assert set(tree) == {
        f"_r/{first}/{p}" for p in ("index.html", "404.html", "docs/index.html", "robots.txt")
    }
    pool = site.objects("assets/")
    assert set(pool) == {"assets/app.1111aaaa.js", "assets/lazy.2222bbbb.js"}
    assert site.body("404.html") == V1["404.html"]  # the error page's root copy
    manifest = site.manifest(first)
    assert manifest["files"]["assets/app.1111aaaa.js"]["pool"] is True
    assert manifest["files"]["index.html"]["headers"]["content-type"] == "text/html; charset=utf-8"
    assert manifest["previous"] is None and manifest["folders"] == ["/docs"]
    assert site.store()[f"{first}:d:/docs"] == "1"

    site.build(V2)
    second = released(site.publish().stdout)
    assert second > first and site.live() == second
    assert site.manifest(second)["previous"] == first
    assert site.body(f"_r/{second}/index.html") == V2["index.html"]
    assert site.body(f"_r/{second}/docs/index.html") == V1["docs/index.html"]  # copied
    assert "assets/lazy.2222bbbb.js" in site.objects("assets/")  # v1 still refers to it


def test_a_publish_that_changes_nothing_writes_nothing(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.emulator.reset_requests()
    again = site.publish().stdout
    assert f"nothing changed: release {first} stays live" in again
    assert site.writes() == []
    assert site.live() == first


def test_rollback_makes_the_release_before_live_again_and_to_names_one(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.build(V2)
    second = released(site.publish().stdout)
    listed = site.run("hosting.releases", "--stage", "prod").stdout.splitlines()
    assert listed[1].startswith(second) and listed[1].rstrip().endswith("* live")
    assert listed[2].startswith(first) and "live" not in listed[2]

    site.emulator.reset_requests()
    out = site.run("hosting.rollback", "--stage", "prod", "--yes").stdout
    assert f"release {first} is live (was {second})" in out
    assert site.live() == first
    writes = site.writes()
    assert [w for w in writes if w[0] == KVS] == [(KVS, "UpdateKeys", None)]  # one write
    assert [w for w in writes if w[0] == "s3"] == []  # 404.html did not change: no copy

    out = site.run("hosting.rollback", "--stage", "prod", "--to", second, "--yes").stdout
    assert f"release {second} is live (was {first})" in out and site.live() == second

    for args, expected in (
        (("--to", "nope"), "'nope' is not a release id"),
        (("--to", "20200101-000000-abcd"), "stage prod has no release 20200101-000000-abcd"),
        ((), None),
    ):
        failed = site.run("hosting.rollback", "--stage", "prod", *args, check=False)
        if expected is None:  # no --yes and no terminal: it asks, so it refuses
            assert failed.returncode != 0 and "pass --yes" in failed.stderr
            continue
        (line,) = failed.stderr.strip().splitlines()
        assert failed.returncode != 0 and expected in line
    assert site.live() == second
