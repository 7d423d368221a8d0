"""A stage's custom domain around its deploy: the zone checked first; the certificate made
in us-east-1 by a companion stack when the stage's stack is elsewhere (its ARN passed in as a
parameter) and the companion removed once no stack uses it; while waiting, the validation
record named; a failed validation explained by its record and zone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amplify_tasks import aws
from amplify_tasks.errors import StackError
from amplify_tasks.project import Project
from amplify_tasks.settings import Settings
from amplify_tasks.templates.domain import (
    ARN_PARAMETER,
    CERTIFICATE_ID,
    CERTIFICATE_REGION,
    ZONE_PARAMETER,
    companion_name,
    makes_certificate,
)

from .events import EventSink, Poller, Sleep, aws_errors, delete_stack, describe
from .outputs import stage_flag
from .plan import DeployResult, deployed_parameters

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef

    from .domain import Zone

#: CloudFormation's in-progress reason naming a certificate's DNS validation record.
_RECORD_RE = re.compile(r"Content of DNS Record is: \{Name: ([^,]+),Type: (\w+),Value: ([^}]+)\}")


@dataclass
class DomainDeploy:
    """The custom domain's part of one deploy of a stage."""

    project: Project
    settings: Settings
    region: str
    on_event: EventSink
    sleep: Sleep = time.sleep
    #: the stack deploy (``deploy.deploy``) the companion stack is deployed with
    stack_deploy: Callable[..., DeployResult] | None = None
    zone: Zone | None = None
    #: (name, type, value) of each validation record the deploy's events named
    records: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def check(
        cls,
        project: Project,
        settings: Settings,
        region: str,
        on_event: EventSink,
        sleep: Sleep,
        stack_deploy: Callable[..., DeployResult],
    ) -> DomainDeploy:
        """Check the zone (SettingsError naming the setting) before anything changes."""
        from .domain import find_zone

        zone = find_zone(settings)
        return cls(project, settings, region, on_event, sleep, stack_deploy, zone=zone)

    @property
    def companion(self) -> bool:
        """True when the certificate is made by the companion stack in us-east-1."""
        return makes_certificate(self.settings) and self.region != CERTIFICATE_REGION

    def parameters(self, *, dry_run: bool, termination_protection: bool) -> dict[str, str]:
        """The stack's domain parameters; deploys the companion stack first when needed."""
        if self.zone is None:
            return {}
        values = {ZONE_PARAMETER: self.zone.id}
        if makes_certificate(self.settings):
            arn = self._deploy_companion(dry_run, termination_protection) if self.companion else ""
            values[ARN_PARAMETER] = arn
        return values

    def _deploy_companion(self, dry_run: bool, protect: bool) -> str:
        from amplify_tasks.templates.companion import render_certificate

        assert self.zone is not None and self.stack_deploy is not None
        name = companion_name(self.settings)
        self.on_event(f"certificate in {CERTIFICATE_REGION}: stack {name}")
        try:
            result = self.stack_deploy(
                companion_cfn(),
                name,
                render_certificate(self.project, self.settings),
                {ZONE_PARAMETER: self.zone.id},
                termination_protection=protect,
                on_event=self.watch(self.on_event),
                sleep=self.sleep,
                dry_run=dry_run,
                stage=self.settings.stage,
            )
        except StackError as exc:
            raise self.explain(exc) from None
        return result.outputs.raw.get("CertificateArn", "") if result.outputs else ""

    def retire_companion(self, before: StackTypeDef | None, *, dry_run: bool) -> None:
        """Delete the companion stack once the stage's stack (``before``: as it was before
        the deploy) no longer takes its certificate."""
        if self.companion or before is None or not deployed_parameters(before).get(ARN_PARAMETER):
            return
        cfn = companion_cfn()
        name = companion_name(self.settings)
        with aws_errors(f"reading stack {name}"):
            stack = describe(cfn, name)
        if stack is None:
            return
        if dry_run:
            self.on_event(f"stack {name}: delete (its certificate is no longer used)")
            return
        remove_companion_stack(cfn, name, self.on_event, self.sleep)

    def watch(self, sink: EventSink) -> EventSink:
        """``sink`` that also names each DNS validation record the certificate waits for."""

        def event(line: str) -> None:
            sink(line)
            match = _RECORD_RE.search(line)
            if match:
                record = (match.group(1), match.group(2), match.group(3))
                if record not in self.records:
                    self.records.append(record)
                    where = f" in hosted zone {self.zone.label()}" if self.zone else ""
                    sink(
                        f"certificate: waiting for DNS validation record {record[0]} "
                        f"{record[1]} {record[2]}{where}"
                    )

        return event

    def explain(self, exc: StackError) -> StackError:
        """A failed certificate named with its validation record and zone."""
        text = str(exc)
        if CERTIFICATE_ID not in text or not self.records:
            return exc
        zone = self.zone.label() if self.zone else "the hosted zone"
        records = "; ".join(f"{n} {t} {v}" for n, t, v in self.records)
        return StackError(
            f"{text} -- DNS validation used the record {records} in hosted zone {zone}: "
            f"check it (and any CAA record of the names) in Route 53, then run "
            f"`inv publish{stage_flag(self.settings.stage)}` again"
        )


def remove_companion_stack(
    cfn: CloudFormationClient, name: str, on_event: EventSink, sleep: Sleep, delay: float = 5.0
) -> bool:
    """Delete the companion stack ``name`` and its certificate (False when there is none)."""
    with aws_errors(f"removing stack {name}"):
        stack = describe(cfn, name)
        if stack is None:
            return False
        poller = Poller(cfn, on_event, sleep, delay=delay)
        delete_stack(cfn, stack["StackId"], poller, bool(stack.get("EnableTerminationProtection")))
    on_event(f"stack {name} deleted (the certificate it made with it)")
    return True


@dataclass(frozen=True)
class MadeForDomain:
    """What a deployed stack made for its custom domain, for `inv hosting.remove`."""

    records: bool = False  # alias records in the hosted zone
    certificate: str = ""  # the ARN of the certificate it made ('' for a given one)
    companion: str = ""  # the companion stack's name, when it made the certificate

    @classmethod
    def of(cls, stack: StackTypeDef, settings: Settings) -> MadeForDomain:
        params = deployed_parameters(stack)
        arn = next(
            (
                str(o.get("OutputValue", ""))
                for o in stack.get("Outputs", []) or []
                if o.get("OutputKey") == "CertificateArn"
            ),
            "",
        )
        made = ARN_PARAMETER in params  # the template made the certificate
        return cls(
            records=ZONE_PARAMETER in params,
            certificate=arn if made else "",
            companion=companion_name(settings) if params.get(ARN_PARAMETER) else "",
        )

    def what(self) -> str:
        """The question's words for it ('' when nothing)."""
        parts = ["its domain's alias records"] if self.records else []
        if self.certificate:
            parts.append("the certificate it made")
        if self.companion:
            parts.append(f"stack {self.companion}")
        return ", ".join(parts)

    def removed(self, on_event: EventSink, sleep: Sleep, delay: float) -> None:
        """Say what went with the stage's stack; delete the companion stack."""
        what = self.what()
        if what:
            on_event(f"removed with it: {what}")
        if self.certificate:
            on_event(
                "the DNS validation records of the certificate stay in the hosted zone: "
                "ACM uses the same records for any certificate of these names"
            )
        if self.companion:
            remove_companion_stack(companion_cfn(), self.companion, on_event, sleep, delay)


def companion_cfn() -> CloudFormationClient:
    """A CloudFormation client for the companion stack's region."""
    with aws.translate_errors():
        return aws.client("cloudformation", region=CERTIFICATE_REGION)


def remove_orphan_companion(settings: Settings, on_event: EventSink, sleep: Sleep) -> None:
    """Delete the stage's companion stack when the stage's own stack is gone (a first deploy
    that failed after the certificate, say)."""
    if makes_certificate(settings):
        remove_companion_stack(companion_cfn(), companion_name(settings), on_event, sleep)
