"""Packages whose names load their modules on first use (`amplify_tasks.lazy`): every name
still resolves, and the modules a no-change publish does not call (``NOT_ON_A_PUBLISH``,
checked with `-X importtime` on a real `inv publish` in test_cfnwire) stay out.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from amplify_tasks.lazy import lazy_names

#: Modules an in-place no-change publish never calls: the stack's status, removal and
#: unlocking, the settings reference and writing, the routing matcher and rules compiler,
#: the key value store's path facts (a CloudFront stage's),
#: the hook document (only for script hooks), botocore, and what uuid and the shared config
#: file's reading pull in.
NOT_ON_A_PUBLISH = {
    "amplify_tasks.stack.remove",
    "amplify_tasks.stack.status",
    "amplify_tasks.stack.unlock",
    "amplify_tasks.stack.certificate",
    "amplify_tasks.settings.reference",
    "amplify_tasks.settings.writing",
    "amplify_tasks.settings.views",
    "amplify_tasks.routing.matcher",
    "amplify_tasks.routing.rules",
    "amplify_tasks.routing.paths",
    "amplify_tasks.routing.store",
    "amplify_tasks.hooks.document",
    "botocore",
    "botocore.exceptions",
    "uuid",
    "platform",
    "configparser",
}

#: The packages whose names load their modules on first use.
LAZY_PACKAGES = ["amplify_tasks.stack", "amplify_tasks.settings", "amplify_tasks.hooks"]
LAZY_PACKAGES += ["amplify_tasks.routing"]


def imported(stderr: str) -> set[str]:
    """The modules `-X importtime` (PYTHONPROFILEIMPORTTIME) saw imported."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_name_of_a_lazy_package_resolves_to_its_modules(package: str) -> None:
    code = (
        "import importlib, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for name in pkg.__all__:\n"
        "    value = getattr(pkg, name)\n"
        "    home = getattr(value, '__module__', None)\n"
        "    assert not hasattr(value, '__path__') and type(value).__name__ != 'module', name\n"
        "    assert home is None or home in sys.modules, (name, home)\n"
        "print(len(pkg.__all__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0


def test_an_unknown_name_is_an_attribute_error() -> None:
    getter = lazy_names("amplify_tasks.stack", {"events": ("describe",)})
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        getter("nothing")
    assert callable(getter("describe"))
