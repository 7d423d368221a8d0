"""examples/existing-repo, copied to a temporary folder and driven with `inv` against the
emulator: its own tasks sit beside ours, and add, publish and status work from there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "existing-repo"


def test_existing_repo_lists_adds_publishes_and_reports(
    tmp_path: Path, aws_env: dict[str, str]
) -> None:
    repo = tmp_path / "existing-repo"
    shutil.copytree(EXAMPLE, repo)

    def inv(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=repo,
            env=aws_env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"inv {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    listing = inv("--list")
    for name in ("lint", "test", "hosting.add", "hosting.status", "publish"):
        assert any(line.split()[:1] == [name] for line in listing.splitlines()), listing
    assert "local.up" not in listing  # the repo imported only what it wanted
    inv("lint")
    inv("hosting.add", "--stage", "dev", "--yes")
    assert (repo / ".env.dev").is_file()
    published = inv("publish", "--stage", "dev")
    assert "index.html" in published or "uploaded" in published
    status = json.loads(inv("hosting.status", "--stage", "dev", "--json"))
    assert status["exists"] is True
    assert status["outputs"]["bucket"]
    assert status["objects"] >= 2  # index.html and site.css from public/
    url = status["site_url"]
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert b"An existing repo, published with amplify-tasks" in response.read()
