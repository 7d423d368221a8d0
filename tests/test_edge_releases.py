"""The viewer-request function of a PROD stage routing to the live release, over real HTTP
through the emulator's distribution preview: stacks made from the stage's rendered template
(its function, key value store, bucket policy and error responses), release trees, pool
assets and error-page copies put into the bucket directly, and the ``live`` pointer and
folder keys written through the key value store's data plane, as publish writes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from edge_stacks import emulator_environment, get, kvs_client, put

from amplify_tasks.local import control
from amplify_tasks.project import Project
from amplify_tasks.releases import Pointer, folder_key, manifest_key, release_key
from amplify_tasks.settings import build_settings
from amplify_tasks.templates import error_page_keys
from amplify_tasks.templates.rendering import function_code, render, response_code

A = "20261202-101500-aaaa"
B = "20261202-111500-bbbb"
POOL_A = "assets/index-BxJ7kQ2a.js"  # referred to by release A
POOL_B = "assets/index-Ck2pQr9z.js"  # referred to by release B

RELEASES = {
    A: {
        "index.html": b"A home",
        "docs/index.html": b"A docs",
        "v1.2/index.html": b"A v1.2",
        "about.html": b"A about",
        "LICENSE": b"A license",
        "404.html": b"A not found",
    },
    B: {
        "index.html": b"B home",
        "guide/index.html": b"B guide",
        "about.html": b"B about",
        "404.html": b"B not found",
    },
}
FOLDERS = {A: ["/docs", "/v1.2"], B: ["/guide"]}
#: What an in-place publish left at the root before the first release.
IN_PLACE = {"index.html": b"in place home", "about.html": b"in place about"}


@dataclass
class Stage:
    """A deployed stage: its bucket, store, preview URL and the store's data plane client."""

    bucket: str
    store_arn: str
    distribution_id: str
    url: str
    kvs: Any

    def put_keys(self, puts: dict[str, str], deletes: tuple[str, ...] = ()) -> None:
        etag = self.kvs.describe_key_value_store(KvsARN=self.store_arn)["ETag"]
        self.kvs.update_keys(
            KvsARN=self.store_arn,
            IfMatch=etag,
            Puts=[{"Key": k, "Value": v} for k, v in puts.items()],
            Deletes=[{"Key": k} for k in deletes],
        )

    def point(self, release: str | None, dotted: bool = False) -> None:
        """Move the ``live`` pointer (None: delete it)."""
        if release is None:
            self.put_keys({}, ("live",))
        else:
            self.put_keys({"live": Pointer(release, dotted).value()})


def deploy_stage(emulator: control.Emulator, tmp: Path, extra: dict[str, str]) -> Stage:
    """A PROD stage's stack created from its rendered template with a plain create_stack."""
    app = f"rel-{uuid.uuid4().hex[:8]}"
    settings = build_settings(
        "prod", {"HOSTING_APP_NAME": app, "HOSTING_CLOUDFRONT": "true", **extra}
    )
    (tmp / "tasks.py").write_text("")
    template = render(Project.at(tmp), settings)
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName=settings.stack_name, TemplateBody=template)
    (stack,) = cfn.describe_stacks(StackName=settings.stack_name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    distribution = out["CloudFrontDistributionID"]
    return Stage(
        bucket=out["HostingBucketName"],
        store_arn=out["CloudFrontKeyValueStoreARN"],
        distribution_id=distribution,
        url=emulator.preview_url(distribution),
        kvs=kvs_client(emulator),
    )


def fill(stage: Stage, pages: tuple[str, ...]) -> None:
    """Both releases, the pool, the in-place leftovers, the root error-page copies of A and a
    manifest, as publish leaves them with A live."""
    for release, files in RELEASES.items():
        for path, body in files.items():
            put(stage.bucket, release_key(release, path), body)
        put(stage.bucket, manifest_key(release), b'{"files": {}}', "application/json")
    put(stage.bucket, POOL_A, b"pool A", "text/javascript")
    put(stage.bucket, POOL_B, b"pool B", "text/javascript")
    for path, body in IN_PLACE.items():
        put(stage.bucket, path, body)
    for page in pages:
        put(stage.bucket, page, b"root copy of " + RELEASES[A].get(page, b"?"))
    stage.put_keys({folder_key(r, f): "1" for r, folders in FOLDERS.items() for f in folders})


@pytest.fixture(scope="module")
def aws(emulator: control.Emulator) -> Iterator[None]:
    with emulator_environment(emulator):
        yield


@pytest.fixture(scope="module")
def stage(emulator: control.Emulator, aws: None, tmp_path_factory: Any) -> Stage:
    """A stage with 404.html as its error document, A and B in the bucket, A live."""
    made = deploy_stage(
        emulator, tmp_path_factory.mktemp("stage"), {"HOSTING_ERROR_DOCUMENT": "404.html"}
    )
    fill(made, ("404.html",))
    made.point(A)
    return made


@pytest.fixture
def live_a(stage: Stage) -> Iterator[Stage]:
    """The stage with A live again after the test, whatever the test moved."""
    yield stage
    stage.point(A)


def body(stage: Stage, path: str) -> tuple[int, bytes]:
    status, _, content = get(stage.url, path)
    return status, content


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", b"A home"),
        ("/index.html", b"A home"),
        ("/docs/", b"A docs"),
        ("/v1.2/", b"A v1.2"),
        ("/about.html", b"A about"),
        ("/LICENSE", b"A license"),
        ("/404.html", b"A not found"),
        (f"/{POOL_A}", b"pool A"),
        (f"/{POOL_B}", b"pool B"),
    ],
)
def test_the_live_release_is_served(stage: Stage, path: str, expected: bytes) -> None:
    assert body(stage, path) == (200, expected)


def test_moving_the_pointer_switches_the_site_at_once(live_a: Stage) -> None:
    assert body(live_a, "/about.html") == (200, b"A about")
    live_a.point(B)
    assert body(live_a, "/") == (200, b"B home")
    assert body(live_a, "/about.html") == (200, b"B about")
    assert body(live_a, "/guide/") == (200, b"B guide")
    # the pool is shared: an old tab's asset keeps loading under the new release
    assert body(live_a, f"/{POOL_A}") == (200, b"pool A")
    assert body(live_a, f"/{POOL_B}") == (200, b"pool B")
    live_a.point(A)
    assert body(live_a, "/about.html") == (200, b"A about")


def test_a_folder_without_slash_redirects_by_the_live_release_s_folders(live_a: Stage) -> None:
    status, headers, _ = get(live_a.url, "/docs?tab=api&q=a%20b")
    assert (status, headers.get("location")) == (302, "/docs/?tab=api&q=a%20b")
    assert get(live_a.url, "/guide")[0] == 404  # a folder of B only
    live_a.point(B)
    status, headers, _ = get(live_a.url, "/guide")
    assert (status, headers.get("location")) == (302, "/guide/")
    assert get(live_a.url, "/docs")[0] == 404


def test_a_dotted_folder_is_looked_up_only_when_the_pointer_says_so(live_a: Stage) -> None:
    # A has the folder v1.2: its pointer says d=1 when publish writes it
    live_a.point(A, dotted=True)
    status, headers, _ = get(live_a.url, "/v1.2")
    assert (status, headers.get("location")) == (302, "/v1.2/")
    # d=0: a dotted name is a file, the store is not asked
    live_a.point(A, dotted=False)
    assert get(live_a.url, "/v1.2")[0] == 404


def test_a_missing_page_gets_the_root_copy_of_the_error_page(stage: Stage) -> None:
    assert body(stage, "/nope") == (404, b"root copy of A not found")
    assert body(stage, "/docs/nope.html") == (404, b"root copy of A not found")


PRIVATE = [
    f"/_r/{A}/index.html",
    f"/%5Fr/{A}/index.html",
    f"/%5fr/{A}/about.html",
    f"//_r/{A}/index.html",
    f"/_r%2F{A}%2Findex.html",
    f"/{manifest_key(A)}",
    f"/%2Eamplify-tasks/releases/{A}.json",
    f"/.amplify-tasks%2Freleases%2F{A}.json",
    "/.amplify-tasks/",
    "/_r/",
]


@pytest.mark.parametrize("path", PRIVATE)
def test_releases_and_the_tool_s_state_are_404_from_outside(live_a: Stage, path: str) -> None:
    for release in (A, None):  # with a live release and without one
        live_a.point(release)
        status, content = body(live_a, path)
        assert status == 404, (release, path)
        assert b"A " not in content and b"files" not in content, (release, path)


@pytest.mark.parametrize(
    "value", [None, "not json", '{"r": "../x"}', '{"d": 1}', '"20261202-101500-aaaa"']
)
def test_without_a_readable_pointer_the_root_is_served_as_before(
    live_a: Stage, value: str | None
) -> None:
    if value is None:
        live_a.point(None)
    else:
        live_a.put_keys({"live": value})
    assert body(live_a, "/") == (200, b"in place home")
    assert body(live_a, "/about.html") == (200, b"in place about")
    assert body(live_a, f"/{POOL_A}") == (200, b"pool A")


def test_the_bucket_policy_keeps_the_state_from_the_distribution(stage: Stage) -> None:
    """The deployed policy as the emulator's evaluator reads it, for the distribution behind
    OAC: release trees and the pool are readable, the tool's state never is (even if
    the request carried the stack's own account), and it may list for 404s."""
    from amplify_tasks.local import policy

    document = boto3.client("s3").get_bucket_policy(Bucket=stage.bucket)["Policy"]
    account = stage.store_arn.split(":")[4]
    source = f"arn:aws:cloudfront::{account}:distribution/{stage.distribution_id}"
    context = {"aws:SourceArn": source, "aws:SourceAccount": account, "aws:SecureTransport": "true"}
    arn = f"arn:aws:s3:::{stage.bucket}"
    for extra in ({}, {"aws:PrincipalAccount": account}):
        cloudfront = policy.Principal("cloudfront.amazonaws.com", context={**context, **extra})

        def decide(action: str, resource: str, who: policy.Principal = cloudfront) -> str:
            return policy.evaluate(document, who, action, resource)

        assert decide("s3:GetObject", f"{arn}/{release_key(A, 'index.html')}") == policy.ALLOW
        assert decide("s3:GetObject", f"{arn}/{POOL_A}") == policy.ALLOW
        assert decide("s3:GetObject", f"{arn}/{manifest_key(A)}") == policy.DENY
        assert decide("s3:GetObject", f"{arn}/.amplify-tasks/lock.json") == policy.DENY
        assert decide("s3:ListBucket", arn) == policy.ALLOW
    another = {**context, "aws:SourceArn": source + "0"}  # another distribution
    other = policy.Principal("cloudfront.amazonaws.com", context=another)
    assert policy.evaluate(document, other, "s3:GetObject", f"{arn}/{POOL_A}") != policy.ALLOW


@pytest.fixture(scope="module")
def spa(emulator: control.Emulator, aws: None, tmp_path_factory: Any) -> Stage:
    made = deploy_stage(emulator, tmp_path_factory.mktemp("spa"), {"HOSTING_SPA": "true"})
    assert error_page_keys(build_settings("prod", {"HOSTING_SPA": "true"})) == ("index.html",)
    fill(made, ("index.html",))
    made.point(A)
    return made


def test_a_single_page_app_s_route_gets_the_root_copy_of_its_index(spa: Stage) -> None:
    assert body(spa, "/") == (200, b"A home")  # the release's own index
    assert body(spa, "/some/route") == (200, b"root copy of A home")
    assert body(spa, f"/{POOL_B}") == (200, b"pool B")


@pytest.mark.parametrize("index", ["index.html", "i" * 1019 + ".html"])  # S3's longest key
def test_the_function_fits_cloudfront_s_size_limit(index: str) -> None:
    from amplify_tasks.local.function_store import FUNCTION_MAX_BYTES

    for spa in ("false", "true"):
        settings = build_settings(
            "prod",
            {
                "HOSTING_APP_NAME": "site",
                "HOSTING_CLOUDFRONT": "true",
                "HOSTING_SPA": spa,
                "HOSTING_INDEX_DOCUMENT": index,
            },
        )
        project = Project.at(Path(__file__).parent.parent)
        for made in (function_code(project, settings), response_code(project, settings)):
            code = made.encode()
            # the rules evaluator and the preview selection included, still a KB to spare
            assert len(code) <= FUNCTION_MAX_BYTES - 1024, len(code)


@pytest.mark.parametrize(
    ("path", "calls"),
    [
        # the viewer-response function (the release's _headers) reads the pointer again on
        # a response from the origin: a release without rules costs it no other read
        (f"/{POOL_A}", [("get", "live"), ("get", "live")]),
        ("/docs/", [("get", "live"), ("get", "live")]),
        ("/about.html", [("get", "live"), ("get", "live")]),
        ("/LICENSE", [("get", "live"), ("exists", f"{A}:d:/LICENSE"), ("get", "live")]),
        ("/docs", [("get", "live"), ("exists", f"{A}:d:/docs")]),  # redirected: no response fn
        (f"/_r/{A}/index.html", []),
    ],
)
def test_a_request_reads_the_store_as_little_as_it_can(
    emulator: control.Emulator, stage: Stage, path: str, calls: list[tuple[str, str]]
) -> None:
    emulator.reset_requests()
    get(stage.url, path)
    made = emulator.requests("cloudfront-functions")
    assert [(c["operation"], c["key"]) for c in made] == calls
