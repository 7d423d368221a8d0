"""The local side of a sync: walk the dist folder with os.scandir into LocalFile records,
applying the built-in exclusions, the user's ignore rules and the symlink guard.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from amplify_tasks.errors import SyncError

from . import etag

#: File names never published, wherever they are.
EXCLUDED_NAMES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini"})

#: The one dot-folder that is published (RFC 8615).
WELL_KNOWN = ".well-known"

#: A predicate on a key ("dir/" for a folder): True means leave it out.
Ignore = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file to publish: its bucket key (``/``-separated), its path, size, mtime, ctime and
    inode (what the hash cache compares)."""

    key: str
    path: str
    size: int
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0


def excluded_by_default(name: str, is_dir: bool) -> bool:
    """``.env*``, ``.git/``, ``.DS_Store``, ``Thumbs.db`` and every other dotfile or
    dot-folder, except a ``.well-known/`` folder."""
    if name in EXCLUDED_NAMES:
        return True
    if name.startswith("."):
        return not (is_dir and name == WELL_KNOWN)
    return False


def _key(prefix: str, name: str) -> str:
    key = prefix + name
    return key if key.isascii() else unicodedata.normalize("NFC", key)


def _display(root: Path, key: str) -> str:
    return str(root / key)


class DistError(SyncError):
    """The dist folder is missing, not a folder, or holds nothing to publish. ``problem``
    says which; the message adds a fix a caller who knows more may replace."""

    kind = "dist"

    def __init__(self, problem: str, fix: str, *, empty: bool = False) -> None:
        super().__init__(f"{problem}: {fix}")
        self.problem = problem
        self.empty = empty


#: A control character (such as a line break): S3 keys may hold them, URLs and shells not.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


#: S3's longest key, in UTF-8 bytes.
MAX_KEY_BYTES = 1024

#: How to leave a file out instead of renaming it.
_OR_IGNORE = "(or leave it out with a pattern in HOSTING_IGNORE_FILE)"


def _shown(path: str) -> str:
    """A path on one line, every byte visible: repr() of its bytes when it is not UTF-8."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return repr(os.fsencode(path))
    return repr(path) if not path.isprintable() else path


def check_name(path: str, name: str) -> None:
    """SyncError for a name S3 cannot carry as a key: bytes that are not UTF-8 (Python
    keeps them as surrogates) or a control character such as a line break."""
    if name.isascii() and name.isprintable():
        return  # the usual name: ASCII with no control character
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise SyncError(
            f"{_shown(path)} has a name that is not UTF-8 (S3 keys are UTF-8): "
            f"rename it {_OR_IGNORE}"
        ) from None
    if _CONTROL.search(name):
        raise SyncError(
            f"{_shown(path)} has a control character (such as a line break) in its name: "
            f"rename it {_OR_IGNORE}"
        )


def check_file(path: str, key: str, size: int) -> None:
    """SyncError for a key longer than S3 allows or a file larger than an S3 object."""
    length = len(key) if key.isascii() else len(key.encode("utf-8"))
    if length > MAX_KEY_BYTES:
        shown = path if len(path) <= 160 else f"{path[:60]}...{path[-80:]}"
        raise SyncError(
            f"{shown} would be a key of {length} bytes, over S3's limit of {MAX_KEY_BYTES}: "
            f"shorten its path in the dist folder {_OR_IGNORE}"
        )
    if size > etag.MAX_OBJECT_SIZE:
        raise SyncError(
            f"{path} is {size:,} bytes, over S3's limit of 5 TiB for one object: "
            f"split it into smaller files {_OR_IGNORE}"
        )


def check_dist(root: Path) -> Path:
    """The resolved dist folder, or a DistError saying how to produce it."""
    if not root.exists():
        raise DistError(
            f"dist folder {root} does not exist",
            "build the site first, or point HOSTING_DIST_DIR at the build output",
        )
    if not root.is_dir():
        raise DistError(
            f"dist folder {root} is not a folder",
            "set HOSTING_DIST_DIR to the folder your build writes",
        )
    return root.resolve()


def _walk_dist(root: Path, ignore: Ignore | None) -> Iterator[LocalFile]:
    """Every publishable file under ``root``, in the order the folders list them."""
    real_root = check_dist(root)
    root_str = str(real_root)

    def inside(target: str) -> bool:
        return target == root_str or target.startswith(root_str + os.sep)

    def walk(
        folder: str, real_folder: str, prefix: str, ancestors: frozenset[str]
    ) -> Iterator[LocalFile]:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                link = entry.is_symlink()
                if link:
                    target = os.path.realpath(entry.path)
                    if not os.path.exists(target):
                        raise SyncError(
                            f"{_display(root, prefix + name)} is a broken symlink: "
                            "remove it or point it at a file inside the dist folder"
                        )
                    if not inside(target):
                        raise SyncError(
                            f"{_display(root, prefix + name)} is a symlink to {target}, outside "
                            "the dist folder: copy the file into the dist folder instead"
                        )
                is_dir = entry.is_dir(follow_symlinks=True)
                if excluded_by_default(name, is_dir):
                    continue
                key = _key(prefix, name)
                if is_dir:
                    if ignore is not None and ignore(key + "/"):
                        continue
                    check_name(entry.path, name)
                    # a folder that is no symlink is where its parent's real path says
                    real = os.path.realpath(entry.path) if link else real_folder + os.sep + name
                    if real in ancestors:
                        continue  # a symlink back to a folder above: a loop
                    yield from walk(entry.path, real, key + "/", ancestors | {real})
                elif entry.is_file(follow_symlinks=True):
                    if ignore is not None and ignore(key):
                        continue
                    check_name(entry.path, name)
                    st = entry.stat(follow_symlinks=True)
                    check_file(entry.path, key, st.st_size)
                    yield LocalFile(
                        key, entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
                    )

    return walk(root_str, root_str, "", frozenset({root_str}))


def _nothing_to_publish(root: Path) -> DistError:
    return DistError(
        f"dist folder {root} has no files to publish (after the ignore rules)",
        "check the build output and the ignore file",
        empty=True,
    )


def check_publishable(root: Path, ignore: Ignore | None = None) -> None:
    """A DistError unless ``root`` is a folder holding a file to publish; it stops at the
    first one, so a big dist folder costs no more than a small one."""
    if next(_walk_dist(root, ignore), None) is None:
        raise _nothing_to_publish(root)


def scan_dist(root: Path, ignore: Ignore | None = None) -> list[LocalFile]:
    """Every publishable file under ``root``, sorted by key."""
    files = list(_walk_dist(root, ignore))
    if not files:
        raise _nothing_to_publish(root)
    files.sort(key=lambda f: f.key)
    return files
