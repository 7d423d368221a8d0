"""Paths the user gives stay inside the project, through `inv` as a user runs it: the
export-outputs file never lands on a settings file, outside the project or in the dist and
state folders; the dist folder is never the project root, and one that resolves outside the
project is published only when HOSTING_ALLOW_DIST_OUTSIDE says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def project(inv_project: Any, unique_name: Callable[[str], str]) -> Any:
    inv_project.env["HOSTING_APP_NAME"] = unique_name("paths")
    inv_project.write("dist/index.html", "<!doctype html><title>home</title>")
    inv_project.run("hosting.add", "--stage", "dev", "--yes")
    return inv_project


def refused(project: Any, emulator: Any, key: str, *expected: str) -> str:
    """Publish fails with one line naming ``key`` and the problem; nothing reaches AWS."""
    emulator.reset_requests()
    result = project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {key}=")
    for text in expected:
        assert text in line, line
    assert emulator.requests() == []
    return line


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (".env.dev", "is a settings file (.env.dev)"),
        (".env", "is a settings file (.env)"),
        ("tasks.py", "tasks.py"),
        ("dist/outputs.json", "lies in the dist folder"),
        (".amplify-tasks/outputs.json", "lies in the tool's state folder"),
        ("src", "is a folder"),
    ],
)
def test_export_outputs_never_overwrites_the_tools_own_files(
    project: Any, emulator: Any, value: str, expected: str
) -> None:
    (project.root / "src").mkdir(exist_ok=True)
    before = {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()}
    project.env["HOSTING_EXPORT_OUTPUTS"] = value
    refused(project, emulator, "HOSTING_EXPORT_OUTPUTS", expected, "src/amplify-outputs.json")
    after = {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()}
    assert after == before


def test_export_outputs_never_writes_outside_the_project(
    project: Any, emulator: Any, tmp_path: Path
) -> None:
    for value in (str(tmp_path / "x.json"), "../x.json"):
        project.env["HOSTING_EXPORT_OUTPUTS"] = value
        refused(project, emulator, "HOSTING_EXPORT_OUTPUTS", "outside the project")
        assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("value", [".", "./", "..", str(Path("dist").resolve().anchor)])
def test_the_project_root_or_a_folder_holding_it_is_never_the_dist_folder(
    project: Any, emulator: Any, value: str
) -> None:
    project.env["HOSTING_DIST_DIR"] = value
    line = refused(project, emulator, "HOSTING_DIST_DIR")
    assert "project" in line and "tasks.py" in line and "like dist" in line


def test_a_dist_folder_holding_the_settings_files_is_refused(project: Any, emulator: Any) -> None:
    (project.root / "site").mkdir()
    project.write("site/index.html", "<!doctype html>")
    project.write(
        "invoke.yaml", "hosting:\n  env_dir: site/config\n"
    )  # the settings live under the dist folder
    project.write("site/config/.env.dev", (project.root / ".env.dev").read_text())
    project.env["HOSTING_DIST_DIR"] = "site"
    refused(project, emulator, "HOSTING_DIST_DIR", "holds the settings files")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A folder outside the project, like a home folder with a private key in it."""
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>outside</title>")
    (folder / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----")
    return folder


def test_a_dist_folder_leading_outside_is_refused_unless_allowed(
    project: Any, emulator: Any, home: Path
) -> None:
    (project.root / "out").symlink_to(home, target_is_directory=True)
    project.env["HOSTING_DIST_DIR"] = "out"
    refused(project, emulator, "HOSTING_DIST_DIR", str(home), "HOSTING_ALLOW_DIST_OUTSIDE=true")
    project.env["HOSTING_DIST_DIR"] = str(home)
    refused(project, emulator, "HOSTING_DIST_DIR", "outside the project")

    project.env["HOSTING_ALLOW_DIST_OUTSIDE"] = "true"
    published = project.run("publish", "--stage", "dev", "--yes")
    assert "uploaded       2" in published.stdout


def test_a_build_that_points_the_dist_folder_outside_is_caught_before_any_upload(
    project: Any, emulator: Any, home: Path
) -> None:
    project.write(
        "build.py",
        "import os, shutil\nshutil.rmtree('dist')\n"
        f"os.symlink({str(home)!r}, 'dist', target_is_directory=True)\n",
    )
    project.env["HOSTING_BUILD_COMMAND"] = f"{sys.executable} build.py"
    emulator.reset_requests()
    result = project.run("publish", "--stage", "dev", "--yes", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "error: HOSTING_DIST_DIR='dist'" in result.stderr and str(home) in result.stderr
    assert [r for r in emulator.requests(service="s3") if r["method"] == "PUT"] == []
