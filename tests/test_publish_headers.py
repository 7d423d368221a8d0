"""Headers converge, through `inv publish` on the emulator: after publishes that fail part-way
under changing header rules, the next complete publish leaves every object with the headers
the current rules give; the header record never claims more than it knows; the rerun after a
failed first publish copies nothing; the no-change publish reads no more than before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_publish import Site, new_site

from amplify_tasks import aws
from amplify_tasks.sync import LOCK_KEY, MANIFEST_KEY
from amplify_tasks.sync.content import HeaderRules

CSS_RULE = {"glob": "*.css", "cache_control": "public, max-age=600"}


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    return new_site(inv_project, emulator, unique_name)


def use_rules(site: Site, *rules: dict[str, str]) -> None:
    """The project's header rules (invoke config hosting.headers, in invoke.yaml)."""
    lines = ["hosting:", "  headers:"] + [
        "    - {" + ", ".join(f'{k}: "{v}"' for k, v in rule.items()) + "}" for rule in rules
    ]
    site.project.write("invoke.yaml", "\n".join(lines) + "\n" if rules else "hosting: {}\n")


def add_css(site: Site) -> list[str]:
    keys = [f"css/part{i}.css" for i in range(6)]
    for key in keys:
        site.project.write(f"dist/{key}", f".p{key[-5]} {{ color: red }}")
    return keys


def headers_everywhere(site: Site, *rules: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Every site object whose Content-Type or Cache-Control is not what ``rules`` give it."""
    expected = HeaderRules.from_config(list(rules))
    s3 = aws.client("s3")
    wrong = {}
    for key in site.objects():
        if key.startswith(".amplify-tasks/"):
            continue
        head = s3.head_object(Bucket=site.bucket, Key=key)
        got = (head["ContentType"], head["CacheControl"])
        if got != expected.headers_for(key):
            wrong[key] = got
    return wrong


def copies(site: Site) -> list[str]:
    return site.s3_ops("CopyObject")


def test_a_rule_added_then_removed_after_a_failed_publish_converges(site: Site) -> None:
    keys = add_css(site)
    site.publish()
    use_rules(site, CSS_RULE)
    # the rule's header fixes fail part-way: some CSS objects get the rule's header
    site.emulator.inject_fault(
        403, method="PUT", path_regex=r"/css/part5\.css", code="AccessDenied"
    )
    failed = site.publish(check=False)
    assert failed.returncode != 0 and "part5.css" in failed.stderr
    css = {"css/site.css", *keys}
    assert set(headers_everywhere(site)) == css - {"css/part5.css"}  # these got the rule
    use_rules(site)  # the rule is removed again
    site.emulator.reset_requests()
    out = site.publish().stdout
    assert headers_everywhere(site) == {}
    # the objects that got the rule, and the one whose copy failed: the record could not
    # vouch for its headers; nothing else
    assert set(copies(site)) == css and f"headers fixed  {len(css)}" in out
    site.emulator.reset_requests()
    again = site.publish().stdout
    assert copies(site) == [] and "headers fixed  0" in again


def test_rules_changed_twice_across_failures_end_as_the_last_rules(site: Site) -> None:
    add_css(site)
    site.publish()
    other = {"glob": "css/part1.css", "cache_control": "no-store", "content_type": "text/plain"}
    for rules, fault in (((CSS_RULE,), r"/css/part4\.css"), ((other,), r"/css/part2\.css")):
        use_rules(site, *rules)
        site.emulator.inject_fault(403, method="PUT", path_regex=fault, code="AccessDenied")
        assert site.publish(check=False).returncode != 0
    use_rules(site, other)
    site.publish()
    assert headers_everywhere(site, other) == {}
    site.emulator.reset_requests()
    assert "headers fixed  0" in site.publish().stdout and copies(site) == []


def test_the_rerun_of_a_failed_first_publish_copies_nothing(site: Site) -> None:
    add_css(site)
    site.emulator.inject_fault(
        403, method="PUT", path_regex=r"^/[^/]+/index\.html$", code="AccessDenied"
    )  # the root index goes last: everything else is uploaded first
    assert site.publish(check=False).returncode != 0
    assert "css/part0.css" in site.objects() and "index.html" not in site.objects()
    site.emulator.reset_requests()
    out = site.publish().stdout
    assert copies(site) == []
    assert sorted(site.s3_ops("PutObject")) == sorted(["index.html", LOCK_KEY])
    assert "uploaded       1" in out and headers_everywhere(site) == {}


def test_the_no_change_publish_reads_the_listing_only(site: Site) -> None:
    use_rules(site, CSS_RULE)
    site.publish()
    site.emulator.reset_requests()
    site.publish()
    reads: dict[str, Any] = {}
    for record in site.emulator.requests(service="s3"):
        if record["bucket"] == site.bucket:
            reads.setdefault(record["operation"], []).append(record["key"])
    # the listing page and the one-key request (with the record's ETag); the lock, taken and
    # released; nothing else: no GET of the record, no write of it
    assert reads == {
        "ListObjectsV2": [None, None],
        "PutObject": [LOCK_KEY],
        "DeleteObject": [LOCK_KEY],
    }
    assert MANIFEST_KEY in site.objects()
