"""WireCloudFormation: the stack check of a publish (DescribeStacks, GetTemplate) sent over
the wire in CloudFormation's query protocol, signed with SigV4, with botocore's retry rules
and exceptions (s3wire's transport); botocore's client, made on first need, for any other
call or argument.
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode
from xml.etree import ElementTree

from amplify_tasks.s3wire import Answer, BotocoreFallback, Request, Transport, client_error

from .parse import Parsed, parse_result

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

#: The API version the query protocol names in every request.
API_VERSION = "2010-05-15"

#: The arguments each operation sends over the wire (any other goes to botocore).
ARGUMENTS = {
    "DescribeStacks": frozenset({"StackName"}),
    "GetTemplate": frozenset({"StackName", "TemplateStage", "ChangeSetName"}),
}


@dataclass(frozen=True)
class Meta:
    """What the tool reads of a client's ``meta``."""

    region_name: str


class WireCloudFormation(BotocoreFallback["CloudFormationClient"]):
    """The CloudFormation client of a publish (see the module's doc)."""

    def __init__(self, transport: Transport, botocore: Callable[[], CloudFormationClient]) -> None:
        super().__init__(botocore)
        self.transport = transport
        self.meta = Meta(transport.endpoint.region)

    def describe_stacks(self, **kw: object) -> Parsed:
        if set(kw) - ARGUMENTS["DescribeStacks"]:
            return cast("Parsed", self.botocore.describe_stacks(**kw))  # type: ignore[arg-type]
        return self.call("DescribeStacks", kw)

    def get_template(self, **kw: object) -> Parsed:
        if set(kw) - ARGUMENTS["GetTemplate"]:
            return cast("Parsed", self.botocore.get_template(**kw))  # type: ignore[arg-type]
        parsed = self.call("GetTemplate", kw)
        body = parsed.get("TemplateBody")
        if isinstance(body, str):  # botocore decodes a JSON template (its after-call handler)
            with contextlib.suppress(ValueError):
                parsed["TemplateBody"] = json.loads(body, object_pairs_hook=OrderedDict)
        return parsed

    def call(self, action: str, arguments: dict[str, object]) -> Parsed:
        """Send ``action`` with ``arguments`` (plain strings); its parsed result, or the
        ClientError botocore raises for a refusal."""
        form = {"Action": action, "Version": API_VERSION}
        form |= {k: str(v) for k, v in arguments.items() if v is not None}
        request = Request(
            action,
            "POST",
            "",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            body=urlencode(form).encode(),
        )
        endpoint = self.transport.endpoint
        answer = self.transport.exchange(request, endpoint.netloc, endpoint.base_path or "/")
        if answer.status >= 300:
            raise refusal(answer, action)
        try:
            return parse_result(answer.body, action, answer.status, answer.headers)
        except ElementTree.ParseError as exc:
            raise unreadable(exc, answer.body) from None


def refusal(answer: Answer, action: str) -> Exception:
    """What botocore raises for an error answer: a ClientError with the query protocol's
    code and message (a 5xx that is empty or an HTML page: the status), else, for a body
    that is not XML, the ResponseParserError of an unreadable answer."""
    body = answer.body.strip()
    if answer.status >= 500 and (not body or body.startswith(b"<html>")):
        return client_error(answer, action)
    try:
        ElementTree.fromstring(answer.body)
    except ElementTree.ParseError as exc:
        return unreadable(exc, answer.body)
    return client_error(answer, action)


def unreadable(error: Exception, body: bytes) -> Exception:
    """botocore's ResponseParserError for a body that is not XML (its words)."""
    from botocore.parsers import ResponseParserError

    return ResponseParserError(
        f"Unable to parse response ({error}), invalid XML received. Further retries may "
        f"succeed:\n{body!r}"
    )
