"""The README's Permissions tables, generated from the table in ``calls`` (a test checks the
README holds exactly this text between its markers)."""

from __future__ import annotations

from .calls import ALLOWANCES, CALLS, PROVISIONING

#: The README lines around the generated text.
BEGIN = "<!-- permissions table: generated from amplify_tasks/permissions/calls.py -->"
END = "<!-- end of permissions table -->"


def permissions_markdown() -> str:
    """The Markdown tables: the calls the tool makes, then what CloudFormation needs."""
    lines = [
        "| API call | IAM action | on | made by |",
        "|---|---|---|---|",
        *(
            f"| `{c.service}` {c.operation} | `{c.action}` | {c.scope.value} | {c.tasks} |"
            for c in CALLS
        ),
        "",
        "CloudFormation updates the stack's resources with the caller's permissions:",
        "",
        "| resource | IAM actions | on |",
        "|---|---|---|",
        *(
            f"| {p.resource_type} | {', '.join(f'`{a}`' for a in p.actions)} | {p.scope.value} |"
            for p in PROVISIONING
        ),
        "",
        "Kept although the coverage test's flow does not call them: "
        + "; ".join(f"{name} ({why})" for name, why in ALLOWANCES.items())
        + ".",
    ]
    return "\n".join(lines)


def with_permissions(text: str) -> str:
    """``text`` (the README) with the generated tables between its markers; ValueError when
    a marker is missing."""
    if BEGIN not in text or END not in text.split(BEGIN, 1)[1]:
        raise ValueError(f"the README lacks the markers {BEGIN!r} and {END!r}")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n{permissions_markdown()}\n{END}{tail}"
