"""The hosting stack's outputs, typed: read from a DescribeStacks answer (or a fresh one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from amplify_tasks.errors import StackError

from .events import (
    aws_errors,
    describe,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import OutputTypeDef, StackTypeDef


class OutputsDict(TypedDict, total=False):
    """StackOutputs as plain data (``to_dict``): every field, the site URL, the raw outputs."""

    bucket: str
    region: str
    website_url: str
    distribution_id: str
    distribution_domain: str
    secure_url: str
    kvs_arn: str
    domain_url: str
    certificate_arn: str
    site_url: str
    stack_site_url: str  # hosting.status: the stack's own, when site_url is the one that works
    raw: dict[str, str]


@dataclass(frozen=True)
class StackOutputs:
    """The hosting stack's outputs under Amplify's output names."""

    bucket: str = ""
    region: str = ""
    website_url: str = ""
    distribution_id: str = ""
    distribution_domain: str = ""
    secure_url: str = ""
    kvs_arn: str = ""
    domain_url: str = ""  # https:// + the custom domain, when the stack holds its records
    certificate_arn: str = ""  # the custom domain's certificate
    raw: Mapping[str, str] = field(default_factory=dict)

    @property
    def site_url(self) -> str:
        """The URL users visit: the custom domain's when the stack makes its records, else
        CloudFront's https URL when there is one, else the website."""
        return self.domain_url or self.secure_url or self.website_url

    @classmethod
    def from_outputs(cls, outputs: Sequence[OutputTypeDef] | None) -> StackOutputs:
        raw = {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in outputs or []}
        return cls(
            bucket=raw.get("HostingBucketName", ""),
            region=raw.get("Region", ""),
            website_url=raw.get("WebsiteURL", ""),
            distribution_id=raw.get("CloudFrontDistributionID", ""),
            distribution_domain=raw.get("CloudFrontDomainName", ""),
            secure_url=raw.get("CloudFrontSecureURL", ""),
            kvs_arn=raw.get("CloudFrontKeyValueStoreARN", ""),
            domain_url=raw.get("CustomDomainURL", ""),
            certificate_arn=raw.get("CertificateArn", ""),
            raw=raw,
        )

    def to_dict(self) -> OutputsDict:
        return {
            "bucket": self.bucket,
            "region": self.region,
            "website_url": self.website_url,
            "distribution_id": self.distribution_id,
            "distribution_domain": self.distribution_domain,
            "secure_url": self.secure_url,
            "kvs_arn": self.kvs_arn,
            "domain_url": self.domain_url,
            "certificate_arn": self.certificate_arn,
            "site_url": self.site_url,
            "raw": dict(self.raw),
        }


def stage_flag(stage: str) -> str:
    """`` --stage S`` for a command hint (empty when the stage is not known)."""
    return f" --stage {stage}" if stage else ""


def stack_outputs(cfn: CloudFormationClient, stack_name: str, stage: str = "") -> StackOutputs:
    """The outputs of a deployed stack; StackError when the stack does not exist (the hint
    names ``stage``)."""
    with aws_errors(f"reading stack {stack_name}"):
        stack = describe(cfn, stack_name)
    if stack is None:
        raise StackError(
            f"stack {stack_name} does not exist: deploy it with `inv publish{stage_flag(stage)}`"
        )
    return outputs_of(cfn, stack)


def outputs_of(cfn: CloudFormationClient, stack: StackTypeDef) -> StackOutputs:
    outputs = StackOutputs.from_outputs(stack.get("Outputs"))
    if not outputs.region:
        region = str(getattr(getattr(cfn, "meta", None), "region_name", "") or "")
        outputs = StackOutputs(**{**outputs.__dict__, "region": region})
    return outputs
