"""Deploy states the emulator cannot produce, driven through botocore's Stubber: dead and
blocked stacks, failed change sets and updates, throttling, AccessDenied and DELETE_FAILED.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from amplify_tasks.errors import AwsError, SettingsError, StackError
from amplify_tasks.project import Project
from amplify_tasks.settings.model import Settings
from amplify_tasks.stack import plan_deploy
from amplify_tasks.stack.bucket import empty_bucket
from amplify_tasks.stack.deploy import deploy
from amplify_tasks.stack.remove import confirmation, remove_stage

NAME = "site-prod"
OLD_ID = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{NAME}/old"
NEW_ID = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{NAME}/new"
CS_ID = f"arn:aws:cloudformation:us-east-1:123456789012:changeSet/amplify-tasks-1/{NAME}"
TEMPLATE = {
    "Resources": {"HostingBucket": {"Type": "AWS::S3::Bucket"}},
    "Outputs": {"HostingBucketName": {"Value": {"Ref": "HostingBucket"}}},
}
BODY = json.dumps(TEMPLATE)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_ids = itertools.count()


def stack(status: str, stack_id: str = OLD_ID, **extra: Any) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": NAME,
                "StackId": stack_id,
                "CreationTime": NOW,
                "StackStatus": status,
                "EnableTerminationProtection": False,
                **extra,
            }
        ]
    }


def event(
    status: str, logical: str = NAME, reason: str = "", rtype: str = "AWS::CloudFormation::Stack"
) -> dict[str, Any]:
    item = {
        "EventId": f"e{next(_ids)}",
        "StackId": OLD_ID,
        "StackName": NAME,
        "LogicalResourceId": logical,
        "PhysicalResourceId": OLD_ID if logical == NAME else f"{logical}-phys",
        "ResourceType": rtype,
        "ResourceStatus": status,
        "Timestamp": NOW,
    }
    if reason:
        item["ResourceStatusReason"] = reason
    return item


def events(*items: dict[str, Any]) -> dict[str, Any]:
    """A describe_stack_events page: newest first, like CloudFormation."""
    return {"StackEvents": list(reversed(items))}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def cfn() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "cloudformation",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def missing(stubber: Stubber) -> None:
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {NAME} does not exist",
    )


def changed_template(stubber: Stubber) -> None:
    stubber.add_response("get_template", {"TemplateBody": json.dumps({"Resources": {}})})
    stubber.add_response("create_change_set", {"Id": CS_ID, "StackId": OLD_ID})


@pytest.mark.stub
def test_stub_rollback_complete_recovery(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", stack("ROLLBACK_COMPLETE"))
    first = event("ROLLBACK_COMPLETE")
    stubber.add_response("describe_stack_events", events(first))
    stubber.add_response("delete_stack", {}, {"StackName": OLD_ID})
    gone = event("DELETE_COMPLETE")
    stubber.add_response("describe_stack_events", events(first, gone))
    stubber.add_response("describe_stacks", stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", events(first, gone))
    stubber.add_response("create_stack", {"StackId": NEW_ID})
    started = event("CREATE_IN_PROGRESS")
    stubber.add_response("describe_stack_events", events(started))
    stubber.add_response("describe_stacks", stack("CREATE_IN_PROGRESS", NEW_ID))
    bucket = event("CREATE_COMPLETE", "HostingBucket", rtype="AWS::S3::Bucket")
    done = event("CREATE_COMPLETE")
    stubber.add_response("describe_stack_events", events(started, bucket, done))
    outputs = [{"OutputKey": "HostingBucketName", "OutputValue": "the-bucket"}]
    stubber.add_response("describe_stacks", stack("CREATE_COMPLETE", NEW_ID, Outputs=outputs))
    stubber.add_response("describe_stack_events", events(started, bucket, done))
    lines: list[str] = []
    sleeps = Sleeps()

    result = deploy(
        client, NAME, BODY, termination_protection=False, on_event=lines.append, sleep=sleeps
    )

    assert result.plan.action == "recreate" and result.changed
    assert result.outputs is not None and result.outputs.bucket == "the-bucket"
    notice = next(i for i, line in enumerate(lines) if "ROLLBACK_COMPLETE" in line)
    deleted = next(i for i, line in enumerate(lines) if "DELETE_COMPLETE" in line)
    assert notice < deleted
    assert sum("HostingBucket" in line and "CREATE_COMPLETE" in line for line in lines) == 1
    assert sleeps == [5.0]


@pytest.mark.stub
def test_stub_update_rollback_failed_names_the_fix(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", stack("UPDATE_ROLLBACK_FAILED"))
    with pytest.raises(StackError) as err:
        plan_deploy(client, NAME, BODY)
    assert "UPDATE_ROLLBACK_FAILED" in str(err.value)
    assert "continue-update-rollback" in str(err.value)


@pytest.mark.stub
@pytest.mark.parametrize("status", ["UPDATE_IN_PROGRESS", "DELETE_FAILED"])
def test_stub_blocked_states_are_explained(cfn: tuple[Any, Stubber], status: str) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", stack(status))
    with pytest.raises(StackError) as err:
        deploy(client, NAME, BODY, termination_protection=False, on_event=lambda _l: None)
    message = str(err.value)
    assert status in message and ("wait for it" in message or "hosting.remove" in message)


@pytest.mark.stub
def test_stub_change_set_failed_with_a_real_reason(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    reason = "Template format error: Unresolved resource dependencies [Missing] in Resources"
    stubber.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    changed_template(stubber)
    stubber.add_response(
        "describe_change_set", {"Status": "FAILED", "StatusReason": reason, "ChangeSetId": CS_ID}
    )
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CS_ID})
    with pytest.raises(StackError) as err:
        plan_deploy(client, NAME, BODY, sleep=Sleeps())
    assert reason in str(err.value) and "fix the template" in str(err.value)


@pytest.mark.stub
def test_stub_empty_change_set_is_success_and_deleted(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    reason = "The submitted information didn't contain changes. Submit different information."
    stubber.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    changed_template(stubber)
    stubber.add_response("describe_change_set", {"Status": "CREATE_PENDING"})
    stubber.add_response("describe_change_set", {"Status": "FAILED", "StatusReason": reason})
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CS_ID})
    sleeps = Sleeps()
    plan = plan_deploy(client, NAME, BODY, sleep=sleeps)
    assert plan.action == "unchanged" and plan.change_set_id == ""
    assert sleeps == [2.0]


@pytest.mark.stub
def test_stub_throttling_backs_off_and_finishes(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    missing(stubber)
    stubber.add_response("create_stack", {"StackId": NEW_ID})
    for _ in range(2):
        stubber.add_client_error("describe_stack_events", service_error_code="Throttling")
    stubber.add_response("describe_stack_events", events())
    stubber.add_client_error("describe_stacks", service_error_code="ThrottlingException")
    stubber.add_response("describe_stacks", stack("CREATE_COMPLETE", NEW_ID))
    stubber.add_response("describe_stack_events", events())
    lines: list[str] = []
    sleeps = Sleeps()

    result = deploy(
        client, NAME, BODY, termination_protection=False, on_event=lines.append, sleep=sleeps
    )

    assert result.plan.action == "create"
    assert sleeps == [10.0, 20.0, 40.0]
    assert sum("throttled" in line for line in lines) == 3


@pytest.mark.stub
def test_stub_failed_update_prints_failed_resources(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    reason = "Invalid request provided: The parameter Origin DomainName is invalid"
    stubber.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    changed_template(stubber)
    change = {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Add",
            "LogicalResourceId": "Distribution",
            "ResourceType": "AWS::CloudFront::Distribution",
        },
    }
    stubber.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "Changes": [change]})
    old = event("UPDATE_COMPLETE")
    stubber.add_response("describe_stack_events", events(old))
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": CS_ID})
    failed = event("CREATE_FAILED", "Distribution", reason, "AWS::CloudFront::Distribution")
    rolled = event("UPDATE_ROLLBACK_COMPLETE")
    stubber.add_response("describe_stack_events", events(old, failed, rolled))
    stubber.add_response("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stack_events", events(old, failed, rolled))
    lines: list[str] = []

    with pytest.raises(StackError) as err:
        deploy(
            client, NAME, BODY, termination_protection=False, on_event=lines.append, sleep=Sleeps()
        )

    assert "UPDATE_ROLLBACK_COMPLETE" in str(err.value) and reason in str(err.value)
    assert any(line.startswith("FAILED Distribution") and reason in line for line in lines)
    assert any("Add" in line and "AWS::CloudFront::Distribution" in line for line in lines)
    assert not any(line.endswith("UPDATE_COMPLETE") for line in lines)


@pytest.mark.stub
def test_stub_dry_run_of_an_update_deletes_its_change_set(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    changed_template(stubber)
    stubber.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "Changes": []})
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CS_ID})
    stubber.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    result = deploy(
        client, NAME, BODY, termination_protection=False, on_event=lambda _l: None, dry_run=True
    )
    assert result.plan.action == "update" and not result.changed


@pytest.mark.stub
def test_stub_access_denied_names_the_permission(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="AccessDenied",
        service_message="User: arn:aws:iam::1:user/ci is not authorized",
        http_status_code=403,
    )
    with pytest.raises(AwsError) as err:
        plan_deploy(client, NAME, BODY)
    assert "DescribeStacks" in str(err.value) and "Permissions" in str(err.value)


def s3_client() -> Any:
    return boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def versions(count: int, prefix: str = "k") -> dict[str, Any]:
    return {
        "Versions": [{"Key": f"{prefix}{n}", "VersionId": f"v{n}"} for n in range(count)],
        "IsTruncated": False,
    }


def bucket_resource(physical: str) -> dict[str, Any]:
    return {
        "StackResourceDetail": {
            "StackName": NAME,
            "StackId": OLD_ID,
            "LogicalResourceId": "HostingBucket",
            "PhysicalResourceId": physical,
            "ResourceType": "AWS::S3::Bucket",
            "ResourceStatus": "CREATE_COMPLETE",
            "LastUpdatedTimestamp": NOW,
        }
    }


@pytest.mark.stub
def test_stub_empty_bucket_stops_when_the_deletes_do_not_take() -> None:
    """DeleteObjects answers success but the versions stay listed (the emulator's deletes
    always take): one clear error at the second listing, not an endless loop."""
    s3 = s3_client()
    with Stubber(s3) as stubber:
        stubber.add_response("list_object_versions", versions(3))
        stubber.add_response("delete_objects", {}, {"Bucket": "b", "Delete": Batch(3)})
        stubber.add_response("list_object_versions", versions(3))
        with pytest.raises(StackError) as err:
            empty_bucket(s3, "b")
        stubber.assert_no_pending_responses()
    assert "still lists 3 object versions after deleting them" in str(err.value)
    assert "run remove again" in str(err.value)


class Batch:
    """Matches a DeleteObjects payload of ``size`` keys, quiet."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, dict)
            and other.get("Quiet") is True
            and len(other.get("Objects", [])) == self.size
        )

    def __repr__(self) -> str:
        return f"<{self.size} keys>"


@pytest.mark.stub
def test_stub_delete_failed_is_explained(cfn: tuple[Any, Stubber], tmp_path: Any) -> None:
    client, stubber = cfn
    s3 = s3_client()
    outputs = [{"OutputKey": "HostingBucketName", "OutputValue": "mine"}]
    stubber.add_response(
        "describe_stacks",
        stack("UPDATE_COMPLETE", Outputs=outputs, EnableTerminationProtection=True),
    )
    stubber.add_response("describe_stack_resource", bucket_resource("mine"))
    stubber.add_response(
        "update_termination_protection",
        {"StackId": OLD_ID},
        {"StackName": OLD_ID, "EnableTerminationProtection": False},
    )
    old = event("UPDATE_COMPLETE")
    stubber.add_response("describe_stack_events", events(old))
    stubber.add_response("delete_stack", {}, {"StackName": OLD_ID})
    reason = "The bucket you tried to delete is not empty"
    failed = event("DELETE_FAILED", "HostingBucket", reason, "AWS::S3::Bucket")
    final = event("DELETE_FAILED", reason="The following resource(s) failed to delete")
    stubber.add_response("describe_stack_events", events(old, failed, final))
    stubber.add_response("describe_stacks", stack("DELETE_FAILED"))
    stubber.add_response("describe_stack_events", events(old, failed, final))
    lines: list[str] = []
    settings = Settings(stage="prod", app_name="site", stack_name=NAME, cloudfront=True)
    with Stubber(s3) as s3_stubber:
        s3_stubber.add_response("list_object_versions", versions(2))
        s3_stubber.add_response("delete_objects", {})
        s3_stubber.add_response("list_object_versions", {"IsTruncated": False})
        with pytest.raises(StackError) as err:
            remove_stage(
                Project.at(tmp_path),
                settings,
                confirm=lambda _q: True,
                purge=False,
                cfn=client,
                s3=s3,
                on_event=lines.append,
                sleep=Sleeps(),
            )
        s3_stubber.assert_no_pending_responses()
    assert "DELETE_FAILED" in str(err.value) and f"HostingBucket: {reason}" in str(err.value)
    assert any(line.startswith("FAILED HostingBucket") for line in lines)


@pytest.mark.stub
def test_stub_remove_never_empties_a_bucket_the_stack_did_not_create(
    cfn: tuple[Any, Stubber], tmp_path: Any
) -> None:
    client, stubber = cfn
    outputs = [{"OutputKey": "HostingBucketName", "OutputValue": "someone-elses"}]
    stubber.add_response("describe_stacks", stack("CREATE_COMPLETE", Outputs=outputs))
    stubber.add_client_error(
        "describe_stack_resource",
        service_error_code="ValidationError",
        service_message=f"Resource HostingBucket does not exist for stack {NAME}",
    )
    stubber.add_response("describe_stack_events", events())
    stubber.add_response("delete_stack", {}, {"StackName": OLD_ID})
    stubber.add_response("describe_stack_events", events())
    stubber.add_response("describe_stacks", stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", events())
    lines: list[str] = []
    settings = Settings(stage="dev", app_name="site", stack_name=NAME)
    s3 = s3_client()
    with Stubber(s3) as s3_stubber:  # no S3 call may happen
        result = remove_stage(
            Project.at(tmp_path),
            settings,
            confirm=lambda _q: True,
            purge=False,
            cfn=client,
            s3=s3,
            on_event=lines.append,
            sleep=Sleeps(),
        )
        s3_stubber.assert_no_pending_responses()
    assert result.removed and result.skipped_bucket == "someone-elses" and result.bucket == ""
    assert any("not emptying bucket someone-elses" in line for line in lines)


def test_confirmation_needs_the_stage_name_for_a_typed_question() -> None:
    answers = iter(["yes", "prod", "y", "n"])
    confirm = confirmation("prod", ask=lambda _q: next(answers))
    typed = "This will delete stack s. To confirm, type the stage name (prod): "
    assert confirm(typed) is False
    assert confirm(typed) is True
    assert confirm("This will delete stack s. Continue? [y/N] ") is True
    assert confirm("This will delete stack s. Continue? [y/N] ") is False


def test_confirmation_without_input_says_to_pass_yes() -> None:
    def closed(_q: str) -> str:
        raise EOFError

    with pytest.raises(SettingsError) as err:
        confirmation("dev", ask=closed)("Continue? [y/N] ")
    assert "--yes" in str(err.value)
