"""`inv hosting.routing`: a stage's rules as compiled from its dist folder, the shape that
applies them, and how much of each limit they use, as lines and as a --json document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .files import RoutingFiles, read_rules
from .rules import CompiledRules, Usage, check_cloudfront, cloudfront_usage, compile_rules
from .website import MAX_ROUTING_RULES, WebsiteRules, website_rules

#: CloudFront's limit on a function's code.
FUNCTION_MAX_BYTES = 10 * 1024
#: The release name the report sizes store keys with (a release id's length).
SAMPLE_RELEASE = "20260101t000000z-0000000"


@dataclass(frozen=True)
class RoutingReport:
    stage: str
    cloudfront: bool
    rules: CompiledRules
    files: RoutingFiles
    evaluator_bytes: int
    website: WebsiteRules | None = None
    usage: tuple[Usage, ...] = field(default_factory=tuple)

    @property
    def shape(self) -> str:
        return "cloudfront" if self.cloudfront else "s3-website"

    def applied_by(self) -> str:
        if self.cloudfront:
            return (
                "CloudFront: compiled and checked against the limits; each release carries "
                "them, the viewer-request function applies the redirects, rewrites and clean "
                "URLs, a viewer-response function the headers (a stage publishing in place, "
                "HOSTING_RELEASES=false, does not apply them)"
            )
        return "S3 website: publish puts redirect objects and routing rules"

    def document(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "stage": self.stage,
            "shape": self.shape,
            "files": {"redirects": self.files.redirects, "headers": self.files.headers},
            "redirects": self.rules.redirects_doc(),
            "headers": self.rules.headers_doc(),
            "limits": [u.as_dict() for u in self.usage],
        }
        if self.website is not None:
            doc["website"] = {
                "objects": self.website.objects,
                "routing_rules": list(self.website.routing_rules),
                "warnings": list(self.website.warnings),
            }
        return doc

    def lines(self) -> list[str]:
        out = [
            f"stage {self.stage}: {len(self.rules.redirects)} redirect rule(s) "
            f"({self.files.redirects}), {len(self.rules.headers)} header block(s) "
            f"({self.files.headers}), clean URLs {'on' if self.rules.clean_urls else 'off'}",
            f"applied by: {self.applied_by()}",
        ]
        for rule in self.rules.redirects:
            force = "!" if rule.force else ""
            out.append(f"  {rule.line:>4}  {rule.source}  {rule.target}  {rule.status}{force}")
        for block in self.rules.headers:
            names = ", ".join(n for n, _ in block.headers) or "-"
            out.append(f"  {block.line:>4}  {block.pattern}: {names}")
        if self.website is not None:
            out.append(
                f"website: {len(self.website.objects)} redirect object(s), "
                f"{len(self.website.routing_rules)} routing rule(s)"
            )
            out += [f"warning: {w}" for w in self.website.warnings]
        out.append("limits:")
        out += [f"  {u.what}: {u.used:,} of {u.limit:,}" for u in self.usage]
        return out


def routing_report(
    stage: str,
    dist: Path,
    files: RoutingFiles,
    keys: list[str],
    *,
    cloudfront: bool,
    clean_urls: bool,
    index_document: str,
    evaluator_bytes: int,
) -> RoutingReport:
    """The report of ``dist`` (whose publishable bucket keys are ``keys``); RulesError when a
    file has a bad line or the rules pass the shape's limits."""
    site = read_rules(dist, files)
    rules = compile_rules(
        site.redirects, site.headers, clean_urls=clean_urls, files=["/" + k for k in keys]
    )
    if cloudfront:
        check_cloudfront(rules, files.names)
        usage = [
            *cloudfront_usage(SAMPLE_RELEASE, rules),
            Usage(
                "evaluator code bytes (of a function's 10 KB)", evaluator_bytes, FUNCTION_MAX_BYTES
            ),
        ]
        return RoutingReport(stage, True, rules, files, evaluator_bytes, None, tuple(usage))
    website = website_rules(site, keys, index_document=index_document, clean_urls=clean_urls)
    usage = [Usage("S3 website routing rules", len(website.routing_rules), MAX_ROUTING_RULES)]
    return RoutingReport(stage, False, rules, files, evaluator_bytes, website, tuple(usage))
