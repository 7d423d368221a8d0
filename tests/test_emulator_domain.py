"""The emulator's custom-domain models over real HTTP: a DNS-validated ACM certificate (its
validation CNAMEs written into the zone, issued at once, refused by a CAA record) and Route 53
alias records, read back through the ACM and Route 53 APIs; updates and deletes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from zones import add_record, imported_certificate, make_zone, records


def certificate_template(domain: str, zone_id: str, *alias_names: str) -> dict[str, Any]:
    names = [domain, *alias_names]
    resources: dict[str, Any] = {
        "Certificate": {
            "Type": "AWS::CertificateManager::Certificate",
            "Properties": {
                "DomainName": domain,
                "SubjectAlternativeNames": (alias_names and list(alias_names)) or [],
                "ValidationMethod": "DNS",
                "DomainValidationOptions": [
                    {"DomainName": n, "HostedZoneId": zone_id} for n in names
                ],
            },
        }
    }
    for i, name in enumerate(names):
        for rtype in ("A", "AAAA"):
            resources[f"Alias{rtype}{i}"] = {
                "Type": "AWS::Route53::RecordSet",
                "Properties": {
                    "HostedZoneId": zone_id,
                    "Name": name,
                    "Type": rtype,
                    "AliasTarget": {
                        "DNSName": "d111111abcdef8.cloudfront.net",
                        "HostedZoneId": "Z2FDTNDATAQYW2",
                    },
                },
            }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": resources,
        "Outputs": {"Arn": {"Value": {"Ref": "Certificate"}}},
    }


def deploy(name: str, template: dict[str, Any], update: bool = False) -> dict[str, Any]:
    cfn = boto3.client("cloudformation")
    call = cfn.update_stack if update else cfn.create_stack
    call(StackName=name, TemplateBody=json.dumps(template))
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


@pytest.fixture
def domain(unique_name: Callable[[str], str], aws_env: dict[str, str]) -> tuple[str, str]:
    name = f"{unique_name('z')}.example"
    return name, make_zone(name)


def test_certificate_is_issued_with_its_validation_records_in_the_zone(
    domain: tuple[str, str], unique_name: Callable[[str], str]
) -> None:
    zone_name, zone_id = domain
    stack = unique_name("cert")
    made = deploy(stack, certificate_template(f"www.{zone_name}", zone_id, zone_name))
    assert made["StackStatus"] == "CREATE_COMPLETE"
    arn = made["Outputs"][0]["OutputValue"]
    acm = boto3.client("acm", region_name="us-east-1")
    cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert cert["Status"] == "ISSUED"
    assert sorted(cert["SubjectAlternativeNames"]) == sorted([f"www.{zone_name}", zone_name])
    found = records(zone_id)
    for option in cert["DomainValidationOptions"]:
        record = option["ResourceRecord"]
        assert option["ValidationStatus"] == "SUCCESS"
        assert found[(record["Name"], "CNAME")]["ResourceRecords"] == [{"Value": record["Value"]}]
    alias = found[(f"www.{zone_name}.", "AAAA")]["AliasTarget"]
    assert alias["HostedZoneId"] == "Z2FDTNDATAQYW2"
    assert alias["DNSName"] == "d111111abcdef8.cloudfront.net."
    assert (f"{zone_name}.", "A") in found
    events = boto3.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events]
    assert any(r.startswith("Content of DNS Record is: {Name: _") for r in reasons)


def test_update_and_delete_remove_records_and_certificate_but_keep_validation(
    domain: tuple[str, str], unique_name: Callable[[str], str]
) -> None:
    zone_name, zone_id = domain
    stack = unique_name("cert")
    first = deploy(stack, certificate_template(f"www.{zone_name}", zone_id, zone_name))
    old_arn = first["Outputs"][0]["OutputValue"]
    updated = deploy(stack, certificate_template(f"www.{zone_name}", zone_id), update=True)
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    new_arn = updated["Outputs"][0]["OutputValue"]
    acm = boto3.client("acm", region_name="us-east-1")
    arns = {c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]}
    assert new_arn in arns and old_arn not in arns
    assert (f"{zone_name}.", "A") not in records(zone_id)
    assert (f"www.{zone_name}.", "A") in records(zone_id)
    boto3.client("cloudformation").delete_stack(StackName=stack)
    left = records(zone_id)
    assert {t for (_, t) in left} == {"NS", "SOA", "CNAME"}  # ACM's records stay, as on AWS
    arns = {c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]}
    assert new_arn not in arns


def test_a_record_that_exists_is_refused(
    domain: tuple[str, str], unique_name: Callable[[str], str]
) -> None:
    zone_name, zone_id = domain
    add_record(zone_id, f"www.{zone_name}", "A", "192.0.2.1")
    stack = unique_name("cert")
    made = deploy(stack, certificate_template(f"www.{zone_name}", zone_id))
    assert made["StackStatus"] == "ROLLBACK_COMPLETE"
    events = boto3.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert any("already exists" in str(e.get("ResourceStatusReason")) for e in failed)


def test_a_caa_record_without_amazon_fails_validation(
    domain: tuple[str, str], unique_name: Callable[[str], str]
) -> None:
    zone_name, zone_id = domain
    add_record(zone_id, zone_name, "CAA", '0 issue "letsencrypt.org"')
    stack = unique_name("cert")
    made = deploy(stack, certificate_template(f"www.{zone_name}", zone_id))
    assert made["StackStatus"] == "ROLLBACK_COMPLETE"
    events = boto3.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    reasons = [str(e.get("ResourceStatusReason")) for e in events]
    assert any("CAA_ERROR" in r and f"www.{zone_name}" in r for r in reasons)
    assert any(r.startswith("Content of DNS Record is:") for r in reasons)
    acm = boto3.client("acm", region_name="us-east-1")
    listed = acm.list_certificates()["CertificateSummaryList"]
    assert f"www.{zone_name}" not in {c["DomainName"] for c in listed}


def test_a_false_condition_and_a_dropped_parameter_are_as_on_aws(
    aws_env: dict[str, str], unique_name: Callable[[str], str]
) -> None:
    """A resource whose Condition is false is no stack resource; an update whose template no
    longer declares a parameter drops it."""
    stack = unique_name("cond")
    template = {
        "Parameters": {"Name": {"Type": "String"}},
        "Conditions": {"Never": {"Fn::Equals": [{"Ref": "AWS::Region"}, "nowhere"]}},
        "Resources": {
            "Skipped": {
                "Type": "AWS::CertificateManager::Certificate",
                "Condition": "Never",
                "Properties": {"DomainName": "example.com"},
            },
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Name"}}},
        },
    }
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Name", "ParameterValue": stack}],
    )
    listed = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    assert [r["LogicalResourceId"] for r in listed] == ["Bucket"]
    found = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Bucket")
    assert found["StackResourceDetail"]["PhysicalResourceId"] == stack
    plain = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    assert deploy(stack, plain, update=True)["StackStatus"] == "UPDATE_COMPLETE"
    assert not cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Parameters")
    cfn.delete_stack(StackName=stack)


def distribution_template(aliases: list[str], arn: str) -> dict[str, Any]:
    """A distribution with ``aliases`` and the certificate ``arn``."""
    return {
        "Resources": {
            "Dist": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {
                    "DistributionConfig": {
                        "Enabled": True,
                        "Aliases": aliases,
                        "Origins": [
                            {
                                "Id": "o",
                                "DomainName": "example.s3.amazonaws.com",
                                "S3OriginConfig": {"OriginAccessIdentity": ""},
                            }
                        ],
                        "DefaultCacheBehavior": {
                            "TargetOriginId": "o",
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "ForwardedValues": {"QueryString": False},
                        },
                        "ViewerCertificate": {
                            "AcmCertificateArn": arn,
                            "SslSupportMethod": "sni-only",
                            "MinimumProtocolVersion": "TLSv1.2_2021",
                        },
                    }
                },
            }
        }
    }


def failure(stack: str) -> str:
    events = boto3.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    return " ".join(
        str(e.get("ResourceStatusReason")) for e in events if e["ResourceStatus"] == "CREATE_FAILED"
    )


def test_aliases_need_an_issued_certificate_that_covers_them(
    domain: tuple[str, str], unique_name: Callable[[str], str]
) -> None:
    zone_name, _ = domain
    wildcard = imported_certificate(f"*.{zone_name}")
    stack = unique_name("alias")
    made = deploy(stack, distribution_template([f"www.{zone_name}"], wildcard))
    assert made["StackStatus"] == "CREATE_COMPLETE"
    taken = unique_name("alias")
    again = deploy(taken, distribution_template([f"www.{zone_name}"], wildcard))
    assert again["StackStatus"] == "ROLLBACK_COMPLETE" and "CNAMEAlreadyExists" in failure(taken)
    uncovered = unique_name("alias")
    outside = deploy(uncovered, distribution_template([f"a.b.{zone_name}"], wildcard))
    assert outside["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "doesn't cover" in failure(uncovered)
    acm = boto3.client("acm", region_name="us-east-1")
    pending = acm.request_certificate(DomainName=f"api.{zone_name}")["CertificateArn"]
    waiting = unique_name("alias")
    refused = deploy(waiting, distribution_template([f"api.{zone_name}"], pending))
    assert refused["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "InvalidViewerCertificate" in failure(waiting)
    boto3.client("cloudformation").delete_stack(StackName=stack)
