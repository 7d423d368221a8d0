"""CloudFront Functions as the CloudFront API keeps them, on moto's function objects: the
DEVELOPMENT code and configuration (CreateFunction, UpdateFunction) and the LIVE copy that
PublishFunction makes and distributions run; AWS's 10 KB code limit and its one key value
store per function.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

#: CloudFront refuses function code above 10 KB (FunctionSizeLimitExceeded).
FUNCTION_MAX_BYTES = 10 * 1024
#: A function is associated with at most one key value store.
KVS_PER_FUNCTION = 1


def _cloudfront_error(code: str, message: str) -> Exception:
    from moto.cloudfront.exceptions import CloudFrontException

    return CloudFrontException(code, message)


def check_code(code: bytes) -> None:
    """Refuse code above the size limit as CloudFront does."""
    if len(code) > FUNCTION_MAX_BYTES:
        raise _cloudfront_error(
            "FunctionSizeLimitExceeded",
            f"The function code is {len(code)} bytes; the maximum size is "
            f"{FUNCTION_MAX_BYTES} bytes.",
        )


def kvs_arns(config: dict[str, Any]) -> list[str]:
    """The ARNs of the key value stores of a FunctionConfig, API ({Quantity, Items}) or
    CloudFormation (plain list) shape."""
    associations = config.get("KeyValueStoreAssociations") or []
    if isinstance(associations, dict):
        associations = associations.get("Items") or []
    if isinstance(associations, dict):  # one XML item parsed as a dict
        associations = list(associations.values())
    return [str(a["KeyValueStoreARN"]) for a in associations if a.get("KeyValueStoreARN")]


def api_config(config: dict[str, Any]) -> dict[str, Any]:
    """A FunctionConfig in the API's shape, whatever shape it came in."""
    result = {k: v for k, v in config.items() if k != "KeyValueStoreAssociations"}
    result.setdefault("Comment", "")
    arns = kvs_arns(config)
    if len(arns) > KVS_PER_FUNCTION:
        raise _cloudfront_error(
            "InvalidArgument",
            f"A function can be associated with {KVS_PER_FUNCTION} key value store; "
            f"this one lists {len(arns)}.",
        )
    items = [{"KeyValueStoreARN": arn} for arn in arns]
    result["KeyValueStoreAssociations"] = (
        {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}
    )
    return result


def new_etag() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "E" + "".join(secrets.choice(alphabet) for _ in range(13))


def set_development(function: Any, code: bytes, config: dict[str, Any]) -> None:
    """New DEVELOPMENT code and configuration (validated first: nothing changes on refusal)."""
    check_code(code)
    shaped = api_config(config)
    function.code = code
    function.config = shaped
    function.etag = new_etag()
    if getattr(function, "live_code", None) is None:
        function.stage = "DEVELOPMENT"
        function.status = "UNPUBLISHED"


def publish(function: Any) -> None:
    """Copy DEVELOPMENT to LIVE: what distributions run from now on."""
    function.live_code = bytes(function.code or b"")
    function.live_config = dict(function.config or {})
    function.live_etag = function.etag
    function.stage = "LIVE"
    function.status = "DEPLOYED"


@dataclass(frozen=True)
class LiveFunction:
    """The published version of a function: what a distribution runs."""

    arn: str
    name: str
    version: str
    code: str
    kvs_arns: tuple[str, ...]


def live(function: Any) -> LiveFunction | None:
    """The LIVE version of a moto function object, None before its first publish."""
    code = getattr(function, "live_code", None)
    if code is None:
        return None
    return LiveFunction(
        arn=str(function.arn),
        name=str(function.name),
        version=str(function.live_etag),
        code=bytes(code).decode("utf-8", "replace"),
        kvs_arns=tuple(kvs_arns(function.live_config)),
    )
