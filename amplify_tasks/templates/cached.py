"""A stage's template without Jinja2 when nothing it is rendered from has changed.

The rendered text depends on the template variables (``rendering.context``), the template
files on the search path, the renderer and Jinja2. Their digest is recorded in the user's
cache folder, beside the digest of the text it rendered and wrote to the stage's template
file. When both still match, the file holds what rendering would give: it is read instead
(importing Jinja2 and compiling the templates cost ~50 ms of CPU on every publish). Any
other case renders, as before, and records the new digests; a cache that cannot be read or
written only means rendering.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from . import rendering

if TYPE_CHECKING:
    from amplify_tasks.project import Project
    from amplify_tasks.settings import Settings


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/amplify-tasks/templates`` (``~/.cache`` without it)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "amplify-tasks" / "templates"


def inputs_digest(project: Project, settings: Settings) -> str:
    """The digest of everything the stage's template is rendered from."""
    digest = hashlib.sha256()
    digest.update(repr(sorted(rendering.context(settings).items())).encode("utf-8"))
    for module in sorted(Path(rendering.__file__).parent.glob("*.py")):  # the renderer's code
        digest.update(module.read_bytes())
    spec = find_spec("jinja2")
    if spec is not None and spec.origin:  # its version: the file's size and time suffice
        st = os.stat(spec.origin)
        digest.update(f"jinja2 {spec.origin} {st.st_size} {st.st_mtime_ns}".encode())
    for index, folder in enumerate(rendering.search_path(project)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"\0{index}:{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _record_path(template: Path) -> Path:
    name = hashlib.sha256(str(template.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir() / f"{name}.json"


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rendered(project: Project, settings: Settings) -> str | None:
    """The stage's template as rendering would give it, read from its file, or None when
    it has to be rendered (something changed, or nothing was recorded)."""
    template = project.template_path(settings.stage)
    try:
        record = json.loads(_record_path(template).read_text(encoding="utf-8"))
        text = template.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("text") != _text_digest(text):
        return None
    return text if record.get("inputs") == inputs_digest(project, settings) else None


def remember(project: Project, settings: Settings, text: str) -> None:
    """Record that ``text``, now in the stage's template file, is what its inputs render."""
    template = project.template_path(settings.stage)
    record = {"inputs": inputs_digest(project, settings), "text": _text_digest(text)}
    path = _record_path(template)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(path)


def render_and_write(project: Project, settings: Settings) -> str:
    """The stage's template, rendered unless its inputs are unchanged, and in its file."""
    text = rendered(project, settings)
    if text is not None:
        return text
    text = rendering.render(project, settings)
    rendering.write_text(project.template_path(settings.stage), text)
    remember(project, settings, text)
    return text
