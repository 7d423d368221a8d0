"""`inv hosting.releases --json` and `inv hosting.rollback --json` on the emulator: one
document on stdout that the shipped schema accepts, the human lines on stderr, the document
also on failure (``ok: false``, the error's kind, the exit code of that kind)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from releases_site import V1, ReleaseSite
from test_machine_output import document

from amplify_tasks.tasks._edge import EXIT_CODES


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> ReleaseSite:
    made = ReleaseSite(inv_project, emulator, unique_name("rj"))
    made.publish()
    made.build({**V1, "index.html": "<!doctype html><title>v2</title>"})
    made.publish()
    return made


def test_releases_json_lists_the_kept_releases_newest_first(site: ReleaseSite) -> None:
    result = site.run("hosting.releases", "--stage", "prod", "--json")
    doc = document(result, "releases")
    second, first = doc["releases"]
    assert doc["ok"] is True and doc["stage"] == "prod" and doc["live"] == second["id"]
    assert second["live"] is True and first["live"] is False
    assert second["previous"] == first["id"] and first["previous"] == ""
    assert first["files"] == len(V1) and first["bytes"] == sum(len(t) for t in V1.values())
    assert first["readable"] is True and first["created"] and first["who"]


def test_rollback_json_names_the_release_made_live_and_the_one_before(
    site: ReleaseSite,
) -> None:
    listed = document(site.run("hosting.releases", "--stage", "prod", "--json"), "releases")
    second, first = (r["id"] for r in listed["releases"])
    result = site.run("hosting.rollback", "--stage", "prod", "--yes", "--json")
    doc = document(result, "rollback")
    assert doc["ok"] is True and doc["changed"] is True
    assert (doc["release"], doc["previous"]) == (first, second)
    assert f"release {first} is live (was {second})" in result.stderr
    assert site.live() == first
    same = document(
        site.run("hosting.rollback", "--stage", "prod", "--to", first, "--yes", "--json"),
        "rollback",
    )
    assert same["changed"] is False and same["release"] == same["previous"] == first


def test_a_failure_is_still_a_document_with_its_kind_and_exit_code(site: ReleaseSite) -> None:
    bad = site.run(
        "hosting.rollback", "--stage", "prod", "--to", "nope", "--yes", "--json", check=False
    )
    doc = document(bad, "rollback")
    assert doc["ok"] is False and doc["error"]["kind"] == "release"
    assert bad.returncode == EXIT_CODES["release"] == 2
    assert bad.stderr.strip().splitlines()[-1] == f"error: {doc['error']['message']}"
    site.project.write(".env.dev", "HOSTING_CLOUDFRONT=false\n")
    dev = site.run("hosting.releases", "--stage", "dev", "--json", check=False)
    doc = document(dev, "releases")
    assert dev.returncode == 2 and doc["error"]["kind"] == "release" and doc["stage"] == "dev"
    assert "publishes in place" in doc["error"]["message"]
