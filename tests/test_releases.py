"""Releases on a PROD stage as a user publishes them (`inv publish --stage prod` on the
emulator): each publish makes an immutable release under ``_r/<id>/``, fingerprinted assets
go to the shared pool at the root, and one key value store write makes a release live.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from releases_site import KVS, V1, ReleaseSite
from test_publish_lock import wait_for

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
    assert site.store()[f"{site.keys(first)}:d:/docs"] == "1"

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

    site.build({**V2, "404.html": "<!doctype html><title>not found v3</title>"})
    third = released(site.publish().stdout)
    assert site.body("404.html") == "<!doctype html><title>not found v3</title>"
    site.emulator.reset_requests()
    out = site.run("hosting.rollback", "--stage", "prod", "--yes").stdout
    assert f"release {second} is live (was {third}) (error pages copied: 404.html)" in out
    assert site.body("404.html") == V1["404.html"]
    assert [w for w in site.writes() if w[0] == "s3"] == [("s3", "CopyObject", "404.html")]


def test_a_dry_run_prints_the_release_plan_and_writes_nothing(site: ReleaseSite) -> None:
    before = site.publish("--dry-run").stdout  # no stack yet: a plan against nothing
    assert "release uploads: 4 file(s)" in before and "release pool writes: 2 file(s)" in before
    assert "pointer: live would move from no release (in place) to release" in before
    first = released(site.publish().stdout)
    site.build({**V2, "new.html": "<!doctype html><title>new</title>"})
    site.emulator.reset_requests()
    out = site.publish("--dry-run").stdout
    assert site.writes() == [] and site.live() == first
    assert "release uploads: 2 file(s)" in out  # index.html changed, new.html
    assert re.search(r"  changed +index\.html", out) and re.search(r"  new +new\.html", out)
    assert "release copies from the live release: 3 file(s)" in out
    assert "release pool: 1 fingerprinted file(s) already there" in out
    assert re.search(r"release drops 1 file\(s\) of the live release:\n  removed +assets/lazy", out)
    assert re.search(rf"pointer: live would move from release {first} to release \S+", out)
    assert "garbage collection: nothing to delete" in out


def test_status_shows_the_live_release_and_c_says_no_invalidation_is_needed(
    site: ReleaseSite,
) -> None:
    first = released(site.publish().stdout)
    assert f"live release      {first}" in site.run("hosting.status", "--stage", "prod").stdout
    site.build(V2)
    site.emulator.reset_requests()
    out = site.publish("-c").stdout
    assert "no invalidation: releases need none" in out
    assert site.emulator.requests(service="cloudfront", operation="CreateInvalidation") == []


def version(n: int) -> dict[str, str]:
    """Version ``n`` of the site: v1's files, a page of its own, v1's lazy chunk dropped."""
    files = {k: v for k, v in V1.items() if k != "assets/lazy.2222bbbb.js"}
    files["index.html"] = f"<!doctype html><title>v{n}</title>"
    files[f"assets/app.{n:04d}cccc.js"] = f"console.log('app v{n}')"
    files[f"v{n}/index.html"] = f"<!doctype html><title>page of v{n}</title>"
    return files


def test_gc_keeps_exactly_keep_releases_and_a_dropped_chunk_lives_as_long_as_they(
    site: ReleaseSite,
) -> None:
    from edge_stacks import get

    keep = {"HOSTING_KEEP_RELEASES": "3"}
    chunk = "/assets/lazy.2222bbbb.js"
    made = [released(site.publish(**keep).stdout)]  # v1 has the lazy chunk
    for n in (2, 3):
        site.build(version(n))
        made.append(released(site.publish(**keep).stdout))
        assert get(site.url(), chunk)[::2] == (200, b"console.log('lazy chunk of v1')")
    assert set(site.objects(".amplify-tasks/releases/")) == {
        f".amplify-tasks/releases/{r}.json" for r in made
    }
    site.build(version(4))
    out = site.publish(**keep).stdout
    made.append(released(out))
    kept = made[1:]
    assert "collected     1 release(s), 5 object(s)" in out  # v1's tree and lazy chunk
    assert set(site.objects(".amplify-tasks/releases/")) == {
        f".amplify-tasks/releases/{r}.json" for r in kept
    }
    assert {k.split("/")[1] for k in site.objects("_r/")} == set(kept)
    assert get(site.url(), chunk)[0] in {403, 404}
    assert "assets/app.1111aaaa.js" in site.objects("assets/")  # the kept ones have it too
    assert {k.split(":")[0] for k in site.store() if ":d:" in k} == {site.keys(r) for r in kept}


def test_an_in_place_stage_switches_to_releases_and_back(site: ReleaseSite) -> None:
    from amplify_tasks.routing import STATE_KEY
    from amplify_tasks.sync import MANIFEST_KEY

    in_place = {"HOSTING_RELEASES": "false"}
    site.publish(**in_place)
    assert "site" in site.store() and MANIFEST_KEY in site.objects(".amplify-tasks/")

    first = released(site.publish().stdout)  # the next publish makes the first release
    root = {k for k in site.objects() if not k.startswith(("_r/", ".amplify-tasks/"))}
    assert root == {"404.html", "assets/app.1111aaaa.js", "assets/lazy.2222bbbb.js"}
    keys = site.keys(first)
    assert set(site.store()) == {"live", f"{keys}:d:/docs", keys}
    state = set(site.objects(".amplify-tasks/"))
    assert MANIFEST_KEY not in state and STATE_KEY not in state

    site.build(V2)
    back = site.publish(**in_place).stdout
    assert (
        "HOSTING_RELEASES=false: stage prod goes back to publishing in place: the site is "
        f"synced to the bucket's root first, then the live pointer (release {first}) is "
        "removed and the stage's releases are deleted"
    ) in back
    root = {k for k in site.objects() if not k.startswith(".amplify-tasks/")}
    assert root == set(V2)
    assert site.body("index.html") == V2["index.html"]
    assert set(site.store()) == {"site", "d:/docs"}
    assert not site.objects(".amplify-tasks/releases/")
    failed = site.run("hosting.releases", "--stage", "prod", check=False, **in_place)
    assert failed.returncode != 0
    assert "stage prod does not publish releases (HOSTING_RELEASES=false)" in failed.stderr


def spawn(site: ReleaseSite, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "publish", "--stage", "prod", "--yes", *args],
        cwd=site.project.root,
        env={**site.project.env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def copied(site: ReleaseSite) -> Callable[[], bool]:
    """Whether a publish has started copying files into a new release."""
    return lambda: any(
        r["operation"] == "CopyObject" and r["bucket"] == site.bucket
        for r in site.emulator.requests(service="s3")
    )


def test_two_publishes_at_once_take_turns(site: ReleaseSite) -> None:
    first = released(site.publish().stdout)
    site.build(V2)
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/_r/", delay=6, count=4)
    try:
        one = spawn(site)
        wait_for("the first publish copies", copied(site), one)
        site.build(version(3))
        two = spawn(site)
        out_one, err_one = one.communicate(timeout=120)
        out_two, err_two = two.communicate(timeout=120)
    finally:
        site.emulator.clear_faults()
    assert one.returncode == 0 and two.returncode == 0, err_one + err_two
    assert "stage prod is locked by" in out_two
    one_id, two_id = released(out_one), released(out_two)
    assert site.manifest(one_id)["previous"] == first
    assert site.manifest(two_id)["previous"] == one_id and site.live() == two_id


def test_a_pointer_moved_under_a_publish_stops_it_in_one_line(site: ReleaseSite) -> None:
    from amplify_tasks import aws
    from amplify_tasks.releases import Pointer

    first = released(site.publish().stdout)
    site.build(V2)
    second = released(site.publish().stdout)
    site.build(version(3))
    site.emulator.reset_requests()
    site.emulator.inject_fault(0, method="PUT", path_regex=r"/\.amplify-tasks/releases/", delay=3)
    try:
        proc = spawn(site)
        wait_for("the publish copies", copied(site), proc)
        client = aws.client(KVS)  # someone moves live without the stage lock
        arn = site.outputs.kvs_arn
        etag = client.describe_key_value_store(KvsARN=arn)["ETag"]
        client.put_key(KvsARN=arn, Key="live", Value=Pointer(first).value(), IfMatch=etag)
        _out, err = proc.communicate(timeout=120)
    finally:
        site.emulator.clear_faults()
    assert proc.returncode != 0
    (line,) = err.strip().splitlines()
    assert line.startswith(
        f"error: pointer live moved during this run (it is now release {first}, was release "
        f"{second}): release "
    )
    assert line.endswith("is uploaded but not live; publish again")
    assert site.live() == first


def test_verify_finds_a_deleted_and_a_changed_object(site: ReleaseSite) -> None:
    from amplify_tasks import aws

    live = released(site.publish().stdout)
    ok = site.run("hosting.verify", "--stage", "prod").stdout
    assert f"live release {live}: all 6 files present as published" in ok
    s3 = aws.client("s3")
    s3.delete_object(Bucket=site.bucket, Key=f"_r/{live}/robots.txt")
    s3.put_object(
        Bucket=site.bucket, Key="assets/app.1111aaaa.js", Body=b"x", ContentType="text/plain"
    )
    failed = site.run("hosting.verify", "--stage", "prod", check=False)
    assert failed.returncode != 0
    assert f"missing    robots.txt (_r/{live}/robots.txt)" in failed.stdout
    assert "different  assets/app.1111aaaa.js (assets/app.1111aaaa.js): ETag" in failed.stdout
    assert "Content-Type 'text/plain', manifest 'text/javascript; charset=utf-8'" in failed.stdout
    (line,) = failed.stderr.strip().splitlines()
    assert f"error: live release {live} of stage prod: 2 problem(s) in 6 files" in line


def test_post_publish_hooks_are_told_the_release(site: ReleaseSite) -> None:
    hook = (
        f"{sys.executable} -c \"import json,sys; d=json.load(sys.stdin)['release']; "
        "print('json', d['id'], d['previous'] or '-')\"\n"
        'echo "env $HOSTING_RELEASE_ID ${HOSTING_RELEASE_PREVIOUS:--}"\n'
    )
    site.project.write("amplify/hooks/post-publish.sh", hook)
    out = site.publish().stdout
    first = released(out)
    assert f"[post-publish.sh] json {first} -" in out and f"[post-publish.sh] env {first} -" in out
    site.build(V2)
    out = site.publish().stdout
    second = released(out)
    assert f"[post-publish.sh] json {second} {first}" in out
    assert f"[post-publish.sh] env {second} {first}" in out


def test_publish_json_names_the_release_and_the_previous_one(site: ReleaseSite) -> None:
    from test_machine_output import document

    first = document(site.publish("--json"), "publish")
    assert first["release"]["previous"] == "" and first["counts"]["uploaded"] == 6
    site.build(V2)
    second = document(site.publish("--json"), "publish")
    assert second["release"] == {"id": site.live(), "previous": first["release"]["id"]}
    assert second["counts"] == {
        "uploaded": 1,
        "copied": 3,
        "deleted": 1,
        "unchanged": 1,
        "failed": 0,
    }
    assert second["bucket"] == site.bucket


def test_a_corrupt_manifest_is_not_believed(site: ReleaseSite) -> None:
    from amplify_tasks import aws
    from amplify_tasks.releases import manifest_key

    first = released(site.publish().stdout)
    aws.client("s3").put_object(Bucket=site.bucket, Key=manifest_key(first), Body=b"{not json")
    listed = site.run("hosting.releases", "--stage", "prod").stdout
    assert "(manifest not readable)" in listed
    site.emulator.reset_requests()
    second = released(site.publish().stdout)  # planned against a listing of the live tree
    copies = [w for w in site.writes() if w[1] == "CopyObject" and w[2].startswith("_r/")]
    assert len(copies) == 4  # every file of the tree, its headers set again
    assert site.manifest(second)["previous"] == first
    ok = site.run("hosting.verify", "--stage", "prod").stdout
    assert f"live release {second}: all 6 files present as published" in ok


def test_a_stage_without_cloudfront_publishes_in_place_whatever_releases_says(
    inv_project: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.env["HOSTING_RELEASES"] = "true"
    inv_project.add_stage("dev", unique_name("dev"), {"dist/index.html": "<h1>dev</h1>"})
    out = inv_project.run("publish", "--stage", "dev").stdout
    assert "HOSTING_RELEASES=true: ignored, stage dev has no CloudFront" in out
    assert "is live" not in out and re.search(r"uploaded +1\n", out)
    failed = inv_project.run("hosting.rollback", "--stage", "dev", "--yes", check=False)
    assert failed.returncode == 2
    assert "stage dev does not publish releases (it has no CloudFront)" in failed.stderr


def test_a_release_dropping_more_files_than_the_delete_limit_publishes_nothing(
    site: ReleaseSite,
) -> None:
    first = released(site.publish().stdout)
    site.build(V2)  # drops the lazy chunk
    site.emulator.reset_requests()
    failed = site.publish(check=False, HOSTING_MAX_DELETES="0")
    assert failed.returncode == 3
    (line,) = failed.stderr.strip().splitlines()
    assert f"the new release drops 1 files of live release {first}" in line
    assert "HOSTING_MAX_DELETES=1" in line and "nothing was published" in line
    assert site.writes() == [] and site.live() == first
