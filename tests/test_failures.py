"""Every failure is one line: `inv` run as a user would, against the emulator. Each case exits
non-zero with exactly one line on stderr, starting ``error:``, and no traceback; with
``--debug`` the same failure shows its traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

SITE = {
    "dist/index.html": "<!doctype html><title>home</title>",
    "dist/css/site.css": "body { margin: 0 }",
}


def assert_one_line(result: Any) -> str:
    """The failure's one line (stderr holds nothing else)."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return str(lines[0])


def assert_debug_traceback(project: Any, *args: str) -> None:
    result = project.run("--debug", *args, check=False)
    assert result.returncode != 0
    assert "Traceback" in result.stderr, result.stderr[-2000:]


def fails_in_one_line(project: Any, *args: str) -> str:
    """Run `inv *args`: one line without --debug, a traceback with it."""
    line = assert_one_line(project.run(*args, check=False))
    assert_debug_traceback(project, *args)
    return line


def s3_writes(emulator: Any) -> list[str]:
    """The S3 writes of the site's objects (the stage lock under the tool's state is not one)."""
    return [
        r["operation"]
        for r in emulator.requests(service="s3")
        if r["method"] in {"PUT", "POST", "DELETE"}
        and not str(r.get("key") or "").startswith(".amplify-tasks/")
    ]


@pytest.fixture
def project(inv_project: Any, unique_name: Callable[[str], str]) -> Any:
    """A project with stage dev added and a small dist folder."""
    return inv_project.add_stage("dev", unique_name("fail"), SITE)


PUBLISH = ("publish", "--stage", "dev")


# -- the ignore file ----------------------------------------------------------------------
def test_ignore_file_that_is_a_folder_is_one_line(project: Any) -> None:
    (project.root / ".publishignore").unlink()
    (project.root / ".publishignore").mkdir()
    line = fails_in_one_line(project, *PUBLISH)
    assert "HOSTING_IGNORE_FILE" in line and "folder" in line


def test_ignore_file_that_is_binary_is_one_line(project: Any) -> None:
    (project.root / "ignore.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    project.env["HOSTING_IGNORE_FILE"] = "ignore.bin"
    line = fails_in_one_line(project, *PUBLISH)
    assert "HOSTING_IGNORE_FILE" in line and "ignore.bin" in line and "not UTF-8 text" in line


def test_configure_ignore_on_a_folder_is_one_line(project: Any) -> None:
    (project.root / ".publishignore").unlink()
    (project.root / ".publishignore").mkdir()
    line = fails_in_one_line(project, "hosting.configure", "--stage", "dev", "--ignore", "*.map")
    assert "HOSTING_IGNORE_FILE" in line


# -- AWS refusing or garbling an answer ---------------------------------------------------
def test_refused_invalidation_is_one_line_naming_the_command_to_run(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    inv_project.env["HOSTING_RELEASES"] = "false"  # a release stage needs no invalidation
    inv_project.add_stage("prod", unique_name("inval"), SITE)
    inv_project.run("publish", "--stage", "prod")
    for n in range(2):
        inv_project.write("dist/css/site.css", f"body {{ margin: {n + 1}px }}")
        emulator.inject_fault(
            400,
            service="cloudfront",
            operation="CreateInvalidation",
            code="TooManyInvalidationsInProgress",
            message="Processing your request will cause you to exceed the maximum number",
        )
        args = ("publish", "--stage", "prod", "-c")
        if n == 0:
            line = assert_one_line(inv_project.run(*args, check=False))
        else:
            assert_debug_traceback(inv_project, *args)
    emulator.clear_faults()
    assert "TooManyInvalidationsInProgress" in line and "CreateInvalidation" in line
    assert "aws cloudfront create-invalidation --distribution-id" in line
    assert "/css/site.css" in line


def test_refused_request_on_a_worker_thread_is_one_line(project: Any, emulator: Any) -> None:
    """The bucket listing runs on the thread pool while the stack is checked."""
    project.run(*PUBLISH)
    project.write("dist/css/site.css", "body { margin: 3px }")
    emulator.inject_fault(
        400, service="s3", operation="ListObjectsV2", code="InvalidRequest", count=4
    )
    try:
        line = assert_one_line(project.run(*PUBLISH, check=False))
    finally:
        emulator.clear_faults()
    assert "ListObjectsV2" in line and "InvalidRequest" in line


def test_non_xml_5xx_answer_is_one_line(project: Any, emulator: Any) -> None:
    for debug in (False, True):
        emulator.inject_fault(
            500,
            service="cloudformation",
            operation="DescribeStacks",
            body="upstream connect error or disconnect/reset before headers",
            count=50,
        )
        try:
            if debug:
                assert_debug_traceback(project, *PUBLISH)
            else:
                line = assert_one_line(project.run(*PUBLISH, check=False))
        finally:
            emulator.clear_faults()
    assert "could not be read" in line
    assert "upstream connect error" not in line or len(line) < 400


def test_emulator_serves_a_non_xml_fault_body(emulator: Any, aws_env: dict[str, str]) -> None:
    import urllib.error
    import urllib.request

    emulator.inject_fault(502, path_regex="^/non-xml-probe", body="Bad Gateway, plain text")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{emulator.endpoint}/non-xml-probe/x", timeout=10)
    assert caught.value.code == 502
    assert caught.value.headers["Content-Type"].startswith("text/plain")
    assert caught.value.read() == b"Bad Gateway, plain text"


# -- header rules -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    ["public, max-age=60\r\nX-Injected: 1", "public, max-age=60 \u2713", "text/css\x00"],
    ids=["crlf", "non-ascii", "nul"],
)
def test_bad_header_rule_is_one_line_before_anything_runs(
    project: Any, emulator: Any, value: str
) -> None:
    import json

    field = "content_type" if value.startswith("text/") else "cache_control"
    rules = {"hosting": {"headers": [{"glob": "*.css", field: value}]}}
    project.write("invoke.json", json.dumps(rules))
    project.env["HOSTING_BUILD_COMMAND"] = "echo building > built.txt"
    emulator.reset_requests()
    line = fails_in_one_line(project, *PUBLISH)
    assert f"hosting.headers[0].{field}" in line
    assert not (project.root / "built.txt").exists()  # refused before the build
    assert emulator.requests(service="cloudformation", operation="CreateStack") == []
    assert s3_writes(emulator) == []


# -- file names and sizes in the dist folder ----------------------------------------------
def test_dist_file_name_with_a_newline_is_one_line_naming_it(project: Any, emulator: Any) -> None:
    project.write("dist/bad\nname.html", "x")
    emulator.reset_requests()
    line = fails_in_one_line(project, *PUBLISH)
    assert "bad\\nname.html" in line
    assert s3_writes(emulator) == []


def test_dist_file_name_not_utf8_is_one_line_naming_it(project: Any, emulator: Any) -> None:
    dist = os.fsencode(project.root / "dist")
    with open(dist + b"/caf\xe9.html", "wb") as fh:
        fh.write(b"latin-1 name")
    emulator.reset_requests()
    line = fails_in_one_line(project, *PUBLISH)
    assert "caf\\xe9.html" in line and "UTF-8" in line
    assert s3_writes(emulator) == []


def test_ignored_file_with_a_bad_name_is_no_error(project: Any) -> None:
    project.write("dist/notes/bad\nname.txt", "x")
    project.write(".publishignore", "/notes/\n")
    project.run(*PUBLISH)


def test_key_over_1024_bytes_is_refused_before_any_upload(project: Any, emulator: Any) -> None:
    deep = project.root.joinpath("dist", *(letter * 250 for letter in "abcde"))
    deep.mkdir(parents=True)  # a key of 5 * 251 + 9 = 1264 bytes
    (deep / "page.html").write_text("deep")
    emulator.reset_requests()
    line = fails_in_one_line(project, *PUBLISH)
    assert "1024" in line and "page.html" in line
    assert s3_writes(emulator) == []


def test_file_over_5_tib_is_refused_before_it_is_read(project: Any, emulator: Any) -> None:
    huge = project.root / "dist" / "huge.bin"
    with open(huge, "wb") as fh:
        try:
            fh.truncate(5 * 1024**4 + 1)  # sparse: no byte is written
        except OSError as exc:
            pytest.skip(f"this filesystem holds no 5 TiB sparse file: {exc}")
    emulator.reset_requests()
    line = assert_one_line(project.run(*PUBLISH, check=False, timeout=60))
    assert "huge.bin" in line and "5 TiB" in line
    assert s3_writes(emulator) == []
