"""WireKeyValueStore: the key value store calls of a release stage (DescribeKeyValueStore,
GetKey, ListKeys, UpdateKeys) sent over the wire in the REST-JSON protocol of botocore's
``cloudfront-keyvaluestore`` model, signed with SigV4A (``signing``), with s3wire's transport
(pooled connections, botocore's retry rules); answers in botocore's shapes, refusals as the
ClientError botocore raises (the code from ``x-amzn-ErrorType`` or the body, the message from
the body). Any other call, argument or store (``endpoint``) goes to botocore's client, made on
first need.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from amplify_tasks.s3wire import Answer, BotocoreFallback, Request, Transport

from .endpoint import Routes, encode

if TYPE_CHECKING:
    from botocore.exceptions import ClientError, _ClientErrorResponseTypeDef
    from mypy_boto3_cloudfront_keyvaluestore import CloudFrontKeyValueStoreClient

#: A parsed answer: botocore's shape, plain data.
Parsed = dict[str, object]

#: The members of each output shape (ETag comes from the header of that name).
OUTPUTS = {
    "DescribeKeyValueStore": (
        "ItemCount",
        "TotalSizeInBytes",
        "KvsARN",
        "Created",
        "LastModified",
        "Status",
        "FailureReason",
    ),
    "GetKey": ("Key", "Value", "ItemCount", "TotalSizeInBytes"),
    "ListKeys": ("NextToken", "Items"),
    "UpdateKeys": ("ItemCount", "TotalSizeInBytes"),
}
INTEGERS = frozenset({"ItemCount", "TotalSizeInBytes"})
TIMESTAMPS = frozenset({"Created", "LastModified"})
WITH_ETAG = frozenset({"DescribeKeyValueStore", "UpdateKeys"})
#: ListKeys' page size (botocore validates 1 to 50).
PAGE_SIZES = range(1, 51)


class WireKeyValueStore(BotocoreFallback["CloudFrontKeyValueStoreClient"]):
    """The key value store client of a release stage (see the module's doc)."""

    def __init__(
        self,
        transport: Transport,
        routes: Routes,
        botocore: Callable[[], CloudFrontKeyValueStoreClient],
    ) -> None:
        super().__init__(botocore)
        self.transport = transport
        self.routes = routes

    def describe_key_value_store(self, **kw: object) -> Parsed:
        if set(kw) != {"KvsARN"}:
            return self._botocore_call("describe_key_value_store", kw)
        return self.call("DescribeKeyValueStore", kw, "GET", "")

    def get_key(self, **kw: object) -> Parsed:
        key = kw.get("Key")
        if set(kw) != {"KvsARN", "Key"} or not isinstance(key, str) or not key:
            return self._botocore_call("get_key", kw)
        return self.call("GetKey", kw, "GET", f"/keys/{encode(key)}")

    def list_keys(self, **kw: object) -> Parsed:
        token, size = kw.get("NextToken"), kw.get("MaxResults")
        if (
            set(kw) - {"KvsARN", "NextToken", "MaxResults"}
            or not isinstance(token, (str, type(None)))
            or not (size is None or (type(size) is int and size in PAGE_SIZES))
        ):
            return self._botocore_call("list_keys", kw)
        params = {"NextToken": token} if token is not None else {}
        if size is not None:
            params["MaxResults"] = str(size)
        return self.call("ListKeys", kw, "GET", "/keys", params=params)

    def update_keys(self, **kw: object) -> Parsed:
        body = {name: kw[name] for name in ("Puts", "Deletes") if name in kw}
        if (
            set(kw) - {"KvsARN", "IfMatch", "Puts", "Deletes"}
            or not isinstance(kw.get("IfMatch"), str)
            or not all(_items(v, name == "Puts") for name, v in body.items())
        ):
            return self._botocore_call("update_keys", kw)
        headers = {"If-Match": str(kw["IfMatch"]), "Content-Type": "application/json"}
        data = json.dumps(body, separators=(",", ":")).encode()
        return self.call("UpdateKeys", kw, "POST", "/keys", headers=headers, body=data)

    def _botocore_call(self, name: str, kw: Mapping[str, object]) -> Parsed:
        return cast("Parsed", getattr(self.botocore, name)(**kw))

    def call(
        self,
        operation: str,
        kw: Mapping[str, object],
        method: str,
        suffix: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Parsed:
        """Send ``operation`` to the store ``kw["KvsARN"]`` at ``suffix`` below its path;
        its answer in botocore's shape, or the error botocore raises."""
        arn = kw.get("KvsARN")
        target = self.routes.locate(arn) if isinstance(arn, str) else None
        if target is None:  # botocore's rule set decides (and refuses what it refuses)
            return self._botocore_call(_snake(operation), kw)
        request = Request(operation, method, "", None, params, headers, body)
        answer = self.transport.exchange(request, target.host, target.path + suffix, target.via)
        if answer.status >= 300:
            raise refusal(answer, operation)
        try:
            found = json.loads(answer.body) if answer.body.strip() else {}
        except ValueError as exc:
            raise unreadable(exc, answer.body) from None
        if not isinstance(found, dict):
            raise unreadable(ValueError("not a JSON object"), answer.body)
        return parsed(operation, found, answer)


def _items(value: object, puts: bool) -> bool:
    """True for a list of ``{"Key": str}`` (``{"Key": str, "Value": str}`` for puts)."""
    names = {"Key", "Value"} if puts else {"Key"}
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and set(item) == names
        and all(isinstance(item[n], str) for n in names)
        and item["Key"]
        for item in value
    )


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def parsed(operation: str, found: Mapping[str, object], answer: Answer) -> Parsed:
    """The members of ``operation``'s output as botocore's parser gives them."""
    result: Parsed = {}
    for name in OUTPUTS[operation]:
        value = found.get(name)
        if value is None:
            continue
        if name in INTEGERS and isinstance(value, (int, float, str)):
            value = int(value)
        elif name in TIMESTAMPS and isinstance(value, (int, float)):
            value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        elif name == "Items" and isinstance(value, list):
            value = [_item(v) for v in value if isinstance(v, dict)]
        result[name] = value
    etag = answer.headers.get("etag")
    if operation in WITH_ETAG and etag is not None:
        result["ETag"] = etag
    result["ResponseMetadata"] = metadata(answer)
    return result


def _item(value: Mapping[str, object]) -> dict[str, object]:
    return {k: value[k] for k in ("Key", "Value") if value.get(k) is not None}


def metadata(answer: Answer) -> dict[str, object]:
    return {
        "RequestId": answer.headers.get("x-amzn-requestid", ""),
        "HTTPStatusCode": answer.status,
        "HTTPHeaders": dict(answer.headers),
        "RetryAttempts": 0,
    }


def refusal(answer: Answer, operation: str) -> ClientError:
    """The ClientError botocore's REST-JSON parser makes of an error answer: a 5xx that is
    empty or an HTML page gives its status and reason; otherwise the code is the
    ``x-amzn-ErrorType`` header's, else the body's ``code`` or ``__type``, else the status,
    and the message the body's ``message`` or ``Message`` (a body that is not JSON: the
    body itself)."""
    from http.client import responses

    from botocore.exceptions import ClientError

    from amplify_tasks.s3wire.transport import json_error

    text = answer.body.strip()
    if answer.status >= 500 and (not text or text.startswith(b"<html>")):
        code, message = str(answer.status), responses.get(answer.status, "")
    else:
        code, message = json_error(answer)
        code = code or str(answer.status)
    response = {"Error": {"Message": message, "Code": code}, "ResponseMetadata": metadata(answer)}
    return ClientError(cast("_ClientErrorResponseTypeDef", response), operation)


def unreadable(error: Exception, body: bytes) -> Exception:
    """botocore's ResponseParserError for an answer that is not a JSON object."""
    from botocore.parsers import ResponseParserError

    return ResponseParserError(
        f"Unable to parse response ({error}), invalid JSON received. Further retries may "
        f"succeed:\n{body!r}"
    )
