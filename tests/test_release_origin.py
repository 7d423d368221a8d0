"""A release's origin: the project's commit and its subject line from one git call (a
real git work tree in a temp folder), nothing outside git, and who made it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from amplify_tasks.releases.origin import MESSAGE_MAX, origin_of


def _git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "index.html").write_text("<title>v1</title>")
    _git(tmp_path, "add", "index.html")
    return tmp_path


def test_the_commit_and_its_subject_line(repo: Path) -> None:
    _git(repo, "commit", "-q", "-m", "first page\n\nthe body is not kept")
    found = origin_of(repo, {"GITHUB_ACTOR": "octocat"})
    assert found.commit == _git(repo, "rev-parse", "HEAD") and len(found.commit) == 40
    assert found.message == "first page"
    assert found.who == "octocat"


def test_a_long_subject_is_cut(repo: Path) -> None:
    _git(repo, "commit", "-q", "-m", "x" * (MESSAGE_MAX + 50))
    assert origin_of(repo, {}).message == "x" * MESSAGE_MAX


def test_no_commit_outside_git_or_before_the_first_one(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("plain")
    for root in (outside, repo):  # a plain folder; a work tree without a commit
        found = origin_of(root, {"GITLAB_USER_LOGIN": "ci"})
        assert (found.commit, found.message, found.who) == ("", "", "ci")
