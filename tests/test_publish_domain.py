"""A custom domain from one setting, run as a user runs `inv`, against the emulator: a PROD
stage with a hosted zone made in the emulator, in us-east-1 (the certificate in the stage's
stack) and in eu-west-1 (in a companion stack in us-east-1); the records, certificate and
aliases read back through the APIs; a given certificate used and kept; each bad input one
line before anything changes; a failed validation naming its record and zone; remove taking
what it made and only that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from zones import add_record, imported_certificate, make_zone, records

from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings

FILES = {"dist/index.html": "<!doctype html><title>home</title>"}
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


def certificates() -> set[str]:
    acm = boto3.client("acm", region_name="us-east-1")
    return {c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]}


class Stage:
    """A PROD stage in a temp project, its zone ``zone`` (id ``zone_id``) in the emulator."""

    def __init__(self, project: Any, unique_name: Callable[[str], str], region: str) -> None:
        self.project = project
        self.zone = f"{unique_name('z')}.example"
        self.zone_id = make_zone(self.zone)
        self.region = region
        project.env.update(
            {
                "HOSTING_APP_NAME": unique_name("dom"),
                "AMPLIFY_TASKS_PROGRESS": "plain",
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
            }
        )
        for rel, text in FILES.items():
            project.write(rel, text)
        project.run("hosting.add", "--stage", "prod", "--yes")
        self.stack_name = load_settings(Project.at(project.root), "prod", project.env).stack_name

    def domain(self, names: str, **settings: str) -> None:
        self.project.env["HOSTING_DOMAIN_NAMES"] = names
        self.project.env.update(settings)

    def run(self, *args: str, check: bool = True) -> Any:
        return self.project.run(*args, "--stage", "prod", check=check)

    def fail(self, *args: str) -> str:
        """The one line a refused command prints (no traceback, non-zero exit)."""
        result = self.run(*args, check=False)
        assert result.returncode != 0, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert lines[0].startswith("error: ")
        return lines[0].removeprefix("error: ")

    def stack(self, name: str = "", region: str = "") -> dict[str, Any] | None:
        """The live stack ``name`` (the stage's by default), None when there is none."""
        from botocore.exceptions import ClientError

        cfn = boto3.client("cloudformation", region_name=region or self.region)
        try:
            found = cfn.describe_stacks(StackName=name or self.stack_name)["Stacks"]
        except ClientError as exc:
            assert "does not exist" in str(exc)
            return None
        return dict(found[0]) if found else None

    def outputs(self) -> dict[str, str]:
        stack = self.stack()
        assert stack is not None
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture
def east(inv_project: Any, unique_name: Callable[[str], str]) -> Stage:
    return Stage(inv_project, unique_name, "us-east-1")


@pytest.fixture
def west(inv_project: Any, unique_name: Callable[[str], str]) -> Stage:
    return Stage(inv_project, unique_name, "eu-west-1")


def site_row(published: str) -> str:
    """The summary's site URL."""
    rows = [line.split() for line in published.splitlines() if line.startswith("  site ")]
    assert len(rows) == 1, published
    return rows[0][1]


def check_domain_served(stage: Stage, names: list[str]) -> str:
    """The records, certificate and aliases of a published domain; the certificate's ARN."""
    outputs = stage.outputs()
    arn = outputs["CertificateArn"]
    assert arn.startswith("arn:aws:acm:us-east-1:")
    cert = boto3.client("acm", region_name="us-east-1").describe_certificate(CertificateArn=arn)
    assert cert["Certificate"]["Status"] == "ISSUED"
    assert sorted(cert["Certificate"]["SubjectAlternativeNames"]) == sorted(names)
    found = records(stage.zone_id)
    for name in names:
        for rtype in ("A", "AAAA"):
            alias = found[(f"{name}.", rtype)]["AliasTarget"]
            assert alias["HostedZoneId"] == CLOUDFRONT_ZONE
            assert alias["DNSName"] == outputs["CloudFrontDomainName"] + "."
    for option in cert["Certificate"]["DomainValidationOptions"]:
        assert (option["ResourceRecord"]["Name"], "CNAME") in found
    config = boto3.client("cloudfront").get_distribution(Id=outputs["CloudFrontDistributionID"])
    dist = config["Distribution"]["DistributionConfig"]
    assert sorted(dist["Aliases"]["Items"]) == sorted(names)
    viewer = dist["ViewerCertificate"]
    assert viewer["ACMCertificateArn"] == arn
    assert viewer["SSLSupportMethod"] == "sni-only"
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    return arn


def test_prod_in_us_east_1_gets_certificate_records_and_the_domain_url(east: Stage) -> None:
    add_record(east.zone_id, f"mail.{east.zone}", "TXT", '"not ours"')
    www = f"www.{east.zone}"
    east.domain(f"{www},{east.zone}", HOSTING_HOSTED_ZONE_ID=east.zone_id)
    published = east.run("publish").stdout
    assert "waiting for DNS validation record _" in published
    assert f"in hosted zone {east.zone} ({east.zone_id})" in published
    assert f"[smoke-test] GET https://{www} (at http://127.0.0.1:" in published
    assert site_row(published) == f"https://{www}"
    arn = check_domain_served(east, [www, east.zone])
    assert east.stack(f"{east.stack_name}-certificate", "us-east-1") is None

    status = east.run("hosting.status").stdout
    assert f"site URL          https://{www}" in status
    assert f"domain URLs       https://{www}, https://{east.zone}" in status
    assert "certificate       ISSUED, expires 2" in status and arn in status

    again = east.run("publish").stdout
    assert "no changes" in again

    removed = east.run("hosting.remove", "--yes").stdout
    assert "alias records" in removed
    left = records(east.zone_id)
    assert not [k for k in left if k[1] in {"A", "AAAA"}]
    assert (f"mail.{east.zone}.", "TXT") in left
    assert arn not in certificates()


def test_prod_in_eu_west_1_takes_the_certificate_from_a_companion_stack(west: Stage) -> None:
    www = f"www.{west.zone}"
    west.domain(www, HOSTING_HOSTED_ZONE=west.zone)
    published = west.run("publish").stdout
    companion = f"{west.stack_name}-certificate"
    assert f"certificate in us-east-1: stack {companion}" in published
    assert site_row(published) == f"https://{www}"
    arn = check_domain_served(west, [www])
    main = west.stack()
    assert main is not None
    assert {p["ParameterKey"]: p["ParameterValue"] for p in main["Parameters"]} == {
        "HostedZoneId": west.zone_id,
        "CertificateArn": arn,
    }
    side = west.stack(companion, "us-east-1")
    assert side is not None
    assert side["Outputs"][0]["OutputValue"] == arn

    west.run("hosting.remove", "--yes")
    assert west.stack() is None
    assert west.stack(companion, "us-east-1") is None
    assert arn not in certificates()
    assert not [k for k in records(west.zone_id) if k[1] in {"A", "AAAA"}]


def test_dropping_the_domain_retires_the_companion_stack(west: Stage) -> None:
    west.domain(f"www.{west.zone}", HOSTING_HOSTED_ZONE_ID=west.zone_id)
    west.run("publish")
    companion = f"{west.stack_name}-certificate"
    assert west.stack(companion, "us-east-1") is not None
    west.domain("", HOSTING_HOSTED_ZONE_ID="")
    dropped = west.run("publish").stdout
    assert f"stack {companion} deleted" in dropped
    assert west.stack(companion, "us-east-1") is None
    assert "CustomDomainURL" not in west.outputs()
    assert not [k for k in records(west.zone_id) if k[1] in {"A", "AAAA"}]
    assert "no changes" in west.run("publish").stdout


def test_a_given_certificate_is_used_and_never_removed(east: Stage) -> None:
    www = f"www.{east.zone}"
    given = imported_certificate(www)
    east.domain(www, HOSTING_HOSTED_ZONE_ID=east.zone_id, HOSTING_CERTIFICATE_ARN=given)
    east.run("publish")
    outputs = east.outputs()
    assert outputs["CertificateArn"] == given
    assert outputs["CustomDomainURL"] == f"https://{www}"
    assert (f"{www}.", "A") in records(east.zone_id)
    removed = east.run("hosting.remove", "--yes").stdout
    assert "the certificate it made" not in removed
    assert given in certificates()
    assert (f"{www}.", "A") not in records(east.zone_id)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_a_failed_validation_names_the_record_and_the_zone(
    inv_project: Any, unique_name: Callable[[str], str], region: str
) -> None:
    stage = Stage(inv_project, unique_name, region)
    add_record(stage.zone_id, stage.zone, "CAA", '0 issue "letsencrypt.org"')
    stage.domain(f"www.{stage.zone}", HOSTING_HOSTED_ZONE_ID=stage.zone_id)
    line = stage.fail("publish")
    assert "CAA_ERROR" in line
    assert "DNS validation used the record _" in line
    assert f"in hosted zone {stage.zone} ({stage.zone_id})" in line
    assert stage.stack() is None or stage.stack()["StackStatus"] == "ROLLBACK_COMPLETE"
    stage.run("hosting.remove", "--yes")
    assert stage.stack() is None
    assert stage.stack(f"{stage.stack_name}-certificate", "us-east-1") is None


@pytest.mark.parametrize(
    ("names", "settings", "expected"),
    [
        ("www.{zone},bad_name!", {"HOSTING_HOSTED_ZONE_ID": "{zone_id}"}, "not a domain name"),
        (
            "www.other.example",
            {"HOSTING_HOSTED_ZONE_ID": "{zone_id}"},
            "outside the hosted zone {zone}",
        ),
        (
            "www.other.example",
            {"HOSTING_HOSTED_ZONE": "{zone}"},
            "outside the hosted zone {zone}",
        ),
        ("a.*.{zone}", {"HOSTING_HOSTED_ZONE_ID": "{zone_id}"}, "whole first label"),
        ("www.{zone}", {"HOSTING_HOSTED_ZONE_ID": "ZNOSUCHZONE0000"}, "names no hosted zone"),
        ("www.no.{zone}", {"HOSTING_HOSTED_ZONE": "no.{zone}"}, "names no hosted zone"),
        ("www.{zone}", {"HOSTING_HOSTED_ZONE_ID": "not a zone"}, "not a Route 53 hosted zone"),
        (
            "www.{zone}",
            {"HOSTING_CLOUDFRONT": "false", "HOSTING_HOSTED_ZONE": "{zone}"},
            "CLOUDFRONT",
        ),
    ],
)
def test_bad_domain_settings_fail_in_one_line_before_any_change(
    east: Stage, names: str, settings: dict[str, str], expected: str
) -> None:
    fill = {"zone": east.zone, "zone_id": east.zone_id}
    east.domain(names.format(**fill), **{k: v.format(**fill) for k, v in settings.items()})
    line = east.fail("publish")
    assert expected.format(**fill) in line
    assert line.startswith(("HOSTING_DOMAIN_NAMES=", "HOSTING_HOSTED_ZONE"))
    assert east.stack() is None  # nothing was made


def test_a_wildcard_above_the_zone_is_refused(east: Stage) -> None:
    sub = f"shop.{east.zone}"
    sub_id = make_zone(sub)
    for setting in ({"HOSTING_HOSTED_ZONE": sub}, {"HOSTING_HOSTED_ZONE_ID": sub_id}):
        east.domain(f"*.{east.zone}", HOSTING_HOSTED_ZONE="", HOSTING_HOSTED_ZONE_ID="")
        east.project.env.update(setting)
        line = east.fail("publish")
        assert line.startswith("HOSTING_DOMAIN_NAMES=")
        assert f"a wildcard whose record would sit in {east.zone}, above the hosted zone {sub}" in (
            line
        )
    assert east.stack() is None


def test_a_private_zone_is_refused(east: Stage) -> None:
    private = f"private.{east.zone}"
    make_zone(private, private=True)
    east.domain(f"www.{private}", HOSTING_HOSTED_ZONE=private)
    line = east.fail("publish")
    assert line.startswith("HOSTING_HOSTED_ZONE=") and "private hosted zone" in line
    assert east.stack() is None
