"""Rendered stack templates: cfn-lint over the dev/prod x error responses x custom domain x SPA
matrix, the security properties read from the JSON, determinism, overrides and render errors.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from amplify_tasks.errors import TemplateError
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings
from amplify_tasks.settings.validate import build_settings
from amplify_tasks.templates import rendering as templates

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab"


def make_settings(
    cloudfront: bool,
    errors: bool = False,
    domain: bool = False,
    spa: bool = False,
    **extra: str,
) -> Settings:
    values = {"HOSTING_APP_NAME": "site", "HOSTING_CLOUDFRONT": str(cloudfront)}
    if errors:
        values["HOSTING_ERROR_RESPONSES"] = "404:/404.html:404,500:/500.html:500:5"
    if domain:
        values["HOSTING_DOMAIN_NAMES"] = "www.example.com,example.com"
        values["HOSTING_CERTIFICATE_ARN"] = CERT
    if spa:
        values["HOSTING_SPA"] = "true"
    values.update(extra)
    return build_settings("prod" if cloudfront else "dev", values)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def rendered(project: Project, settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(templates.render(project, settings))
    return data


#: A custom domain needs CloudFront (a DEV stage with one is refused by its settings).
MATRIX = [c for c in itertools.product([False, True], repeat=4) if c[0] or not c[2]]


@pytest.mark.parametrize(("cloudfront", "errors", "domain", "spa"), MATRIX)
def test_cfn_lint_finds_nothing(
    project: Project, cloudfront: bool, errors: bool, domain: bool, spa: bool
) -> None:
    text = templates.render(project, make_settings(cloudfront, errors, domain, spa))
    matches = lint(
        text,
        config=ManualArgs(regions=["us-east-1", "eu-west-1"], include_checks=["I"]),
    )
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_lint_catches_a_broken_template() -> None:
    """The lint check above can fail: a dangling Ref is reported."""
    broken = {
        "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "X"}}}}
    }
    assert lint(json.dumps(broken))


def test_dev_bucket_is_a_website_readable_only_through_its_policy(project: Project) -> None:
    data = rendered(project, make_settings(False))
    res = data["Resources"]
    assert {r["Type"] for r in res.values()} == {"AWS::S3::Bucket", "AWS::S3::BucketPolicy"}
    props = res["HostingBucket"]["Properties"]
    assert props["WebsiteConfiguration"] == {
        "IndexDocument": "index.html",
        "ErrorDocument": "index.html",
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    assert "BucketName" not in props
    assert "AccessControl" not in json.dumps(data)
    statements = res["HostingBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statements[0] == {
        "Sid": "AllowPublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": {"Fn::Sub": "${HostingBucket.Arn}/*"},
    }
    assert [s["Effect"] for s in statements[1:]] == ["Deny"]  # the tool's state, see below
    assert set(data["Outputs"]) == {"HostingBucketName", "Region", "WebsiteURL"}
    assert data["Outputs"]["WebsiteURL"]["Value"] == {"Fn::GetAtt": ["HostingBucket", "WebsiteURL"]}


def test_prod_bucket_is_private_and_read_only_by_this_distribution(project: Project) -> None:
    data = rendered(project, make_settings(True))
    res = data["Resources"]
    props = res["HostingBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "WebsiteConfiguration" not in props
    text = json.dumps(data)
    assert 'OriginAccessIdentity": ""' in text.replace(" ", " ")
    assert "AWS::CloudFront::CloudFrontOriginAccessIdentity" not in text
    types = {r["Type"] for r in res.values()}
    assert "AWS::CloudFront::OriginAccessControl" in types
    allows = [
        s
        for s in res["HostingBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert [a["Action"] for a in allows] == ["s3:GetObject", "s3:ListBucket"]
    for allow in allows:
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
        assert source.endswith(":distribution/${Distribution}")


def test_prod_distribution(project: Project) -> None:
    data = rendered(project, make_settings(True))
    res = data["Resources"]
    cfg = res["Distribution"]["Properties"]["DistributionConfig"]
    assert cfg["HttpVersion"] == "http2and3" and cfg["IPV6Enabled"] is True
    assert cfg["DefaultRootObject"] == "index.html"
    assert cfg["PriceClass"] == "PriceClass_100"
    (origin,) = cfg["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["HostingBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}
    assert "CustomOriginConfig" not in origin
    behavior = cfg["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert behavior["ResponseHeadersPolicyId"] == templates.SECURITY_HEADERS_POLICY_ID
    assert behavior["CachePolicyId"] == {"Ref": "CachePolicy"}
    request, response = behavior["FunctionAssociations"]  # a release stage: both
    assert request["EventType"] == "viewer-request"
    assert response == {
        "EventType": "viewer-response",
        "FunctionARN": {"Fn::GetAtt": ["ResponseHeadersFunction", "FunctionARN"]},
    }
    headers_fn = res["ResponseHeadersFunction"]["Properties"]
    assert headers_fn["FunctionConfig"]["KeyValueStoreAssociations"] == [
        {"KeyValueStoreARN": {"Fn::GetAtt": ["SiteKeyValueStore", "Arn"]}}
    ]
    assert len(headers_fn["FunctionCode"].encode()) < 10 * 1024
    cache = res["CachePolicy"]["Properties"]["CachePolicyConfig"]
    assert (cache["MinTTL"], cache["DefaultTTL"], cache["MaxTTL"]) == (60, 86400, 31536000)
    params = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["EnableAcceptEncodingGzip"] and params["EnableAcceptEncodingBrotli"]
    fn = res["DirectoryIndexFunction"]["Properties"]
    assert fn["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert fn["AutoPublish"] is True
    assert "function handler(event)" in fn["FunctionCode"]
    assert len(fn["FunctionCode"].encode()) < 10 * 1024
    assert fn["FunctionConfig"]["KeyValueStoreAssociations"] == [
        {"KeyValueStoreARN": {"Fn::GetAtt": ["SiteKeyValueStore", "Arn"]}}
    ]
    store = res["SiteKeyValueStore"]
    assert store["Type"] == "AWS::CloudFront::KeyValueStore"
    assert store["Properties"]["Name"] == fn["Name"]
    assert cfg["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert "Aliases" not in cfg
    assert set(data["Outputs"]) == {
        "HostingBucketName",
        "Region",
        "CloudFrontDistributionID",
        "CloudFrontDomainName",
        "CloudFrontKeyValueStoreARN",
        "CloudFrontSecureURL",
    }


def test_custom_domain_uses_the_certificate_and_tls12(project: Project) -> None:
    cfg = rendered(project, make_settings(True, domain=True))["Resources"]["Distribution"]
    cfg = cfg["Properties"]["DistributionConfig"]
    assert cfg["Aliases"] == ["www.example.com", "example.com"]
    assert cfg["ViewerCertificate"] == {
        "AcmCertificateArn": CERT,
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }


def error_responses(data: dict[str, Any]) -> list[tuple[int, str, int, int]]:
    cfg = data["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    return [
        (r["ErrorCode"], r["ResponsePagePath"], r["ResponseCode"], r["ErrorCachingMinTTL"])
        for r in cfg.get("CustomErrorResponses", [])
    ]


def test_error_responses_from_settings_not_every_4xx(project: Project) -> None:
    data = rendered(project, make_settings(True, errors=True))
    assert error_responses(data) == [(404, "/404.html", 404, 300), (500, "/500.html", 500, 5)]


def test_default_error_responses_serve_the_error_document_with_404(project: Project) -> None:
    data = rendered(project, make_settings(True, HOSTING_ERROR_DOCUMENT="404.html"))
    assert error_responses(data) == [(403, "/404.html", 404, 300), (404, "/404.html", 404, 300)]


def test_spa_maps_403_and_404_to_the_index_with_200(project: Project) -> None:
    data = rendered(project, make_settings(True, errors=True, spa=True))
    codes = {code: (page, status) for code, page, status, _ in error_responses(data)}
    assert codes == {
        403: ("/index.html", 200),
        404: ("/index.html", 200),
        500: ("/500.html", 500),
    }
    dev = rendered(project, make_settings(False, spa=True, HOSTING_ERROR_DOCUMENT="e.html"))
    website = dev["Resources"]["HostingBucket"]["Properties"]["WebsiteConfiguration"]
    assert website["ErrorDocument"] == "index.html"


def test_switching_cloudfront_keeps_the_bucket_logical_id(project: Project) -> None:
    dev = rendered(project, make_settings(False))
    prod = rendered(project, make_settings(True))
    dev_buckets = [k for k, r in dev["Resources"].items() if r["Type"] == "AWS::S3::Bucket"]
    prod_buckets = [k for k, r in prod["Resources"].items() if r["Type"] == "AWS::S3::Bucket"]
    assert dev_buckets == prod_buckets == ["HostingBucket"]


def test_rendering_is_deterministic_and_sorted(project: Project) -> None:
    s = make_settings(True, errors=True, domain=True)
    first = templates.render(project, s)
    assert first == templates.render(project, s)
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


def test_values_are_rendered_in_without_parameters(project: Project) -> None:
    s = make_settings(True, HOSTING_BUCKET_NAME="my-site-bucket", HOSTING_MIN_TTL="5")
    data = rendered(project, s)
    assert "Parameters" not in data
    assert templates.template_parameters(s) == {}
    assert data["Resources"]["HostingBucket"]["Properties"]["BucketName"] == "my-site-bucket"
    cache = data["Resources"]["CachePolicy"]["Properties"]["CachePolicyConfig"]
    assert cache["MinTTL"] == 5


def test_directory_index_function_code_uses_the_index_document(project: Project) -> None:
    data = rendered(project, make_settings(True, HOSTING_INDEX_DOCUMENT="home.htm"))
    code = data["Resources"]["DirectoryIndexFunction"]["Properties"]["FunctionCode"]
    assert code.count('"home.htm"') == 1  # once, as the INDEX constant
    assert "endsWith('/')" in code


def test_project_template_overrides_the_builtin(project: Project) -> None:
    override = project.templates_dir / "partials" / "outputs.json.j2"
    override.parent.mkdir(parents=True)
    override.write_text('"Only": {"Value": {"Ref": "{{ bucket_id }}"}}\n')
    data = rendered(project, make_settings(False))
    assert data["Outputs"] == {"Only": {"Value": {"Ref": "HostingBucket"}}}


def test_missing_variable_names_the_template_and_variable(project: Project) -> None:
    override = project.templates_dir / "partials" / "outputs.json.j2"
    override.parent.mkdir(parents=True)
    override.write_text('"X": {"Value": {{ no_such_thing | tojson }}}\n')
    with pytest.raises(TemplateError) as info:
        templates.render(project, make_settings(False))
    message = str(info.value)
    assert "outputs.json.j2" in message and "no_such_thing" in message
    assert "\n" not in message


def test_syntax_error_names_the_file_and_line(project: Project) -> None:
    override = project.templates_dir / "hosting.json.j2"
    override.parent.mkdir(parents=True)
    override.write_text("{\n{% if %}\n}\n")
    with pytest.raises(TemplateError, match=r"hosting\.json\.j2 line 2"):
        templates.render(project, make_settings(False))


def test_invalid_json_is_reported(project: Project) -> None:
    override = project.templates_dir / "hosting.json.j2"
    override.parent.mkdir(parents=True)
    override.write_text('{"a": 1,}\n')
    with pytest.raises(TemplateError, match=r"invalid JSON at line 1"):
        templates.render(project, make_settings(False))


def test_write_returns_a_change_summary(project: Project) -> None:
    path, diff = templates.write(project, make_settings(True))
    assert path == project.template_path("prod") and path.is_file()
    assert diff is None
    assert templates.write(project, make_settings(True)) == (path, "no changes")
    dev_shape = build_settings("prod", {"HOSTING_APP_NAME": "site"})
    _, diff = templates.write(project, dev_shape)
    assert diff is not None
    assert "-Distribution" in diff and "+WebsiteURL" in diff
    assert "~HostingBucket (" in diff and "WebsiteConfiguration" in diff


def test_builtin_templates_ship_in_the_package_layout() -> None:
    names = {
        p.relative_to(templates.builtin_dir()).as_posix()
        for p in templates.builtin_dir().rglob("*.j2")
    }
    assert {templates.MAIN_TEMPLATE, templates.FUNCTION_TEMPLATE} <= names


def test_both_shapes_create_on_the_emulator(
    project: Project, aws_env: dict[str, str], unique_name: Any
) -> None:
    import boto3

    cfn = boto3.client("cloudformation", region_name="us-east-1")
    for cloudfront in (False, True):
        stack = unique_name("tpl")
        settings = make_settings(cloudfront, errors=True, HOSTING_STACK_NAME=stack)
        cfn.create_stack(StackName=stack, TemplateBody=templates.render(project, settings))
        cfn.get_waiter("stack_create_complete").wait(
            StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        (described,) = cfn.describe_stacks(StackName=stack)["Stacks"]
        assert described["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        assert outputs["Region"] == "us-east-1"
        bucket = outputs["HostingBucketName"]
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.head_bucket(Bucket=bucket)
        if cloudfront:
            assert outputs["CloudFrontSecureURL"] == f"https://{outputs['CloudFrontDomainName']}"
            dist = boto3.client("cloudfront").get_distribution(
                Id=outputs["CloudFrontDistributionID"]
            )
            cfg = dist["Distribution"]["DistributionConfig"]
            assert cfg["DefaultRootObject"] == "index.html"
            assert "WebsiteURL" not in outputs
        else:
            assert outputs["WebsiteURL"].startswith("http://")
            assert not {"CloudFrontDistributionID", "CloudFrontSecureURL"} & set(outputs)
        cfn.delete_stack(StackName=stack)


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        ({}, ("index.html",)),
        ({"HOSTING_ERROR_DOCUMENT": "404.html"}, ("404.html",)),
        ({"HOSTING_SPA": "true", "HOSTING_INDEX_DOCUMENT": "app.html"}, ("app.html",)),
        (
            {"HOSTING_ERROR_RESPONSES": "404:/404.html:404,500:/500.html:500:5"},
            ("404.html", "500.html"),
        ),
        ({"HOSTING_ERROR_RESPONSES": "403:/e/404.html:404,404:/e/404.html:404"}, ("e/404.html",)),
        (
            {"HOSTING_SPA": "true", "HOSTING_ERROR_RESPONSES": "500:/oops.html:500"},
            ("index.html", "oops.html"),
        ),
    ],
)
def test_the_error_page_keys_are_the_distinct_response_pages(
    values: dict[str, str], keys: tuple[str, ...]
) -> None:
    from amplify_tasks.templates import error_page_keys

    settings = make_settings(True, **values)
    assert error_page_keys(settings) == keys
    paths = {r.page for r in templates.effective_error_responses(settings)}
    assert {f"/{k}" for k in keys} == paths


@pytest.mark.parametrize("make_provider", [True, False])
@pytest.mark.parametrize("cloudfront", [False, True])
def test_the_ci_role_template_lints_clean(
    project: Project, cloudfront: bool, make_provider: bool
) -> None:
    from amplify_tasks.permissions import StageResources
    from amplify_tasks.permissions.ci_role import template_variables
    from amplify_tasks.templates import render_ci_role

    settings = make_settings(cloudfront)
    edge = "arn:aws:cloudfront::123456789012:key-value-store/k-1" if cloudfront else ""
    resources = StageResources(
        "123456789012", "eu-west-1", settings.stack_name, "site-bucket", kvs_arn=edge
    )
    variables = template_variables(
        settings, resources, "repo:acme/site:*", make_provider=make_provider
    )
    text = render_ci_role(project, variables)
    matches = lint(
        text, config=ManualArgs(regions=["us-east-1", "eu-west-1"], include_checks=["I"])
    )
    assert [f"{m.rule.id} {m.message}" for m in matches] == []
    kinds = {r["Type"] for r in json.loads(text)["Resources"].values()}
    assert ("AWS::IAM::OIDCProvider" in kinds) is make_provider
