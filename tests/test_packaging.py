"""The built wheel: carries the templates and typing marker, installs into a fresh venv
outside the repo, and runs `hosting.add` and `publish --dry-run` from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("amplify_tasks-*.whl")
    return built


def test_wheel_carries_templates_and_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {n for n in names if n.startswith("amplify_tasks/_cfn/")}
    shipped = {
        f"amplify_tasks/_cfn/{p.relative_to(ROOT / 'cfn').as_posix()}"
        for p in (ROOT / "cfn").rglob("*")
        if p.is_file()
    }
    assert shipped and shipped <= templates
    assert "amplify_tasks/py.typed" in names
    meta = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Requires-Python: <3.14,>=3.10" in text


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_repo(
    wheel: Path, tmp_path: Path, aws_env: dict[str, str]
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    project = tmp_path / "site-project"
    (project / "dist").mkdir(parents=True)
    (project / "dist" / "index.html").write_text("<!doctype html><title>wheel</title>")
    (project / "tasks.py").write_text("from amplify_tasks import namespace as ns\n")
    env = {**aws_env, "PATH": f"{env_dir / 'bin'}{os.pathsep}{aws_env.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)

    def inv(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "invoke", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    where = subprocess.run(
        [str(python), "-c", "import amplify_tasks; print(amplify_tasks.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where
    added = inv("hosting.add", "--stage", "dev", "--yes")
    assert added.returncode == 0, added.stdout + added.stderr
    assert (project / ".env.dev").is_file()
    assert (project / "amplify" / "backend" / "hosting" / "dev" / "template.json").is_file()
    dry = inv("publish", "--stage", "dev", "--dry-run", "--skip-build")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "index.html" in dry.stdout
