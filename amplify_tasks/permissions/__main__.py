"""``python -m amplify_tasks.permissions [README.md]``: write the generated Permissions
tables into the README between their markers, after a change of the table in ``calls``."""

from __future__ import annotations

import sys
from pathlib import Path

from .readme import with_permissions


def main(argv: list[str]) -> int:
    """Rewrite the README named (default README.md) with the generated tables."""
    path = Path(argv[0] if argv else "README.md")
    try:
        text = path.read_text(encoding="utf-8")
        path.write_text(with_permissions(text), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: permissions tables written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
