"""Converts CloudFormation property shapes (plain lists, CFN spellings) into the CloudFront
and S3 API shapes moto stores ({Quantity, Items}, API spellings).
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape


def items(values: Any) -> dict[str, Any]:
    """A CloudFront API list: ``{"Quantity": n, "Items": [...]}``."""
    values = list(values or [])
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _forwarded_values(cfn: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = {"QueryString": _truthy(cfn.get("QueryString", False))}
    cookies = dict(cfn.get("Cookies") or {"Forward": "none"})
    if "WhitelistedNames" in cookies:
        cookies["WhitelistedNames"] = items(cookies["WhitelistedNames"])
    api["Cookies"] = cookies
    if "Headers" in cfn:
        api["Headers"] = items(cfn["Headers"])
    if "QueryStringCacheKeys" in cfn:
        api["QueryStringCacheKeys"] = items(cfn["QueryStringCacheKeys"])
    return api


def cache_behavior(cfn: dict[str, Any]) -> dict[str, Any]:
    """A (default) cache behaviour in API shape; FunctionAssociations kept as an API list."""
    api = {
        k: v
        for k, v in cfn.items()
        if k
        not in {
            "AllowedMethods",
            "CachedMethods",
            "ForwardedValues",
            "FunctionAssociations",
            "LambdaFunctionAssociations",
            "TrustedSigners",
            "TrustedKeyGroups",
        }
    }
    allowed = list(cfn.get("AllowedMethods") or ["GET", "HEAD"])
    cached = list(cfn.get("CachedMethods") or ["GET", "HEAD"])
    api["AllowedMethods"] = {**items(allowed), "CachedMethods": items(cached)}
    if "ForwardedValues" in cfn:
        api["ForwardedValues"] = _forwarded_values(cfn["ForwardedValues"])
    for key in ("TrustedSigners", "TrustedKeyGroups"):
        if key in cfn:
            api[key] = items(cfn[key])
    for key in ("MinTTL", "DefaultTTL", "MaxTTL"):
        if key in api:
            api[key] = int(api[key])
    if "Compress" in api:
        api["Compress"] = _truthy(api["Compress"])
    api["FunctionAssociations"] = items(cfn.get("FunctionAssociations"))
    api["LambdaFunctionAssociations"] = items(cfn.get("LambdaFunctionAssociations"))
    return api


def origin(cfn: dict[str, Any]) -> dict[str, Any]:
    api = {k: v for k, v in cfn.items() if k not in {"OriginCustomHeaders", "CustomOriginConfig"}}
    api["CustomHeaders"] = items(cfn.get("OriginCustomHeaders"))
    custom = cfn.get("CustomOriginConfig")
    if custom is not None:
        custom = dict(custom)
        protocols = custom.pop("OriginSSLProtocols", None)
        if protocols is not None:
            custom["OriginSslProtocols"] = items(protocols)
        api["CustomOriginConfig"] = custom
    return api


_VIEWER_CERTIFICATE_NAMES = {
    "AcmCertificateArn": "ACMCertificateArn",
    "IamCertificateId": "IAMCertificateId",
    "SslSupportMethod": "SSLSupportMethod",
}


def distribution_config(cfn: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """An API DistributionConfig from AWS::CloudFront::Distribution's DistributionConfig."""
    api: dict[str, Any] = {
        k: v
        for k, v in cfn.items()
        if k
        not in {
            "Aliases",
            "CNAMEs",
            "Origins",
            "DefaultCacheBehavior",
            "CacheBehaviors",
            "CustomErrorResponses",
            "IPV6Enabled",
            "ViewerCertificate",
            "Restrictions",
            "Logging",
        }
    }
    api["CallerReference"] = caller_reference
    api.setdefault("Comment", "")
    api["Enabled"] = _truthy(cfn.get("Enabled", True))
    api["Aliases"] = items(cfn.get("Aliases") or cfn.get("CNAMEs"))
    api["Origins"] = items([origin(o) for o in cfn.get("Origins") or []])
    api["DefaultCacheBehavior"] = cache_behavior(cfn.get("DefaultCacheBehavior") or {})
    if cfn.get("CacheBehaviors"):
        api["CacheBehaviors"] = items([cache_behavior(b) for b in cfn["CacheBehaviors"]])
    errors = []
    for entry in cfn.get("CustomErrorResponses") or []:
        error = dict(entry)
        error["ErrorCode"] = int(error["ErrorCode"])
        if "ResponseCode" in error:
            error["ResponseCode"] = str(error["ResponseCode"])
        if "ErrorCachingMinTTL" in error:
            error["ErrorCachingMinTTL"] = int(error["ErrorCachingMinTTL"])
        errors.append(error)
    api["CustomErrorResponses"] = items(errors)
    if "IPV6Enabled" in cfn:
        api["IsIPV6Enabled"] = _truthy(cfn["IPV6Enabled"])
    if "ViewerCertificate" in cfn:
        api["ViewerCertificate"] = {
            _VIEWER_CERTIFICATE_NAMES.get(k, k): v for k, v in cfn["ViewerCertificate"].items()
        }
    geo = (cfn.get("Restrictions") or {}).get("GeoRestriction")
    if geo:
        api["Restrictions"] = {
            "GeoRestriction": {"RestrictionType": geo.get("RestrictionType", "none")}
            | ({"Items": list(geo["Locations"])} if geo.get("Locations") else {})
        }
    if cfn.get("Logging"):
        api["Logging"] = {"Enabled": True, **cfn["Logging"]}
    return api


def website_xml(cfn: dict[str, Any]) -> bytes:
    """S3 WebsiteConfiguration XML (what PutBucketWebsite stores) from the CFN property."""
    parts = []
    redirect = cfn.get("RedirectAllRequestsTo")
    if redirect:
        inner = f"<HostName>{escape(str(redirect['HostName']))}</HostName>"
        if redirect.get("Protocol"):
            inner += f"<Protocol>{escape(str(redirect['Protocol']))}</Protocol>"
        parts.append(f"<RedirectAllRequestsTo>{inner}</RedirectAllRequestsTo>")
    if cfn.get("IndexDocument"):
        parts.append(
            f"<IndexDocument><Suffix>{escape(str(cfn['IndexDocument']))}</Suffix></IndexDocument>"
        )
    if cfn.get("ErrorDocument"):
        parts.append(
            f"<ErrorDocument><Key>{escape(str(cfn['ErrorDocument']))}</Key></ErrorDocument>"
        )
    body = "".join(parts)
    return (
        '<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"{body}</WebsiteConfiguration>"
    ).encode()


def encryption(cfn: dict[str, Any]) -> dict[str, Any]:
    """moto's stored encryption dict from the CFN BucketEncryption property."""
    rules = cfn.get("ServerSideEncryptionConfiguration") or [{}]
    rule = rules[0]
    default = dict(rule.get("ServerSideEncryptionByDefault") or {"SSEAlgorithm": "AES256"})
    api_default = {"SSEAlgorithm": default.get("SSEAlgorithm", "AES256")}
    if default.get("KMSMasterKeyID"):
        api_default["KMSMasterKeyID"] = default["KMSMasterKeyID"]
    api_rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": api_default}
    if "BucketKeyEnabled" in rule:
        api_rule["BucketKeyEnabled"] = str(_truthy(rule["BucketKeyEnabled"])).lower()
    return {"@xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": api_rule}


def policy_bytes(document: Any) -> bytes:
    """A bucket policy as stored by PutBucketPolicy."""
    return (document if isinstance(document, str) else json.dumps(document)).encode()


def lifecycle_rules(cfn: dict[str, Any]) -> list[dict[str, Any]]:
    """moto's lifecycle rules (PutBucketLifecycleConfiguration shape) from the CFN property."""
    rules = []
    for rule in cfn.get("Rules") or []:
        api: dict[str, Any] = {
            "ID": str(rule.get("Id", "")),
            "Status": str(rule.get("Status", "Enabled")),
            "Filter": {"Prefix": str(rule.get("Prefix", ""))},
        }
        if "ExpirationInDays" in rule:
            api["Expiration"] = {"Days": str(rule["ExpirationInDays"])}
        noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get(
            "NoncurrentDays", rule.get("NoncurrentVersionExpirationInDays")
        )
        if noncurrent is not None:
            api["NoncurrentVersionExpiration"] = {"NoncurrentDays": str(noncurrent)}
        abort = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        if abort is not None:
            api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": str(abort)}
        rules.append(api)
    return rules
