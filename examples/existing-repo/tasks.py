"""An existing project's tasks.py: its own tasks, plus the amplify-tasks collections."""

from pathlib import Path

from invoke import Collection, Exit, task

import amplify_tasks

PUBLIC = Path(__file__).parent / "public"


@task
def lint(c):
    """Check that every page in public/ closes its <html> element."""
    bad = [p.name for p in PUBLIC.glob("*.html") if "</html>" not in p.read_text()]
    if bad:
        raise Exit(f"unclosed pages: {', '.join(bad)}")


@task
def test(c):
    """The project's own tests: the site has a home page."""
    if not (PUBLIC / "index.html").is_file():
        raise Exit("public/index.html is missing")


ns = Collection(lint, test)
ns.add_collection(amplify_tasks.hosting)
ns.add_task(amplify_tasks.publish)
ns.configure({"hosting": {"concurrency": 8}})
