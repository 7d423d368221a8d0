"""Reading CloudFormation's query-protocol answers as botocore's parser reads them: a
``<member>`` list per list field, booleans, integers and timestamps typed by their field's
name (the shapes of DescribeStacks and GetTemplate), ``ResponseMetadata`` added.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from xml.etree import ElementTree

#: The list, boolean, integer and timestamp fields of DescribeStacks' and GetTemplate's
#: output shapes (botocore's cloudformation 2010-05-15 model).
LISTS = frozenset(
    {
        "Stacks",
        "Parameters",
        "Outputs",
        "Tags",
        "Capabilities",
        "NotificationARNs",
        "RollbackTriggers",
        "LastOperations",
        "StagesAvailable",
    }
)
BOOLEANS = frozenset(
    {"DisableRollback", "UsePreviousValue", "RetainExceptOnCreate", "EnableTerminationProtection"}
)
INTEGERS = frozenset({"MonitoringTimeInMinutes", "TimeoutInMinutes"})
TIMESTAMPS = frozenset({"DeletionTime", "CreationTime", "LastUpdatedTime", "LastCheckTimestamp"})

#: A parsed answer: botocore's shape, plain data.
Parsed = dict[str, object]


def parse_result(body: bytes, action: str, status: int, headers: Mapping[str, str]) -> Parsed:
    """The ``<ActionResult>`` of an answer as botocore gives it, with ResponseMetadata."""
    root = ElementTree.fromstring(body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    result = root.find(f"{ns}{action}Result")
    parsed: Parsed = {} if result is None else _structure(result, ns)
    parsed["ResponseMetadata"] = {
        "RequestId": root.findtext(f"{ns}ResponseMetadata/{ns}RequestId") or "",
        "HTTPStatusCode": status,
        "HTTPHeaders": dict(headers),
        "RetryAttempts": 0,
    }
    return parsed


def _structure(element: ElementTree.Element, ns: str) -> Parsed:
    return {child.tag[len(ns) :]: _value(child, child.tag[len(ns) :], ns) for child in element}


def _value(element: ElementTree.Element, name: str, ns: str) -> object:
    if name in LISTS:
        return [_member(m, ns) for m in element if m.tag == f"{ns}member"]
    if len(element):
        return _structure(element, ns)
    text = element.text or ""
    if name in BOOLEANS:
        return text.strip().lower() == "true"
    if name in INTEGERS:
        return int(text)
    if name in TIMESTAMPS:
        return timestamp(text)
    return text


def _member(element: ElementTree.Element, ns: str) -> object:
    return _structure(element, ns) if len(element) else element.text or ""


def timestamp(text: str) -> datetime.datetime:
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no zone), as
    botocore's parser gives it."""
    value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
