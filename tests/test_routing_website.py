"""The site's rules on a DEV stage, over HTTP on the emulator's website preview: the
emulator answers WebsiteRedirectLocation and RoutingRules as S3 documents them, and the
rules of a `_redirects` file applied to a bucket (redirect objects, routing rules) behave
as written; what the S3 website cannot do is one warning per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from stacks import website_template
from test_local_cfn import create_stack
from test_local_previews import fetch, upload_site

from amplify_tasks.local import control
from amplify_tasks.routing import RulesError, SiteRules, parse_headers, parse_redirects
from amplify_tasks.routing.website import website_rules
from amplify_tasks.routing.website_publish import (
    REDIRECTS_STATE_KEY,
    apply_website,
    recorded_redirects,
    without_redirect_objects,
)


@pytest.fixture
def website(
    emulator: control.Emulator, aws_env: dict[str, str], unique_name: Callable[[], str]
) -> tuple[str, str]:
    stack, bucket = unique_name(), unique_name()
    outputs = create_stack(stack, website_template(bucket))
    upload_site(bucket)
    return bucket, outputs["WebsiteURL"]


def test_the_emulator_follows_routing_rules_as_s3_documents(website: tuple[str, str]) -> None:
    bucket, url = website
    s3 = boto3.client("s3")
    current = s3.get_bucket_website(Bucket=bucket)
    rules = [
        {
            "Condition": {"KeyPrefixEquals": "blog/"},
            "Redirect": {"ReplaceKeyPrefixWith": "posts/", "HttpRedirectCode": "302"},
        },
        {
            "Condition": {"KeyPrefixEquals": "ext/"},
            "Redirect": {"HostName": "example.com", "Protocol": "https", "ReplaceKeyWith": "x"},
        },
        {
            "Condition": {"HttpErrorCodeReturnedEquals": "404", "KeyPrefixEquals": "gone/"},
            "Redirect": {"ReplaceKeyWith": "index.html"},
        },
    ]
    config = {"IndexDocument": current["IndexDocument"], "RoutingRules": rules}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)  # type: ignore[typeddict-item]
    status, headers, _ = fetch(url, "/blog/a/b")
    assert (status, headers["Location"]) == (302, "/posts/a/b")
    status, headers, _ = fetch(url, "/ext/anything")
    assert (status, headers["Location"]) == (301, "https://example.com/x")
    status, headers, _ = fetch(url, "/gone/page")
    assert (status, headers["Location"]) == (301, "/index.html")
    assert fetch(url, "/docs/")[0] == 200  # no rule: served as before
    s3.put_object(Bucket=bucket, Key="old", Body=b"", WebsiteRedirectLocation="/docs/")
    status, headers, _ = fetch(url, "/old")
    assert (status, headers["Location"]) == (301, "/docs/")


REDIRECTS = """\
/old            /docs/
/found          /index.html      302
/index.html     /nope
/blog/*         /posts/:splat    302
/v1/*           /v2/
/ext/*          https://example.com/docs/:splat
/app/*          /index.html      200
/news/:year     /archive/:year
/gone/*         /404.html        404
"""


def test_a_redirects_file_is_applied_to_the_bucket_website(website: tuple[str, str]) -> None:
    bucket, url = website
    s3 = boto3.client("s3")
    blocks, _ = parse_headers("/*\n  X-Frame-Options: DENY\n")
    redirects, problems = parse_redirects(REDIRECTS)
    assert problems == []
    site = SiteRules(tuple(redirects), tuple(blocks))
    files = ["index.html", "docs/index.html", "404.html", "app.3f2a.js"]
    planned = website_rules(site, files, index_document="index.html", clean_urls=True)
    assert planned.objects == {"old": "/docs/", "found": "/index.html"}
    assert len(planned.routing_rules) == 3
    assert planned.warnings == (
        "1 redirect(s) of a path that is a file (line 3): the file is served (a file of the "
        "site has that path, and an object is either); not applied on this stage",
        "1 rewrite (200) rule(s) (line 7): needs a CloudFront stage (the S3 website cannot "
        "serve another path's content); not applied on this stage",
        "1 placeholder rule(s) (line 8): needs a CloudFront stage (S3 routing rules match and "
        "replace a key prefix only); not applied on this stage",
        "1 404 rule(s) (line 9): needs a CloudFront stage (the S3 website has one error "
        "document for the whole site); not applied on this stage",
        "1 _headers block(s) (line 1): needs a CloudFront stage (the S3 website sets no "
        "response headers of the site's own); not applied on this stage",
        "HOSTING_CLEAN_URLS needs a CloudFront stage (the S3 website serves keys as they "
        "are): not applied",
    )
    dry = apply_website(s3, bucket, planned, dry_run=True)
    assert dry.put == ["found", "old"] and recorded_redirects(s3, bucket) == {}
    done = apply_website(s3, bucket, planned)
    assert done.put == ["found", "old"] and done.routing_rules_changed
    expect = {
        "/old": (301, "/docs/"),
        "/found": (301, "/index.html"),  # an object redirect is always a 301 on S3
        "/blog/2024/post": (302, "/posts/2024/post"),
        "/v1/anything": (301, "/v2/"),
        "/ext/a/b": (301, "https://example.com/docs/a/b"),
    }
    for path, (status, location) in expect.items():
        got, headers, _ = fetch(url, path)
        assert (got, headers.get("Location")) == (status, location), path
    assert fetch(url, "/index.html")[0] == 200  # the file, not the redirect
    assert fetch(url, "/docs/")[0] == 200  # index and error documents kept
    assert fetch(url, "/missing")[0] == 404

    again = apply_website(s3, bucket, planned)
    assert (again.put, again.deleted, again.routing_rules_changed) == ([], [], False)

    fewer, _ = parse_redirects("/found /docs/ 301\n")
    replanned = website_rules(SiteRules(tuple(fewer)), files, index_document="index.html")
    changed = apply_website(s3, bucket, replanned)
    assert (changed.put, changed.deleted) == (["found"], ["old"])
    assert fetch(url, "/old")[0] == 404
    assert fetch(url, "/found")[1]["Location"] == "/docs/"
    assert fetch(url, "/blog/x")[0] == 404  # the routing rules are gone
    listing = {k: object() for k in ("index.html", "found", REDIRECTS_STATE_KEY)}
    kept = without_redirect_objects(listing, recorded_redirects(s3, bucket))  # type: ignore[arg-type]
    assert sorted(kept) == [REDIRECTS_STATE_KEY, "index.html"]


def test_more_prefix_redirects_than_s3_holds_are_refused() -> None:
    lines = "\n".join(f"/p{i}/* /q{i}/:splat" for i in range(51))
    redirects, _ = parse_redirects(lines)
    with pytest.raises(RulesError) as caught:
        website_rules(SiteRules(tuple(redirects)), [], index_document="index.html")
    assert str(caught.value).startswith(
        "_redirects: 51 prefix redirects need as many S3 routing rules, over the 50 a bucket "
        "website holds"
    )


def test_routes_given_the_project_apply_the_rules_around_a_sync(
    inv_project: Any, unique_name: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The publish step as `inv publish` is to call it (Routes given the project, the sync
    planned from its listing): redirect objects survive the next sync, a removed redirect
    goes, the warnings are printed."""
    from concurrent.futures import ThreadPoolExecutor

    from amplify_tasks.project import Project
    from amplify_tasks.publishing.options import PublishOptions
    from amplify_tasks.publishing.routes import Routes
    from amplify_tasks.settings import load_settings
    from amplify_tasks.stack import stack_outputs
    from amplify_tasks.sync import HeaderRules, list_remote, load_ignore_spec, plan_sync, run_plan

    inv_project.add_stage("dev", unique_name("rw"), {"dist/index.html": "<h1>home</h1>"})
    inv_project.run("publish", "--stage", "dev", "--yes")
    inv_project.write(
        "dist/_redirects", "/old /index.html\n/blog/* /posts/:splat 302\n/* /index.html 200\n"
    )
    for name, value in inv_project.env.items():
        monkeypatch.setenv(name, value)
    project = Project.at(inv_project.root)
    settings = load_settings(project, "dev")
    outputs = stack_outputs(boto3.client("cloudformation"), settings.stack_name, "dev")
    s3 = boto3.client("s3")
    ignore = load_ignore_spec(project.root, settings).match_file

    def publish_once() -> list[str]:
        lines: list[str] = []
        with ThreadPoolExecutor(4) as pool:
            listing = pool.submit(list_remote, s3, outputs.bucket)
            routes = Routes(
                settings,
                PublishOptions(stage="dev"),
                outputs,
                listing,
                lines.append,
                project=project,
            )
            plan = plan_sync(
                s3,
                outputs.bucket,
                project.root / "dist",
                pool,
                rules=HeaderRules.from_config([]),
                ignore=ignore,
                listing=routes.sync_listing(s3),
            )
            assert plan.deletes == ()
            routes.plan(plan, s3)
            routes.write(run_plan(plan, s3, pool), s3)
        return lines

    lines = publish_once()
    assert lines[0].startswith("1 rewrite (200) rule(s) (line 3): needs a CloudFront stage")
    assert (
        lines[-1]
        == "website redirects: did put 1 redirect object(s), delete 0; 1 routing rule(s) (changed)"
    )
    url = outputs.website_url
    assert fetch(url, "/old")[1]["Location"] == "/index.html"
    assert fetch(url, "/blog/a")[1]["Location"] == "/posts/a"
    assert publish_once()[1:] == []  # nothing deleted, nothing put again
    assert fetch(url, "/old")[0] == 301
    inv_project.write("dist/_redirects", "/blog/* /posts/:splat 302\n")
    assert publish_once()[-1].startswith(
        "website redirects: did put 0 redirect object(s), delete 1"
    )
    assert fetch(url, "/old")[0] == 404
