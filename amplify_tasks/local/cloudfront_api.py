"""The CloudFront Functions API calls moto lacks or keeps incomplete, patched into moto's
CloudFront responses inside the emulator: CreateFunction with the size limit and key value
store associations, UpdateFunction and PublishFunction with If-Match, and the LIVE stage of
GetFunction and DescribeFunction, DeleteFunction with If-Match.
"""

from __future__ import annotations

from typing import Any

from . import function_store, functions

_PUBLISH_PATH = "{0}/2020-05-31/function/(?P<function_name>[^/]+)/publish$"


def _function(response: Any) -> Any:
    return response.backend.describe_function(response._get_param("Name"))


def _check_if_match(response: Any, function: Any) -> None:
    from moto.cloudfront.exceptions import CloudFrontException, InvalidIfMatchVersion

    if_match = response._get_param("IfMatch")
    if not if_match:
        raise InvalidIfMatchVersion()
    if if_match != function.etag:
        raise CloudFrontException(
            "PreconditionFailed",
            "The precondition in one or more of the request fields evaluated to false.",
        )


def _summary(function: Any, stage: str | None = None) -> dict[str, Any]:
    summary = dict(function.function_summary)
    if stage == "LIVE" and getattr(function, "live_code", None) is not None:
        summary["FunctionConfig"] = function.live_config
        summary["FunctionMetadata"] = {**summary["FunctionMetadata"], "Stage": "LIVE"}
    elif stage == "DEVELOPMENT":
        summary["FunctionMetadata"] = {**summary["FunctionMetadata"], "Stage": "DEVELOPMENT"}
    return summary


def create_function(self: Any) -> Any:
    from moto.core.responses import ActionResult

    code = bytes(self._get_param("FunctionCode") or b"")
    config = dict(self._get_param("FunctionConfig", {}) or {})
    function_store.check_code(code)
    shaped = function_store.api_config(config)
    tags = self._get_param("Tags.Items", []) or []
    function = self.backend.create_function(
        name=self._get_param("Name"), function_config=shaped, function_code=code, tags=tags
    )
    function_store.set_development(function, code, shaped)
    return ActionResult(
        {
            "FunctionSummary": function.function_summary,
            "Location": f"https://cloudfront.amazonaws.com/2020-05-31/function/{function.name}",
            "ETag": function.etag,
        }
    )


def update_function(self: Any) -> Any:
    from moto.core.responses import ActionResult

    function = _function(self)
    _check_if_match(self, function)
    code = bytes(self._get_param("FunctionCode") or b"")
    function_store.set_development(function, code, dict(self._get_param("FunctionConfig") or {}))
    return ActionResult({"FunctionSummary": _summary(function), "ETag": function.etag})


def publish_function(self: Any) -> Any:
    from moto.core.responses import ActionResult

    function = _function(self)
    _check_if_match(self, function)
    function_store.publish(function)
    return ActionResult({"FunctionSummary": _summary(function, "LIVE")})


def describe_function(self: Any) -> Any:
    from moto.core.responses import ActionResult

    function = _function(self)
    summary = _summary(function, self._get_param("Stage"))
    return ActionResult({"FunctionSummary": summary, "ETag": function.etag})


def get_function(self: Any) -> Any:
    from moto.core.responses import ActionResult

    function = _function(self)
    live = self._get_param("Stage") == "LIVE" and getattr(function, "live_code", None) is not None
    return ActionResult(
        {
            "FunctionCode": function.live_code if live else function.code,
            "ETag": function.etag,
            "ContentType": "application/octet-stream",
        }
    )


def delete_function(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    function = _function(self)
    _check_if_match(self, function)
    self.backend.functions.pop(function.name, None)
    functions.RUNTIMES.forget(function.arn)
    return EmptyResult()


def install() -> None:
    """Patch moto's CloudFront responses and routes (idempotent)."""
    from moto.cloudfront import urls
    from moto.cloudfront.responses import CloudFrontResponse

    urls.url_paths.setdefault(_PUBLISH_PATH, CloudFrontResponse.dispatch)
    for handler in (
        create_function,
        update_function,
        publish_function,
        describe_function,
        get_function,
        delete_function,
    ):
        setattr(CloudFrontResponse, handler.__name__, handler)
