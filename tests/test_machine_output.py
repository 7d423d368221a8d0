"""`inv publish --json` and `inv hosting.status --json` as CI runs them, on the emulator: one
JSON document on stdout that the shipped schema accepts, every human line on stderr, the
document also on failure (``ok: false``, the error's kind and its one line, no secret), and
the Markdown step summary appended to GITHUB_STEP_SUMMARY.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_publish import Site, new_site

import amplify_tasks
from amplify_tasks.publishing import PublishSummary, publish_document
from amplify_tasks.publishing.document import step_summary
from amplify_tasks.tasks._edge import EXIT_CODES
from amplify_tasks.tasks._machine import envelope

SCHEMAS = Path(amplify_tasks.__file__).parent / "schemas"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def document(result: Any, name: str) -> dict[str, Any]:
    """The one document on stdout, checked against its schema."""
    doc: dict[str, Any] = json.loads(result.stdout)  # nothing else is on stdout
    jsonschema.validate(doc, schema(name), cls=jsonschema.Draft202012Validator)
    return doc


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    return new_site(inv_project, emulator, unique_name)


def test_publish_json_is_one_document_and_the_human_lines_go_to_stderr(site: Site) -> None:
    result = site.publish("--json")
    doc = document(result, "publish")
    assert doc["ok"] is True and doc["stage"] == "dev" and doc["dry_run"] is False
    assert doc["counts"] == {"uploaded": 4, "copied": 0, "deleted": 0, "unchanged": 0, "failed": 0}
    assert doc["bucket"] == site.bucket and doc["site_url"].startswith("http://127.0.0.1:")
    assert doc["bytes_sent"] > 0 and doc["seconds"] > 0 and "error" not in doc
    assert "release" not in doc  # a stage without releases
    # the text summary, stack events and hook output: all on stderr
    assert "uploaded       4" in result.stderr and "published stage dev" in result.stderr
    assert "CREATE_COMPLETE" in result.stderr and "[smoke-test] GET " in result.stderr
    again = document(site.publish("--json"), "publish")
    assert again["counts"]["unchanged"] == 4 and again["counts"]["uploaded"] == 0


def test_a_dry_run_document_counts_what_would_be_done(site: Site) -> None:
    site.publish()
    site.project.write("dist/css/site.css", "body { margin: 9px }")
    doc = document(site.publish("--json", "--dry-run"), "publish")
    assert doc["ok"] is True and doc["dry_run"] is True
    assert doc["counts"]["uploaded"] == 1 and doc["counts"]["unchanged"] == 3


def test_a_failed_publish_still_prints_its_document_with_the_error_line(site: Site) -> None:
    site.project.env["HOSTING_MAX_DELETES"] = "many"  # a bad setting
    result = site.publish("--json", check=False)
    doc = document(result, "publish")
    assert result.returncode == 2 and doc["ok"] is False
    assert doc["error"]["kind"] == "settings" and "HOSTING_MAX_DELETES" in doc["error"]["message"]
    assert result.stderr.strip().splitlines()[-1] == f"error: {doc['error']['message']}"
    assert "Traceback" not in result.stdout + result.stderr


LEAKY_HOOK = """
import os

def hook(ctx):
    print("hook says", os.environ["SITE_API_TOKEN"])
    os.system("echo from a child process")
    raise RuntimeError("failing with " + os.environ["SITE_API_TOKEN"])
"""


def test_hook_output_goes_to_stderr_and_the_error_is_masked(site: Site) -> None:
    token = "tok-EXAMPLE-9f8e7d6c5b4a"
    site.project.env["SITE_API_TOKEN"] = token
    site.project.write("leaky.py", LEAKY_HOOK)
    site.project.write("invoke.yaml", "hosting:\n  hooks:\n    pre-publish: [leaky:hook]\n")
    result = site.publish("--json", check=False)
    doc = document(result, "publish")
    assert result.returncode == 1 and doc["error"]["kind"] == "hook"
    assert doc["error"]["message"].endswith("raised RuntimeError: failing with ***")
    assert "[leaky:hook] hook says ***" in result.stderr
    assert "from a child process" in result.stderr
    assert token not in result.stdout + result.stderr


def test_a_stack_error_document(site: Site) -> None:
    result = site.publish("--json", "--skip-backend", check=False)  # no stack deployed yet
    doc = document(result, "publish")
    assert result.returncode == 1 and doc["ok"] is False and doc["error"]["kind"] == "stack"
    assert "--skip-backend" in doc["error"]["message"]
    assert doc["counts"]["uploaded"] == 0 and doc["bucket"] == ""


def test_a_sync_failure_document_counts_what_was_done(site: Site) -> None:
    site.publish()
    site.project.write("dist/css/site.css", "body { margin: 8px }")
    site.project.write("dist/js/app.3f9a1c2b.js", "console.log(8)")
    site.emulator.inject_fault(403, method="PUT", path_regex=r"/css/site\.css", code="AccessDenied")
    try:
        result = site.publish("--json", check=False)
    finally:
        site.emulator.clear_faults()
    doc = document(result, "publish")
    assert result.returncode == 1 and doc["error"]["kind"] == "sync"
    assert doc["counts"]["failed"] == 1 and doc["counts"]["uploaded"] == 1
    assert "AccessDenied" in doc["error"]["message"]


def test_status_json_validates_deployed_absent_and_failed(site: Site) -> None:
    absent = document(site.project.run("hosting.status", "--stage", "dev", "--json"), "status")
    assert absent["ok"] is True and absent["exists"] is False
    site.publish()
    result = site.project.run("hosting.status", "--stage", "dev", "--json")
    report = document(result, "status")
    assert report["exists"] is True and report["state"] and report["objects"] == 4
    assert report["outputs"]["bucket"] == site.bucket and report["site_url"]
    text = site.project.run("hosting.status", "--stage", "dev").stdout
    assert report["site_url"] in text and report["status"] in text
    failed = site.project.run("hosting.status", "--stage", "nope", "--json", check=False)
    doc = document(failed, "status")
    assert failed.returncode == 2 and doc == {
        "version": 1,
        "ok": False,
        "stage": "nope",
        "error": doc["error"],
    }
    assert doc["error"]["kind"] == "settings" and ".env.nope" in doc["error"]["message"]
    site.project.write("invoke.yaml", "hosting:\n  default_stage: dev\n")
    site.emulator.inject_fault(403, service="cloudformation", operation="DescribeStacks", count=20)
    try:
        refused = site.project.run("hosting.status", "--json", check=False)
    finally:
        site.emulator.clear_faults()
    doc = document(refused, "status")
    assert refused.returncode == 1 and doc["error"]["kind"] == "aws" and doc["stage"] == "dev"


def test_the_step_summary_is_appended_to_github_step_summary(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    site.project.env["GITHUB_STEP_SUMMARY"] = str(path)
    doc = document(site.publish("--json"), "publish")
    text = path.read_text()
    assert text.startswith("earlier step\n### Published stage `dev`")
    assert f"| Site | {doc['site_url']} |" in text and "| Uploaded | 4 |" in text
    assert "| Bytes sent | " in text and "| Time | " in text
    site.project.env["HOSTING_MAX_DELETES"] = "-1"
    site.publish(check=False)  # without --json too
    assert "### Publish of stage `dev` failed" in path.read_text()
    assert "**settings**: " in path.read_text()


def test_a_step_summary_file_that_cannot_be_written_does_not_fail_the_publish(
    site: Site, tmp_path: Path
) -> None:
    site.project.env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "no-such-folder" / "summary.md")
    result = site.publish()
    assert "note: the step summary was not written to" in result.stderr


def test_release_fields_appear_in_the_document_and_the_step_summary() -> None:
    summary = PublishSummary("prod", release_id="r-0002", previous_release="r-0001")
    doc = envelope(publish_document(summary), None)
    jsonschema.validate(doc, schema("publish"), cls=jsonschema.Draft202012Validator)
    assert doc["release"] == {"id": "r-0002", "previous": "r-0001"}
    assert "| Release | `r-0002` (previous: `r-0001`) |" in step_summary(doc)
    preview = {**doc, "preview_url": "https://preview.example.test/"}
    jsonschema.validate(preview, schema("publish"), cls=jsonschema.Draft202012Validator)
    assert "| Preview | https://preview.example.test/ |" in step_summary(preview)


def test_the_schemas_name_every_error_kind_of_the_exit_code_table() -> None:
    for name in ("publish", "status"):
        loaded = schema(name)
        error = loaded.get("$defs", {}).get("error") or loaded["properties"]["error"]
        assert set(error["properties"]["kind"]["enum"]) == set(EXIT_CODES), name
