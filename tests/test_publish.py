"""`inv publish` as a user runs it, against the emulator: the summary, no PUT on a second run,
ignore rules, the failing build, the dist folder errors, dry run, -c without CloudFront,
--verbose and the delete guard's exit status and message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from amplify_tasks.sync import LOCK_KEY, MANIFEST_KEY

FILES = {
    "dist/index.html": "<!doctype html><title>home</title>",
    "dist/about/index.html": "<!doctype html><title>about</title>",
    "dist/css/site.css": "body { margin: 0 }",
    "dist/js/app.3f9a1c2b.js": "console.log(1)",
    "dist/js/app.3f9a1c2b.js.map": "{}",
    "dist/.env": "SECRET=1",
    "dist/.DS_Store": "x",
}


class Site:
    """A temp project with stage dev added and a dist folder."""

    def __init__(self, project: Any, emulator: Any) -> None:
        self.project = project
        self.emulator = emulator
        self._bucket = ""

    def publish(self, *args: str, check: bool = True) -> Any:
        return self.project.run("publish", "--stage", "dev", *args, check=check)

    @property
    def bucket(self) -> str:
        if not self._bucket:
            from amplify_tasks import aws
            from amplify_tasks.project import Project
            from amplify_tasks.settings.files import load_settings
            from amplify_tasks.stack.outputs import stack_outputs

            settings = load_settings(Project.at(self.project.root), "dev", self.project.env)
            self._bucket = stack_outputs(aws.client("cloudformation"), settings.stack_name).bucket
        return self._bucket

    def s3_ops(self, operation: str) -> list[str]:
        return [
            r["key"]
            for r in self.emulator.requests(service="s3", operation=operation)
            if r["bucket"] == self.bucket
        ]

    def objects(self) -> set[str]:
        from amplify_tasks import aws

        resp = aws.client("s3").list_objects_v2(Bucket=self.bucket)
        return {o["Key"] for o in resp.get("Contents", [])}


@pytest.fixture
def site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    return new_site(inv_project, emulator, unique_name)


def new_site(inv_project: Any, emulator: Any, unique_name: Callable[[str], str]) -> Site:
    """Stage dev added to a temp project with FILES (and an ignore file)."""
    inv_project.env["HOSTING_APP_NAME"] = unique_name("pub")
    inv_project.env["AMPLIFY_TASKS_PROGRESS"] = "plain"
    for rel, text in FILES.items():
        inv_project.write(rel, text)
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    inv_project.write(".publishignore", "*.map\n")
    return Site(inv_project, emulator)


def test_publish_then_publish_again_sends_no_put(site: Site) -> None:
    out = site.publish().stdout
    assert "uploaded       4" in out and "bytes sent" in out and "http://127.0.0.1:" in out
    assert site.objects() == {
        "index.html",
        "about/index.html",
        "css/site.css",
        "js/app.3f9a1c2b.js",
        MANIFEST_KEY,
    }
    site.emulator.reset_requests()
    out = site.publish().stdout
    assert "uploaded       0" in out and "unchanged      4" in out
    assert site.s3_ops("PutObject") == [LOCK_KEY]  # the stage's lock, taken
    assert site.s3_ops("DeleteObject") == [LOCK_KEY]  # and given back
    assert site.s3_ops("ListObjectsV2") == [None, None]  # a page, and the manifest's slot
    assert site.s3_ops("GetObject") == []  # the manifest's ETag in the listing suffices


def test_failing_build_stops_before_any_upload(site: Site) -> None:
    site.project.env["HOSTING_BUILD_COMMAND"] = "echo building; exit 3"
    site.emulator.reset_requests()
    result = site.publish(check=False)
    assert result.returncode != 0
    assert "status 3" in result.stderr and "Traceback" not in result.stderr
    assert "building" in result.stdout
    assert [r for r in site.emulator.requests(service="s3") if r["method"] == "PUT"] == []


def test_build_output_is_published(site: Site) -> None:
    site.project.env["HOSTING_BUILD_COMMAND"] = "echo built > dist/built.txt"
    site.publish()
    assert "built.txt" in site.objects()
    site.project.env["HOSTING_BUILD_COMMAND"] = "echo again > dist/again.txt"
    site.publish("--skip-backend")
    assert "again.txt" in site.objects()


def test_skip_backend_without_a_stack_says_what_to_do(site: Site) -> None:
    result = site.publish("--skip-backend", check=False)
    assert result.returncode != 0 and "without --skip-backend" in result.stderr


def test_empty_and_missing_dist_folders_give_their_errors(site: Site) -> None:
    site.project.env["HOSTING_DIST_DIR"] = "empty"
    (site.project.root / "empty").mkdir()
    result = site.publish(check=False)
    assert result.returncode != 0 and "no files to publish" in result.stderr
    assert "Traceback" not in result.stderr
    site.project.env["HOSTING_DIST_DIR"] = "missing"
    result = site.publish(check=False)
    assert result.returncode != 0 and "does not exist" in result.stderr


def test_dry_run_prints_the_plan_and_changes_nothing(site: Site) -> None:
    site.emulator.reset_requests()
    result = site.publish("--dry-run", "-c")
    out = result.stdout
    assert "create" in out  # the stack change
    assert "new" in out and "css/site.css" in out and "dry run of stage dev" in out
    writes = [r for r in site.emulator.requests() if r["method"] in {"PUT", "POST", "DELETE"}]
    assert [r["operation"] for r in writes if r["service"] == "s3"] == []
    assert not any(r["operation"] in {"CreateStack", "ExecuteChangeSet"} for r in writes)
    site.publish()
    site.project.write("dist/css/site.css", "body { margin: 1px }")
    site.emulator.reset_requests()
    out = site.publish("--dry-run").stdout
    assert "changed" in out and "css/site.css" in out
    assert site.s3_ops("PutObject") == []


def test_invalidate_without_cloudfront_is_a_note(site: Site) -> None:
    out = site.publish("-c").stdout
    assert "no invalidation: stage dev has no CloudFront distribution" in out


def test_a_dry_run_without_cloudfront_lists_no_invalidation(site: Site) -> None:
    site.publish()
    site.project.write("dist/css/site.css", "body { margin: 3px }")
    for flags in (("-c",), ()):
        out = site.publish("--dry-run", *flags).stdout
        assert "changed" in out and "css/site.css" in out
        assert not re.search(r"^\s*invalidation", out, re.M), out
        if flags:
            assert "no invalidation: stage dev has no CloudFront distribution" in out


def test_verbose_lists_a_deleted_file_with_its_size_in_the_bucket(site: Site) -> None:
    site.publish()
    size = len(FILES["dist/css/site.css"])
    (site.project.root / "dist/css/site.css").unlink()
    planned = site.publish("--dry-run").stdout
    assert f"stale     css/site.css  ({size} B)" in planned
    out = site.publish("--verbose").stdout
    assert f"stale    css/site.css  ({size} B)" in out


def test_verbose_lists_every_file_with_its_reason(site: Site) -> None:
    out = site.publish("--verbose").stdout
    assert "new      css/site.css" in out and "new      index.html" in out
    site.project.write("dist/css/site.css", "body { margin: 2px }")
    out = site.publish("--verbose", "--force").stdout
    assert "changed  css/site.css" in out or "forced   css/site.css" in out
    assert "forced   index.html" in out


def test_delete_guard_fails_the_publish_and_says_how(site: Site) -> None:
    site.publish()
    for rel in ("dist/about/index.html", "dist/css/site.css"):
        (site.project.root / rel).unlink()
    site.project.write("dist/index.html", "<!doctype html><title>home, again</title>")
    site.project.env["HOSTING_MAX_DELETES"] = "1"
    result = site.publish(check=False)
    assert result.returncode != 0 and "uploaded       1" in result.stdout
    assert "HOSTING_MAX_DELETES" in result.stderr and "none were deleted" in result.stderr
    assert "[smoke-test]" not in result.stdout + result.stderr  # no word of a test not run
    assert {"about/index.html", "css/site.css"} <= site.objects()
    site.project.env["HOSTING_MAX_DELETES"] = "2"
    out = site.publish().stdout
    assert "deleted        2" in out
    assert not {"about/index.html", "css/site.css"} & site.objects()


def test_prod_with_c_invalidates_only_what_changed(
    inv_project: Any, emulator: Any, unique_name: Callable[[str], str]
) -> None:
    from amplify_tasks import aws
    from amplify_tasks.project import Project
    from amplify_tasks.settings.files import load_settings
    from amplify_tasks.stack.outputs import stack_outputs

    inv_project.env["HOSTING_APP_NAME"] = unique_name("cdn")
    inv_project.env["HOSTING_RELEASES"] = "false"  # in place (a release needs no invalidation)
    for rel, text in FILES.items():
        inv_project.write(rel, text)
    inv_project.run("hosting.add", "--stage", "prod", "--yes")
    first = inv_project.run("publish", "--stage", "prod", "-c").stdout
    # On the emulator the URL that works is the distribution's loopback preview, not its
    # cloudfront.net name: the summary prints it and the smoke test fetches it.
    assert re.search(r"^\[smoke-test\] GET http://127\.0\.0\.1:\d+/? -> 200", first, re.M)
    assert re.search(r"site\s+http://127\.0\.0\.1:\d+", first), first
    assert "cloudfront.net" not in first
    inv_project.write("dist/css/site.css", "body { margin: 9px }")
    emulator.reset_requests()
    out = inv_project.run("publish", "--stage", "prod", "-c", "--wait").stdout
    calls = emulator.requests(service="cloudfront", operation="CreateInvalidation")
    assert len(calls) == 1
    settings = load_settings(Project.at(inv_project.root), "prod", inv_project.env)
    outputs = stack_outputs(aws.client("cloudformation"), settings.stack_name)
    cf = aws.client("cloudfront")
    items = cf.list_invalidations(DistributionId=outputs.distribution_id)["InvalidationList"]
    newest = max(items["Items"], key=lambda i: i["CreateTime"])["Id"]
    got = cf.get_invalidation(DistributionId=outputs.distribution_id, Id=newest)
    assert got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/css/site.css"]
    assert f"invalidation   {newest}" in out and "COMPLETED" in out
    emulator.reset_requests()
    out = inv_project.run("publish", "--stage", "prod", "-c").stdout
    assert "no invalidation: nothing changed" in out
    assert emulator.requests(service="cloudfront", operation="CreateInvalidation") == []


def one_error_line(result: Any) -> str:
    """The single `error: ...` line a failed `inv` printed on stderr."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return str(lines[0])


def test_dist_folder_errors_come_before_the_deploy_and_name_the_settings_file(
    site: Site,
) -> None:
    root = site.project.root
    (root / "dist").rename(root / "built")
    site.emulator.reset_requests()
    line = one_error_line(site.publish(check=False))
    assert f"dist folder {root / 'dist'} does not exist" in line
    assert "set HOSTING_DIST_DIR in .env.dev" in line and "HOSTING_BUILD_COMMAND is not set" in line
    assert "--skip-build" not in line
    assert site.emulator.requests(service="cloudformation") == []  # no stack touched

    with (root / ".env").open("a") as shared:
        shared.write("HOSTING_DIST_DIR=public\n")
    site.project.env["HOSTING_BUILD_COMMAND"] = "true"
    line = one_error_line(site.publish(check=False))
    assert "point HOSTING_DIST_DIR=public (in .env) at the folder" in line
    assert "make the build (`true`) write it" in line and "--skip-build" not in line
    line = one_error_line(site.publish("--skip-build", check=False))
    assert "run the build (publish without --skip-build)" in line

    (root / "public").mkdir()
    (root / "public" / ".DS_Store").write_text("x")
    line = one_error_line(site.publish(check=False))
    assert "has no files to publish" in line and ".publishignore" in line
    site.project.env["HOSTING_DIST_DIR"] = "out"
    line = one_error_line(site.publish(check=False))
    assert "point HOSTING_DIST_DIR=out (in the environment)" in line
    assert site.emulator.requests(service="cloudformation") == []
    # nothing reached the site's bucket (the log is the whole emulator's)
    assert [r for r in site.emulator.requests(service="s3") if r.get("bucket") == site.bucket] == []


def test_a_dry_run_previews_uncommitted_changes_a_publish_refuses(site: Site) -> None:
    import subprocess

    root = site.project.root
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "site")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    site.project.env["HOSTING_REQUIRE_CLEAN_GIT"] = "true"
    site.project.write("notes.txt", "not committed yet\n")
    dry = site.publish("--dry-run")
    assert "[require-clean-git] dry run: uncommitted changes are not checked" in dry.stdout
    assert "dry run of stage dev" in dry.stdout
    line = one_error_line(site.publish(check=False))
    assert "'require-clean-git' failed: 1 uncommitted change(s)" in line


def test_ctrl_c_mid_upload_says_interrupted_first_with_what_was_and_was_not_done(
    site: Site,
) -> None:
    import signal
    import subprocess
    import sys

    site.publish()
    pages = 120
    for n in range(pages):
        site.project.write(f"dist/pages/p{n:03d}.css", f"p{{order:{n}}}")
    site.emulator.inject_fault(
        0, method="PUT", path_regex=f"^/{site.bucket}/pages/", count=pages, delay=0.3
    )
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "invoke", "publish", "--stage", "dev", "--verbose"],
            cwd=site.project.root,
            env=site.project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if re.match(r"\s+new\s+pages/", line):
                break
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        site.emulator.clear_faults()
    out = "".join(seen) + rest
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "interrupted", err
    assert "Traceback" not in err and "published stage" not in out
    summary = out[out.index("interrupted: ") :].splitlines()
    head = re.fullmatch(
        r"interrupted: stage dev after [\d.]+ s, (\d+) of (\d+) changes done, (\d+) not done",
        summary[0],
    )
    assert head, summary[0]
    done, planned, not_done = map(int, head.groups())
    uploaded = {k for k in site.objects() if k.startswith("pages/")}
    assert planned == pages and 0 < done < pages and done + not_done == pages
    assert len(uploaded) == done
    assert re.search(rf"^  uploaded\s+{done}$", out, re.M)
    assert re.search(rf"^  not done\s+{not_done}$", out, re.M)
    assert "publish again to finish: only what is still missing is sent" in out

    again = site.publish().stdout
    assert re.search(rf"^  uploaded\s+{not_done}$", again, re.M)


def test_a_second_publish_checks_the_stack_with_one_describe_and_one_get_template(
    site: Site,
) -> None:
    """The deployed template is asked for with the DescribeStacks, while the lock is taken:
    still one of each, and the deploy still finds nothing to change."""
    site.publish()
    site.emulator.reset_requests()
    result = site.publish()
    assert "no changes" in result.stdout
    calls = [r["operation"] for r in site.emulator.requests(service="cloudformation")]
    assert sorted(calls) == ["DescribeStacks", "GetTemplate"]
