"""The one rule of what is secret: names that look like credentials, and masking their
values wherever text leaves the tool (hook input and environment, output, errors).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

#: A name is secret when it says so: *SECRET*, *TOKEN*, *PASSW*, *CREDENTIAL*, *PRIVATE*,
#: or it ends in _KEY (AWS_ACCESS_KEY_ID, which names the key but is no secret, does not).
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSW|CREDENTIAL|PRIVATE|_KEY$", re.IGNORECASE)
#: What a secret value is replaced with.
MASK = "***"


def is_secret_name(name: str) -> bool:
    """AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, HOSTING_DEPLOY_KEY and any name the rule names."""
    return bool(_SECRET_NAME.search(name))


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of secret-named environment variables, longest first, to mask in text."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= 8}
    return sorted(values, key=len, reverse=True)


def mask(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret value replaced by MASK."""
    for value in secrets:
        text = text.replace(value, MASK)
    return text
