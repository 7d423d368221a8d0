"""Rendered templates of a custom domain with a hosted zone: cfn-lint over every shape (zone by
id or by name, with and without a certificate ARN, wildcard names, the companion stack), and
what they hold: the certificate, the alias records, the parameters and outputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from amplify_tasks.project import Project
from amplify_tasks.settings import Settings, build_settings
from amplify_tasks.templates import companion
from amplify_tasks.templates import rendering as templates
from amplify_tasks.templates.domain import companion_name

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"

SHAPES = {
    "zone id, certificate made": {"HOSTING_HOSTED_ZONE_ID": "Z0123456789ABCDEFGHIJ"},
    "zone name, certificate made": {"HOSTING_HOSTED_ZONE": "example.com"},
    "zone and certificate given": {
        "HOSTING_HOSTED_ZONE": "example.com",
        "HOSTING_CERTIFICATE_ARN": CERT,
    },
    "wildcard and apex": {
        "HOSTING_HOSTED_ZONE": "example.com",
        "HOSTING_DOMAIN_NAMES": "*.example.com,example.com",
    },
    "certificate only": {"HOSTING_CERTIFICATE_ARN": CERT},
}


def settings_for(**values: str) -> Settings:
    base = {
        "HOSTING_APP_NAME": "site",
        "HOSTING_CLOUDFRONT": "true",
        "HOSTING_DOMAIN_NAMES": "www.example.com,example.com",
    }
    return build_settings("prod", {**base, **values})


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def findings(text: str) -> list[str]:
    config = ManualArgs(regions=["us-east-1", "eu-west-1"], include_checks=["I"])
    return [f"{m.rule.id} {m.message}" for m in lint(text, config=config)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_cfn_lint_finds_nothing_in_a_domain_shape(project: Project, shape: str) -> None:
    settings = settings_for(**SHAPES[shape])
    assert findings(templates.render(project, settings)) == []
    if not settings.certificate_arn:
        assert findings(companion.render_certificate(project, settings)) == []


def rendered(project: Project, **values: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(templates.render(project, settings_for(**values)))
    return data


def test_a_zone_without_a_certificate_makes_one_here_or_takes_the_companions(
    project: Project,
) -> None:
    data = rendered(project, HOSTING_HOSTED_ZONE="example.com")
    assert data["Conditions"] == {
        "CertificateInStack": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    }
    assert set(data["Parameters"]) == {"HostedZoneId", "CertificateArn"}
    cert = data["Resources"]["DomainCertificate"]
    assert cert["Condition"] == "CertificateInStack"
    assert cert["Properties"]["DomainName"] == "www.example.com"
    assert cert["Properties"]["SubjectAlternativeNames"] == ["example.com"]
    assert cert["Properties"]["DomainValidationOptions"] == [
        {"DomainName": n, "HostedZoneId": {"Ref": "HostedZoneId"}}
        for n in ("www.example.com", "example.com")
    ]
    viewer = data["Resources"]["Distribution"]["Properties"]["DistributionConfig"][
        "ViewerCertificate"
    ]
    assert viewer["AcmCertificateArn"] == {
        "Fn::If": ["CertificateInStack", {"Ref": "DomainCertificate"}, {"Ref": "CertificateArn"}]
    }
    assert (viewer["SslSupportMethod"], viewer["MinimumProtocolVersion"]) == (
        "sni-only",
        "TLSv1.2_2021",
    )
    assert data["Outputs"]["CustomDomainURL"]["Value"] == "https://www.example.com"


def test_each_name_gets_an_a_and_an_aaaa_alias_to_the_distribution(project: Project) -> None:
    data = rendered(project, HOSTING_HOSTED_ZONE_ID="Z0123456789ABCDEFGHIJ")
    records = [
        r["Properties"]
        for r in data["Resources"].values()
        if r["Type"] == "AWS::Route53::RecordSet"
    ]
    assert sorted((r["Name"], r["Type"]) for r in records) == [
        ("example.com", "A"),
        ("example.com", "AAAA"),
        ("www.example.com", "A"),
        ("www.example.com", "AAAA"),
    ]
    for record in records:
        assert record["HostedZoneId"] == {"Ref": "HostedZoneId"}
        assert record["AliasTarget"] == {
            "DNSName": {"Fn::GetAtt": ["Distribution", "DomainName"]},
            "HostedZoneId": "Z2FDTNDATAQYW2",
            "EvaluateTargetHealth": False,
        }


def test_a_given_certificate_is_rendered_in_and_none_is_made(project: Project) -> None:
    data = rendered(project, HOSTING_HOSTED_ZONE="example.com", HOSTING_CERTIFICATE_ARN=CERT)
    assert "DomainCertificate" not in data["Resources"]
    assert set(data["Parameters"]) == {"HostedZoneId"} and "Conditions" not in data
    assert data["Outputs"]["CertificateArn"]["Value"] == CERT
    only = rendered(project, HOSTING_CERTIFICATE_ARN=CERT)
    assert "Parameters" not in only and "CustomDomainURL" not in only["Outputs"]
    assert not [r for r in only["Resources"].values() if r["Type"] == "AWS::Route53::RecordSet"]


def test_a_wildcard_is_no_site_url(project: Project) -> None:
    data = rendered(
        project, HOSTING_HOSTED_ZONE="example.com", HOSTING_DOMAIN_NAMES="*.example.com"
    )
    assert "CustomDomainURL" not in data["Outputs"]
    assert data["Resources"]["DomainCertificate"]["Properties"]["DomainName"] == "*.example.com"


def test_the_companion_holds_only_the_certificate(project: Project) -> None:
    settings = settings_for(HOSTING_HOSTED_ZONE="example.com")
    data = json.loads(companion.render_certificate(project, settings))
    assert list(data["Resources"]) == ["DomainCertificate"]
    assert "Condition" not in data["Resources"]["DomainCertificate"]
    assert data["Outputs"]["CertificateArn"]["Value"] == {"Ref": "DomainCertificate"}
    assert companion_name(settings) == "site-hosting-prod-certificate"
