"""A stage's state for `inv hosting.status`: stack status, outputs, template drift and what
the bucket holds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings
from amplify_tasks.templates.domain import domain_urls
from amplify_tasks.ui import human_bytes

from .certificate import CertificateState, certificate_state
from .deploy import cloudformation
from .events import aws_errors, collapse, describe, error_code
from .outputs import OutputsDict, StackOutputs, outputs_of
from .plan import same_template
from .site_url import working_url

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class StatusReport:
    """What `inv hosting.status` shows; ``document`` is the body of the --json document
    (schemas/status.schema.json)."""

    stage: str
    stack_name: str
    exists: bool
    status: str = ""
    state: str = ""
    status_reason: str = ""
    last_updated: str = ""
    termination_protection: bool = False
    outputs: OutputsDict = field(default_factory=OutputsDict)
    site_url: str = ""
    template_differs: bool | None = None
    objects: int | None = None
    bytes: int | None = None
    domain_urls: tuple[str, ...] = ()
    certificate: CertificateState | None = None
    #: on a release stage: the live release ('' before the first one); None: in place
    live_release: str | None = None

    def document(self) -> dict[str, object]:
        plain: dict[str, object] = json.loads(json.dumps(asdict(self), default=str))
        return plain

    def lines(self) -> list[str]:
        """The report as the user reads it."""
        if not self.exists:
            return [
                f"stage {self.stage}: stack {self.stack_name} is not deployed "
                f"(deploy it with `inv publish --stage {self.stage}`)"
            ]
        reason = f" ({self.status_reason})" if self.status_reason else ""
        drift = {None: "unknown", True: "differs from", False: "matches"}[self.template_differs]
        contents = "bucket not found"
        if self.objects is not None:
            plural = "" if self.objects == 1 else "s"
            contents = f"{self.objects} object{plural}, {human_bytes(self.bytes or 0)}"
        lines = [
            f"stage {self.stage}: stack {self.stack_name} {self.status} [{self.state}]{reason}",
            f"  last updated      {self.last_updated}",
            f"  protection        {'on' if self.termination_protection else 'off'}",
            f"  site URL          {self.site_url or '-'}",
            *self._stack_url(),
            *self._domain(),
            f"  local template    {drift} the deployed one",
            f"  bucket contents   {contents}",
        ]
        if self.live_release is not None:
            lines.append(f"  live release      {self.live_release or 'none yet'}")
        raw = self.outputs.get("raw", {})
        lines += [f"  output {key:<26} {raw[key]}" for key in sorted(raw)]
        return lines

    def _domain(self) -> list[str]:
        """The custom domain's URLs and its certificate, when the stage has one."""
        urls = [f"  domain URLs       {', '.join(self.domain_urls)}"] if self.domain_urls else []
        return urls + ([self.certificate.line()] if self.certificate else [])

    def _stack_url(self) -> list[str]:
        """The stack's own site URL, when the one that works differs (the emulator's)."""
        stack_url = str(self.outputs.get("stack_site_url") or "")
        return [f"  stack site URL    {stack_url}"] if stack_url != self.site_url else []


def bucket_usage(s3: S3Client, bucket: str) -> tuple[int, int] | None:
    """(objects, bytes) of a bucket's current objects, or None when it does not exist; the
    tool's own state objects (under RESERVED_PREFIX) are not the site's and do not count."""
    from botocore.exceptions import ClientError

    from amplify_tasks.sync import RESERVED_PREFIX

    count = size = 0
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                if str(item.get("Key", "")).startswith(RESERVED_PREFIX):
                    continue
                count += 1
                size += int(item.get("Size", 0))
    except ClientError as exc:
        if error_code(exc) in {"NoSuchBucket", "404"}:
            return None
        raise
    return count, size


def _stamp(stack: StackTypeDef) -> str:
    when: object = stack.get("LastUpdatedTime") or stack.get("CreationTime")
    return when.isoformat() if hasattr(when, "isoformat") else str(when or "")


def stage_status(
    project: Project,
    settings: Settings,
    *,
    cfn: CloudFormationClient | None = None,
    s3: S3Client | None = None,
) -> StatusReport:
    """The stage's stack status, outputs, template drift and bucket contents."""
    from amplify_tasks.templates import rendering as templates

    cfn = cloudformation(cfn)
    name = settings.stack_name
    with aws_errors(f"reading stack {name}"):
        stack = describe(cfn, name)
        if stack is None:
            return StatusReport(settings.stage, name, exists=False)
        outputs: StackOutputs = outputs_of(cfn, stack)
        deployed = cfn.get_template(StackName=stack["StackId"], TemplateStage="Original")
        differs = not same_template(
            deployed.get("TemplateBody"), templates.render(project, settings)
        )
        usage = None
        if outputs.bucket:
            s3 = s3 if s3 is not None else aws.client("s3", region=outputs.region or None)
            usage = bucket_usage(s3, outputs.bucket)
        live = live_release(settings, outputs)
    site_url = working_url(outputs)
    stack_url = outputs.secure_url or outputs.website_url
    return StatusReport(
        stage=settings.stage,
        stack_name=name,
        exists=True,
        status=str(stack["StackStatus"]),
        state=collapse(str(stack["StackStatus"])),
        status_reason=str(stack.get("StackStatusReason") or ""),
        last_updated=_stamp(stack),
        termination_protection=bool(stack.get("EnableTerminationProtection")),
        outputs={**outputs.to_dict(), "site_url": site_url, "stack_site_url": stack_url},
        site_url=site_url,
        template_differs=differs,
        objects=usage[0] if usage else None,
        bytes=usage[1] if usage else None,
        domain_urls=domain_urls(settings) if outputs.domain_url else (),
        certificate=certificate_state(outputs.certificate_arn),
        live_release=live,
    )


def live_release(settings: Settings, outputs: StackOutputs) -> str | None:
    """The live release of a release stage ('' for none yet), None for an in-place stage."""
    if not settings.uses_releases or not outputs.kvs_arn:
        return None
    from amplify_tasks.releases import parse_pointer
    from amplify_tasks.releases.state import read_key

    pointer = parse_pointer(read_key(aws.store_client(), outputs.kvs_arn))
    return pointer.release if pointer else ""
