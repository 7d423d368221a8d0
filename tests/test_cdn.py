"""Invalidation paths (index folders, sibling merging, the /* cut-off) and the --wait poller."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_tasks.cdn import (
    caller_reference,
    invalidation_paths,
    wait_invalidation,
)
from amplify_tasks.errors import AwsError


def test_nothing_changed_means_no_paths() -> None:
    assert invalidation_paths([]) == []


def test_changed_keys_become_paths() -> None:
    assert invalidation_paths(["about.html", "css/site.css"]) == ["/about.html", "/css/site.css"]


def test_index_documents_also_invalidate_their_folder() -> None:
    assert invalidation_paths(["index.html", "docs/index.html"]) == [
        "/",
        "/docs/",
        "/docs/index.html",
        "/index.html",
    ]


def test_index_document_name_comes_from_the_setting() -> None:
    assert invalidation_paths(["a/home.htm"], index_document="home.htm") == ["/a/", "/a/home.htm"]


def test_many_siblings_merge_into_a_wildcard() -> None:
    keys = [f"blog/post-{i}.html" for i in range(6)] + ["about.html"]
    assert invalidation_paths(keys) == ["/about.html", "/blog/*"]


def test_a_wildcard_covers_deeper_paths() -> None:
    keys = [f"docs/p{i}.html" for i in range(5)] + ["docs/deep/x.css"]
    assert invalidation_paths(keys) == ["/docs/*"]


def test_wildcards_merge_upwards() -> None:
    keys = [f"a/b{j}/f{i}.js" for j in range(5) for i in range(5)]
    assert invalidation_paths(keys) == ["/a/*"]


def test_many_root_files_become_everything() -> None:
    assert invalidation_paths([f"f{i}.css" for i in range(5)]) == ["/*"]


def test_past_the_path_limit_everything_is_invalidated() -> None:
    keys = [f"d{i}/x.css" for i in range(20)]
    assert invalidation_paths(keys) == ["/*"]
    assert len(invalidation_paths(keys[:10])) == 10


def test_paths_are_url_encoded() -> None:
    assert invalidation_paths(["my page.html"]) == ["/my%20page.html"]


def test_caller_references_are_unique() -> None:
    assert len({caller_reference() for _ in range(100)}) == 100


class FakeCloudFront:
    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.calls = 0

    def get_invalidation(self, **kwargs: Any) -> dict[str, Any]:
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        return {"Invalidation": {"Id": kwargs["Id"], "Status": status}}


@pytest.mark.parametrize("final", ["Completed", "COMPLETED"])
def test_poller_accepts_both_spellings_of_completed(final: str) -> None:
    cf = FakeCloudFront(["InProgress", "InProgress", final])
    slept: list[float] = []
    assert wait_invalidation(cf, "D1", "I1", sleep=slept.append, interval=2) == final
    assert cf.calls == 3 and slept == [2, 2]


def test_poller_gives_up_with_a_hint() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    cf = FakeCloudFront(["InProgress"])
    with pytest.raises(AwsError, match="get-invalidation"):
        wait_invalidation(cf, "D1", "I1", timeout=10, interval=3, sleep=sleep, clock=lambda: now[0])


def make_distribution(cf: Any, origin: str) -> str:
    """A bare distribution on the emulator; its id."""
    return str(
        cf.create_distribution(
            DistributionConfig={
                "CallerReference": caller_reference(),
                "Comment": "test",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "o",
                            "DomainName": origin,
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "o",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                },
            }
        )["Distribution"]["Id"]
    )


def test_invalidation_on_the_emulator_one_call_then_wait(
    emulator: Any, aws_env: dict[str, str], unique_name: Any
) -> None:
    from amplify_tasks import aws
    from amplify_tasks.cdn import create_invalidation

    cf = aws.client("cloudfront")
    dist = make_distribution(cf, f"{unique_name('cdn')}.s3.amazonaws.com")
    paths = invalidation_paths(["index.html", "css/site.css"])
    emulator.reset_requests()
    first = create_invalidation(cf, dist, paths)
    second = create_invalidation(cf, dist, paths)  # a second publish: a new caller reference
    assert first != second
    calls = emulator.requests(service="cloudfront", operation="CreateInvalidation")
    assert len(calls) == 2
    slept: list[float] = []
    assert wait_invalidation(cf, dist, first, sleep=slept.append) in {"Completed", "COMPLETED"}
    got = cf.get_invalidation(DistributionId=dist, Id=first)["Invalidation"]
    assert sorted(got["InvalidationBatch"]["Paths"]["Items"]) == [
        "/",
        "/css/site.css",
        "/index.html",
    ]


def _publisher(tmp_path: Any, distribution_id: str, **options: Any) -> Any:
    from amplify_tasks.project import Project
    from amplify_tasks.publishing.options import PublishOptions
    from amplify_tasks.publishing.publisher import Publisher
    from amplify_tasks.settings.model import Settings
    from amplify_tasks.stack import StackOutputs
    from amplify_tasks.sync.execute import SyncResult
    from amplify_tasks.sync.plan import SyncPlan

    lines: list[str] = []
    p = Publisher(Project.at(tmp_path), PublishOptions(stage="prod", **options), out=lines.append)
    p.settings = Settings(stage="prod", app_name="a", stack_name="a-prod", cloudfront=True)
    p.outputs = StackOutputs(bucket="b", region="us-east-1", distribution_id=distribution_id)
    p.summary.plan = SyncPlan("b", (), ("gone.css",), 0, 256)
    p.summary.result = SyncResult(
        uploaded=["index.html", "docs/index.html"], copied=["a.css"], deleted=["gone.css"]
    )
    p.lines = lines
    return p


def test_publish_invalidates_changed_and_deleted_paths_with_c(
    emulator: Any, aws_env: dict[str, str], unique_name: Any, tmp_path: Any
) -> None:
    from amplify_tasks import aws

    cf = aws.client("cloudfront")
    dist = make_distribution(cf, f"{unique_name('pub')}.s3.amazonaws.com")
    p = _publisher(tmp_path, dist, invalidate=True, wait=True)
    p.invalidate()
    inv_id = p.summary.invalidation_id
    assert inv_id
    got = cf.get_invalidation(DistributionId=dist, Id=inv_id)["Invalidation"]
    assert sorted(got["InvalidationBatch"]["Paths"]["Items"]) == [
        "/",
        "/a.css",
        "/docs/",
        "/docs/index.html",
        "/gone.css",
        "/index.html",
    ]
    assert any(line.endswith("COMPLETED") or line.endswith("Completed") for line in p.lines)


def test_without_c_a_stage_with_cloudfront_gets_a_note(tmp_path: Any) -> None:
    p = _publisher(tmp_path, "E123")
    p.invalidate()
    assert not p.summary.invalidation_id
    assert any("publish with -c" in note for note in p.summary.notes)
