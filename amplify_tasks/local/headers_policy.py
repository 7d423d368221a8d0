"""Response headers policies on the responses a distribution serves from its origin: the
security headers (Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options,
Referrer-Policy, X-XSS-Protection, Content-Security-Policy), custom headers and removed
headers, each security or custom header kept from the origin unless the policy overrides it.
Policies are the AWS managed ones with security headers (by id) or the
AWS::CloudFront::ResponseHeadersPolicy resources the emulator keeps. CORS headers are not
added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Headers = list[tuple[str, str]]

#: The managed SecurityHeadersPolicy's headers, as AWS documents them.
_MANAGED_SECURITY_HEADERS: dict[str, Any] = {
    "SecurityHeadersConfig": {
        "StrictTransportSecurity": {"AccessControlMaxAgeSec": 31536000, "Override": False},
        "ContentTypeOptions": {"Override": True},
        "FrameOptions": {"FrameOption": "SAMEORIGIN", "Override": False},
        "ReferrerPolicy": {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": False},
        "XSSProtection": {"Protection": True, "ModeBlock": True, "Override": False},
    }
}

#: Managed policies by id: SecurityHeadersPolicy, and the two that combine it with CORS
#: (their CORS part is not emulated).
MANAGED: dict[str, dict[str, Any]] = {
    "67f7725c-6f97-4210-82d7-5512b31e9d03": _MANAGED_SECURITY_HEADERS,
    "e61eb60c-9c35-4d20-a928-2b84e02af89c": _MANAGED_SECURITY_HEADERS,
    "eaab4381-ed33-4a86-88ca-d9558dc6cd63": _MANAGED_SECURITY_HEADERS,
}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _hsts(config: dict[str, Any]) -> str:
    value = f"max-age={int(config.get('AccessControlMaxAgeSec', 0))}"
    if _truthy(config.get("IncludeSubdomains")):
        value += "; includeSubDomains"
    if _truthy(config.get("Preload")):
        value += "; preload"
    return value


def _xss(config: dict[str, Any]) -> str:
    if not _truthy(config.get("Protection")):
        return "0"
    value = "1"
    if _truthy(config.get("ModeBlock")):
        value += "; mode=block"
    if config.get("ReportUri"):
        value += f"; report={config['ReportUri']}"
    return value


#: Security header config key -> (header name, value from its config).
_SECURITY: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "StrictTransportSecurity": ("Strict-Transport-Security", _hsts),
    "ContentTypeOptions": ("X-Content-Type-Options", lambda c: "nosniff"),
    "FrameOptions": ("X-Frame-Options", lambda c: str(c.get("FrameOption", "SAMEORIGIN"))),
    "ReferrerPolicy": ("Referrer-Policy", lambda c: str(c.get("ReferrerPolicy", ""))),
    "XSSProtection": ("X-XSS-Protection", _xss),
    "ContentSecurityPolicy": (
        "Content-Security-Policy",
        lambda c: str(c.get("ContentSecurityPolicy", "")),
    ),
}


def _items(value: Any) -> list[dict[str, Any]]:
    """A CloudFormation list or an API ``{Items: [...]}`` as a list."""
    if isinstance(value, dict):
        value = value.get("Items") or []
    return [v for v in value or [] if isinstance(v, dict)]


def _set(headers: Headers, name: str, value: str, override: bool) -> Headers:
    present = any(k.lower() == name.lower() for k, _ in headers)
    if present and not override:
        return headers
    return [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]


def apply(config: dict[str, Any] | None, headers: Headers) -> Headers:
    """``headers`` as the policy ``config`` (ResponseHeadersPolicyConfig) leaves them."""
    if not config:
        return headers
    removed = {str(i.get("Header", "")).lower() for i in _items(config.get("RemoveHeadersConfig"))}
    result = [(k, v) for k, v in headers if k.lower() not in removed]
    security = config.get("SecurityHeadersConfig") or {}
    for key, (name, render) in _SECURITY.items():
        if key in security:
            item = security[key] or {}
            result = _set(result, name, render(item), _truthy(item.get("Override")))
    for item in _items((config.get("CustomHeadersConfig") or {}).get("Items")):
        name, value = str(item.get("Header", "")), str(item.get("Value", ""))
        result = _set(result, name, value, _truthy(item.get("Override")))
    return result


def policy_config(policy_id: str | None, stored: Callable[[str], dict[str, Any]]) -> Any:
    """The ResponseHeadersPolicyConfig of a policy id: a managed one or a stored resource."""
    if not policy_id:
        return None
    if policy_id in MANAGED:
        return MANAGED[policy_id]
    properties = stored(policy_id).get("Properties") or {}
    return properties.get("ResponseHeadersPolicyConfig")
