"""`inv hosting.routing`: the stage's `_redirects` and `_headers` as compiled from the dist
folder, the shape that applies them and their use of each limit.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..project import Project
from ._edge import hosting_task
from ._machine import machine_output

if TYPE_CHECKING:
    from collections.abc import Mapping

    from invoke import Context

    from amplify_tasks.routing.report import RoutingReport


@hosting_task(
    help={
        "stage": "stage whose settings and dist folder to read (default: hosting.default_stage)",
        "json": "print the compiled rules and limits as one JSON document, also on failure",
    }
)
def routing(c: Context, stage: str = "", json: bool = False) -> None:
    """Show the compiled _redirects and _headers of the dist folder, and the limits they use."""
    from amplify_tasks.publishing import resolve_stage
    from amplify_tasks.routing import RoutingFiles, RulesError
    from amplify_tasks.routing.report import routing_report
    from amplify_tasks.settings import check_dist_dir, load_settings
    from amplify_tasks.sync import load_ignore_spec, scan_dist
    from amplify_tasks.templates.rendering import rules_code

    known: dict[str, object] = {"stage": stage}
    found: list[RoutingReport] = []

    def body() -> Mapping[str, object]:
        return found[0].document() if found else known

    with machine_output(body, json_output=json):
        project = Project.from_context(c)
        known["stage"] = name = resolve_stage(project, stage)
        settings = load_settings(project, name)
        files = RoutingFiles.from_config(project.config)
        dist = check_dist_dir(project, settings)
        ignore = load_ignore_spec(project.root, settings, files.names).match_file
        keys = [f.key for f in scan_dist(dist, ignore)]
        try:
            report = routing_report(
                name,
                dist,
                files,
                keys,
                cloudfront=settings.cloudfront,
                clean_urls=settings.clean_urls,
                index_document=settings.index_document,
                evaluator_bytes=len(rules_code(project).encode()),
            )
        except RulesError as exc:
            for line in exc.problems[1:] if len(exc.problems) > 1 else ():
                sys.stderr.write(f"  {line}\n")
            raise
        found.append(report)
        if not json:
            print("\n".join(report.lines()))
