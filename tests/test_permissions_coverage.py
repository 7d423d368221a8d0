"""The permissions table against what the tool really calls: a whole flow on the emulator
(a DEV stage published in place, with a large file, a change set and deletes; a PROD stage
with releases, rolled back, listed, verified, a preview published, listed, promoted and
deleted; a PROD stage in place with an invalidation
waited for; a stage with a custom domain; status and unlock), then every request of the
emulator's log must be allowed by the policy of the stage it went to (action and resource
ARN), and every entry of the table must have been needed by a request, but the named
allowances.

A call added to the tool without a table entry fails the first check; an entry no call needs
any longer fails the second (or must be named in ALLOWANCES with its reason). The calls of
the preview tasks must also name those tasks in the table's "made by". A new task or mode
joins the flow in ``run_flow``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from releases_site import V1, ReleaseSite
from test_publish import new_site
from zones import make_zone

from amplify_tasks import aws
from amplify_tasks.permissions import (
    ALLOWANCES,
    CALLS,
    PROVISIONING,
    policy_document,
    stage_resources,
)
from amplify_tasks.project import Project
from amplify_tasks.settings.files import load_settings
from amplify_tasks.sync.etag import MULTIPART_THRESHOLD

#: Records of calls the tool does not make: a viewer function's store reads.
NOT_THE_TOOL = {"cloudfront-functions"}
STACKS = "arn:aws:cloudformation:us-east-1:123456789012:stack/"
#: What the flow runs of the preview tasks: the task's name in the table's "made by", its
#: arguments (on the prod stage).
PREVIEW_TASKS = (
    ("publish", ("publish", "--stage", "prod", "--preview", "pr-1", "--yes")),
    ("previews", ("hosting.previews", "--stage", "prod")),
    ("previews", ("hosting.previews", "--stage", "prod", "--json")),
    ("promote", ("hosting.promote", "--stage", "prod", "--preview", "pr-1", "--yes")),
    ("publish", ("publish", "--stage", "prod", "--preview", "pr-2", "--yes")),
    ("previews", ("hosting.previews", "--stage", "prod", "--delete", "pr-2")),
    ("previews", ("hosting.previews", "--stage", "prod", "--prune")),
)


def _arn(record: dict[str, Any]) -> str:
    """The resource ARN an IAM policy sees for a logged request."""
    service = record["service"]
    if service == "s3":
        key = "*" if record["operation"] == "DeleteObjects" else record["key"]
        return f"arn:aws:s3:::{record['bucket']}" + (f"/{key}" if key else "")
    if service == "cloudfront-keyvaluestore":
        return unquote(record["path"]).split("/key-value-stores/", 1)[1].split("/keys", 1)[0]
    if service == "cloudfront":
        distribution = record["path"].split("/distribution/", 1)[1].split("/", 1)[0]
        return f"arn:aws:cloudfront::123456789012:distribution/{distribution}"
    if service == "cloudformation":
        # a call naming its change set by ARN only: IAM checks it against the change set's
        # stack, one of the flow's (any of them will do here)
        stack = record["stack"]
        if not stack:
            return f"{STACKS}*"
        return str(stack) if str(stack).startswith("arn:") else f"{STACKS}{stack}/x"
    if service == "route53":
        rest = record["path"].split("/", 2)[2]  # after /2013-04-01/
        if rest.startswith(("hostedzone/", "change/")):
            return "arn:aws:route53:::" + "/".join(rest.split("/")[:2])
        return "*"  # a list call: AWS names no resource
    if service == "acm":  # the log does not hold the body's certificate ARN: any of the account's
        return "arn:aws:acm:us-east-1:123456789012:certificate/*"
    raise AssertionError(f"a request to {service} the table knows nothing of: {record}")


def _allows(statements: list[dict[str, Any]], action: str, arn: str) -> bool:
    for statement in statements:
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        matches = (fnmatch.fnmatchcase(arn, r) or fnmatch.fnmatchcase(r, arn) for r in resources)
        if action in statement["Action"] and any(matches):
            return True
    return False


def _previews(prod: ReleaseSite) -> dict[str, set[tuple[str, str]]]:
    """Run the preview tasks on the prod stage: the calls each task made (service,
    operation)."""
    made: dict[str, set[tuple[str, str]]] = {}
    for number, (name, args) in enumerate(PREVIEW_TASKS):
        prod.build({**V1, "index.html": f"<!doctype html><title>preview {number}</title>"})
        before = len(prod.emulator.requests())
        prod.run(*args)
        made.setdefault(name, set()).update(
            (r["service"], r["operation"])
            for r in prod.emulator.requests()[before:]
            if r["service"] not in NOT_THE_TOOL
        )
    return made


def run_flow(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str], dict[str, set[tuple[str, str]]]]:
    """Run the flow: its requests, the policies of its stages, their resource types and the
    calls each preview task made."""
    zone = f"{unique_name('z')}.example"
    make_zone(zone)  # the user's, made before the flow
    emulator.reset_requests()
    dev = new_site(inv_project, emulator, unique_name)
    (inv_project.root / "dist/big.bin").write_bytes(b"x" * (MULTIPART_THRESHOLD + 1))
    dev.publish()
    (inv_project.root / "dist/css/site.css").unlink()
    inv_project.write("dist/404.html", "<!doctype html><title>not here</title>")
    inv_project.env["HOSTING_ERROR_DOCUMENT"] = "404.html"
    dev.publish("--dry-run")
    dev.publish("--yes")
    project = Project.at(inv_project.root)
    stacks = [load_settings(project, "dev", inv_project.env).stack_name]
    prod = ReleaseSite(inv_project, emulator, unique_name("perm"))
    prod.publish()
    prod.build({**V1, "index.html": "<!doctype html><title>v2</title>"})
    prod.publish()
    for task in ("hosting.rollback", "hosting.releases", "hosting.verify", "hosting.status"):
        prod.run(task, "--stage", "prod", *(["--yes"] if task == "hosting.rollback" else []))
    by_task = _previews(prod)
    inv_project.write(".env.edge", "HOSTING_CLOUDFRONT=true\nHOSTING_RELEASES=false\n")
    prod.run("publish", "--stage", "edge", "--yes")
    prod.build({**V1, "robots.txt": "User-agent: nobody"})
    prod.run("publish", "--stage", "edge", "--yes", "-c", "--wait")
    prod.run("hosting.unlock", "--stage", "edge", "--yes")
    domain = f"HOSTING_DOMAIN_NAMES=www.{zone}\nHOSTING_HOSTED_ZONE={zone}\n"
    inv_project.write(".env.site", f"HOSTING_CLOUDFRONT=true\n{domain}")
    prod.run("publish", "--stage", "site", "--yes")
    prod.run("hosting.status", "--stage", "site")
    stacks += [
        load_settings(project, s, inv_project.env).stack_name for s in ("prod", "edge", "site")
    ]
    requests = [r for r in emulator.requests() if r["service"] not in NOT_THE_TOOL]
    statements: list[dict[str, Any]] = []
    types: set[str] = set()
    cfn = aws.client("cloudformation")
    for stack in stacks:
        resources = stage_resources(cfn, stack)
        statements += policy_document(resources).get("Statement", [])  # type: ignore[arg-type]
        found = cfn.list_stack_resources(StackName=stack)
        types |= {r["ResourceType"] for r in found["StackResourceSummaries"]}
    return requests, statements, types, by_task


def test_every_call_of_the_flow_is_allowed_and_every_entry_is_needed(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    requests, statements, types, by_task = run_flow(inv_project, emulator, unique_name)
    actions = {(c.service, c.operation): c.action for c in CALLS}
    missing = sorted(
        {(r["service"], r["operation"]) for r in requests} - set(actions),
    )
    assert not missing, f"calls the permissions table lacks: {missing}"
    denied = sorted(
        {
            (actions[r["service"], r["operation"]], _arn(r))
            for r in requests
            if not _allows(statements, actions[r["service"], r["operation"]], _arn(r))
        }
    )
    assert not denied, f"requests the stages' policies would deny: {denied}"
    made = {r["operation"] for r in requests}
    unused = [
        c.operation for c in CALLS if c.operation not in made and c.operation not in ALLOWANCES
    ]
    assert not unused, (
        f"table entries no call of the flow needs (or name them in ALLOWANCES): {unused}"
    )
    idle = [p.resource_type for p in PROVISIONING if p.resource_type not in types | set(ALLOWANCES)]
    assert not idle, f"resource types no stack of the flow holds: {idle}"
    untabled = sorted(types - {p.resource_type for p in PROVISIONING})
    assert not untabled, f"resource types CloudFormation updates without a table entry: {untabled}"
    stale = [name for name in ALLOWANCES if name in made or name in types]
    assert not stale, f"allowances the flow does need (drop them from ALLOWANCES): {stale}"
    tasks = {(c.service, c.operation): set(re.findall(r"[a-z-]+", c.tasks)) for c in CALLS}
    unnamed = sorted(
        (task, *call)
        for task, calls in by_task.items()
        for call in calls
        if task not in tasks[call]
    )
    assert not unnamed, f"calls whose table entry does not name the task making them: {unnamed}"
