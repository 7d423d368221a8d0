"""A stage's template is read from its file, not rendered, exactly when nothing it is
rendered from changed: settings, the project's template overrides, the built-ins, the file
itself (templates.cached); a publish that finds it unchanged does not import Jinja2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amplify_tasks.project import Project
from amplify_tasks.settings.validate import build_settings
from amplify_tasks.templates import cached, rendering


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_unchanged_inputs_read_the_file_and_any_change_renders(tmp_path: Path) -> None:
    project = Project.at(tmp_path / "p")
    dev = build_settings("dev", {"HOSTING_APP_NAME": "site"})
    assert cached.rendered(project, dev) is None  # nothing recorded yet
    text = cached.render_and_write(project, dev)
    assert text == rendering.render(project, dev)
    assert cached.rendered(project, dev) == text

    other = build_settings("dev", {"HOSTING_APP_NAME": "site", "HOSTING_INDEX_DOCUMENT": "i.htm"})
    assert cached.rendered(project, other) is None
    assert '"i.htm"' in cached.render_and_write(project, other)
    assert cached.rendered(project, dev) is None  # the file now holds the other's template

    cached.render_and_write(project, dev)
    override = project.templates_dir / "partials" / "outputs.json.j2"
    override.parent.mkdir(parents=True)
    builtin = rendering.builtin_dir() / "partials" / "outputs.json.j2"
    override.write_text(builtin.read_text().replace("WebsiteURL", "WebsiteURL2"))
    assert cached.rendered(project, dev) is None
    assert "WebsiteURL2" in cached.render_and_write(project, dev)

    path = project.template_path("dev")
    data = json.loads(path.read_text())
    data["Description"] = "edited by hand"
    path.write_text(json.dumps(data))
    assert cached.rendered(project, dev) is None
    assert cached.render_and_write(project, dev) == rendering.render(project, dev)


def test_an_unwritable_cache_only_means_rendering(tmp_path: Path, own_cache: Path) -> None:
    own_cache.write_text("not a folder")
    project = Project.at(tmp_path / "p")
    dev = build_settings("dev", {"HOSTING_APP_NAME": "site"})
    assert cached.render_and_write(project, dev) == rendering.render(project, dev)
    assert cached.rendered(project, dev) is None


def test_the_second_deploy_imports_no_jinja2(tmp_path: Path, own_cache: Path) -> None:
    project = Project.at(tmp_path / "p")
    dev = build_settings("dev", {"HOSTING_APP_NAME": "site"})
    cached.render_and_write(project, dev)
    code = (
        "import sys\n"
        "from amplify_tasks.project import Project\n"
        "from amplify_tasks.settings.validate import build_settings\n"
        "from amplify_tasks.templates import cached\n"
        f"project = Project.at({str(tmp_path / 'p')!r})\n"
        "dev = build_settings('dev', {'HOSTING_APP_NAME': 'site'})\n"
        "assert cached.render_and_write(project, dev)\n"
        "print('jinja2' in sys.modules)\n"
    )
    env = {"XDG_CACHE_HOME": str(own_cache), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "False"
