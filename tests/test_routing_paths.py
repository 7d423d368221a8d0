"""Path facts from a bucket's keys (amplify_tasks.routing): the folders with an index
document, the store's entries and size, the update that brings a store to them, and the
facts of a sync plan.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from amplify_tasks.errors import SyncError
from amplify_tasks.routing import path_facts, store_update
from amplify_tasks.routing.paths import KEY_MAX_BYTES, SITE_KEY
from amplify_tasks.sync import RemoteObject, SyncPlan

KEYS = [
    "index.html",
    "docs/index.html",
    "docs/guide/index.html",
    "v1.2/index.html",
    "app.3f2a.js",
    "LICENSE",
    ".well-known/apple-app-site-association",
    "assets/logo.png",
    ".amplify-tasks/manifest.json",
]


def test_folders_with_an_index_document_nested_and_dotted() -> None:
    facts = path_facts(KEYS, "index.html", ".amplify-tasks/")
    assert facts.folders == {"/docs", "/docs/guide", "/v1.2"}
    assert facts.dotted is True


def test_the_index_document_name_is_the_setting_s() -> None:
    facts = path_facts(["docs/index.html", "blog/home.htm"], "home.htm")
    assert facts.folders == {"/blog"}
    assert facts.dotted is False


def test_a_folder_that_is_also_a_file_is_served_as_the_file() -> None:
    # the S3 website serves the object `docs` for /docs: no redirect to /docs/
    facts = path_facts(["docs", "docs/index.html", "a/index.html"], "index.html")
    assert facts.folders == {"/a"}


def test_the_root_and_empty_segments_are_no_folders() -> None:
    facts = path_facts(["index.html", "a//index.html"], "index.html")
    assert facts.folders == frozenset()


def test_reserved_keys_are_not_the_site_s() -> None:
    facts = path_facts([".amplify-tasks/x/index.html"], "index.html", ".amplify-tasks/")
    assert facts.folders == frozenset()


def test_entries_are_one_key_per_folder_and_the_site_meta() -> None:
    entries = path_facts(KEYS, "index.html", ".amplify-tasks/").entries()
    assert set(entries) == {"d:/docs", "d:/docs/guide", "d:/v1.2", SITE_KEY}
    assert json.loads(entries[SITE_KEY]) == {"d": True, "v": 1}
    facts = path_facts(KEYS, "index.html", ".amplify-tasks/")
    assert facts.size() == sum(len(k) + len(v) for k, v in entries.items())


def test_a_folder_whose_key_passes_512_bytes_is_left_out() -> None:
    longest = "x" * (KEY_MAX_BYTES - 3)  # "d:/" + name is exactly 512 bytes
    facts = path_facts([f"{longest}/index.html", f"{longest}y/index.html"], "index.html")
    assert facts.folders == {"/" + longest}
    assert facts.too_long == ("/" + longest + "y",)


def test_equal_facts_equal_digests() -> None:
    one = path_facts(["b/index.html", "a/index.html"], "index.html")
    two = path_facts(["a/index.html", "b/index.html", "c.css"], "index.html")
    three = path_facts(["a/index.html"], "index.html")
    assert one.digest() == two.digest() != three.digest()


def test_the_update_puts_what_is_new_and_deletes_what_is_stale() -> None:
    current = {"d:/old": "1", "d:/docs": "1", SITE_KEY: '{"d":false,"v":1}'}
    wanted = {"d:/docs": "1", "d:/new": "1", SITE_KEY: '{"d":true,"v":1}'}
    update = store_update(current, wanted)
    assert update.puts == (("d:/new", "1"), (SITE_KEY, '{"d":true,"v":1}'))
    assert update.deletes == ("d:/old",)
    assert store_update(wanted, wanted).empty


def test_batches_hold_at_most_the_limit_and_the_site_key_comes_last() -> None:
    wanted = {f"d:/f{i:03}": "1" for i in range(120)} | {SITE_KEY: "{}"}
    current = {f"d:/old{i}": "1" for i in range(5)}
    batches = store_update(current, wanted).batches(50)
    assert [len(p) + len(d) for p, d in batches] == [50, 50, 26]
    assert batches[-1][0][-1] == (SITE_KEY, "{}")
    assert [k for _, d in batches for k in d] == [f"d:/old{i}" for i in range(5)]
    assert all(SITE_KEY not in dict(p) for p, _ in batches[:-1])


def test_a_site_whose_folders_pass_the_store_s_5_mb_is_refused(monkeypatch: Any) -> None:
    from amplify_tasks.routing import paths, publish

    plan = SyncPlan(
        bucket="b", changes=(), deletes=("gone/index.html",), unchanged=0, max_deletes=9
    )
    listing = {k: RemoteObject(k, 1, "e") for k in ("a/index.html", "gone/index.html")}
    assert publish.plan_facts(plan, listing, "index.html").folders == {"/a"}
    monkeypatch.setattr(paths, "STORE_MAX_BYTES", 20)  # read by plan_facts when it runs
    with pytest.raises(SyncError, match=r"more than a CloudFront key value store holds \(20\)"):
        publish.plan_facts(plan, listing, "index.html")
