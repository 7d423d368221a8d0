"""The README's "existing tasks.py" snippet, copied as a user would: it defines what it uses,
`inv --list` shows its tasks beside ours, and the README's own `inv local.up` / `local.down`
work with it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from amplify_tasks.local import control

README = Path(__file__).resolve().parent.parent / "README.md"


def existing_tasks_snippet() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it from an existing tasks.py") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no python block in the section"
    return match.group(1)


def test_the_existing_tasks_snippet_runs_as_a_tasks_py(tmp_path: Path) -> None:
    project = tmp_path / "existing"
    project.mkdir()
    (project / "tasks.py").write_text(existing_tasks_snippet())

    def inv(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"inv {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    listed = [line.split()[0] for line in inv("--list").splitlines()[1:] if line.strip()]
    for name in ("lint", "test", "publish", "hosting.add", "hosting.settings", "local.up"):
        assert name in listed, listed
    port = control.free_port()
    try:
        up = inv("local.up", "--port", str(port))
        assert f"emulator running at http://127.0.0.1:{port}" in up
        assert control.status(project / ".amplify-tasks") is not None
    finally:
        down = inv("local.down")
    assert "emulator stopped" in down
    assert control.status(project / ".amplify-tasks") is None
