"""The permissions table's products: the README's Permissions tables are exactly the
generator's text, and a stage's policy names only its own resources, with no wildcard action.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from amplify_tasks.permissions import (
    BEGIN,
    CALLS,
    END,
    StageResources,
    permissions_markdown,
    policy_document,
)

README = Path(__file__).resolve().parent.parent / "README.md"

FULL = StageResources(
    account="111122223333",
    region="eu-west-1",
    stack_name="shop-hosting-prod",
    bucket="shop-bucket",
    kvs_arn="arn:aws:cloudfront::111122223333:key-value-store/kvs-1",
    distribution_id="EDIST",
    function_arn="arn:aws:cloudfront::111122223333:function/shop-fn",
    cache_policy_id="cp-1",
    origin_access_id="oac-1",
    certificate_arn="arn:aws:acm:us-east-1:111122223333:certificate/c-1",
    hosted_zone_id="Z123",
)


def test_readme_permissions_tables_are_the_generated_ones() -> None:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README lost the permissions table markers"
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block.strip("\n") == permissions_markdown()


def test_a_full_stage_policy_has_no_wildcard_action_and_star_only_where_aws_needs_it() -> None:
    statements = policy_document(FULL)["Statement"]
    assert isinstance(statements, list)
    sids = [s["Sid"] for s in statements]
    assert len(sids) == len(set(sids))
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert all("*" not in action for action in statement["Action"]), statement
        resources = statement["Resource"]
        for arn in [resources] if isinstance(resources, str) else resources:
            if statement["Sid"] == "Any":
                assert arn == "*" and statement["Action"] == ["route53:ListHostedZonesByName"]
            elif statement["Sid"] == "Changes":
                assert arn == "arn:aws:route53:::change/*"
            else:
                assert any(
                    n in arn for n in ("shop", "EDIST", "kvs-1", "cp-1", "oac-1", "c-1", "Z123")
                ), arn
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["Stack"]["Resource"] == (
        "arn:aws:cloudformation:eu-west-1:111122223333:stack/shop-hosting-prod/*"
    )
    assert by_sid["Objects"]["Resource"] == "arn:aws:s3:::shop-bucket/*"
    assert "cloudfront:CreateInvalidation" in by_sid["Distribution"]["Action"]
    assert "cloudfront-keyvaluestore:UpdateKeys" in by_sid["Store"]["Action"]
    every = {a for s in statements for a in s["Action"]}
    assert {c.action for c in CALLS} <= every


def test_a_dev_stage_policy_names_its_stack_and_bucket_only() -> None:
    dev = StageResources("111122223333", "eu-west-1", "shop-hosting-dev", "shop-dev-bucket")
    statements = policy_document(dev)["Statement"]
    assert isinstance(statements, list)
    assert [s["Sid"] for s in statements] == ["Stack", "Bucket", "Objects"]
    actions = {a for s in statements for a in s["Action"]}
    assert not any(a.startswith(("cloudfront", "route53", "acm")) for a in actions)


def test_the_generator_command_writes_the_tables_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{BEGIN}\n| stale |\n{END}\nafter\n", encoding="utf-8")
    command = [sys.executable, "-m", "amplify_tasks.permissions", str(readme)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert readme.read_text(encoding="utf-8") == (
        f"# x\n{BEGIN}\n{permissions_markdown()}\n{END}\nafter\n"
    )
    readme.write_text("# no markers\n", encoding="utf-8")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stderr.startswith("error: the README lacks the markers")
    assert "Traceback" not in done.stderr and readme.read_text() == "# no markers\n"
