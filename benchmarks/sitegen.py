"""Deterministic synthetic static sites for the publish benchmark: nested HTML pages,
fingerprinted assets of mixed types and sizes, and a few files above the multipart threshold.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSET_KINDS = (".js", ".css", ".png", ".svg", ".woff2", ".json", ".webp", ".map")
LARGE_SIZE = 9 * 1024 * 1024  # above the 8 MiB multipart threshold


@dataclass(frozen=True)
class SiteSpec:
    files: int = 2000
    html_share: float = 0.15
    target_bytes: int = 45_000_000
    seed: int = 2026
    large_files: int = 2  # files above the multipart threshold (in sites of 10 files or more)


def _payload(rng: random.Random, size: int) -> bytes:
    # Text-like, incompressible enough, cheap to make: random bytes hex-encoded.
    return rng.randbytes((size + 1) // 2).hex().encode()[:size]


def _fingerprint(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08x}"


def site_paths(spec: SiteSpec) -> list[tuple[str, int]]:
    """(relative path, size) of every file, the same for the same spec."""
    rng = random.Random(spec.seed)
    html = max(1, int(spec.files * spec.html_share))
    large = spec.large_files if spec.files >= 10 else 0
    assets = spec.files - html - large
    small_budget = max(spec.target_bytes - large * LARGE_SIZE, spec.files * 600)
    mean_asset = max(600, (small_budget - html * 4000) // max(assets, 1))
    paths: list[tuple[str, int]] = [("index.html", 3000), ("404.html", 1500)]
    sections = [f"section-{n}" for n in range(max(1, html // 40))]
    while len(paths) < html:
        depth = rng.randint(1, 3)
        parts = [rng.choice(sections)] + [f"page-{rng.randint(0, 60)}" for _ in range(depth - 1)]
        rel = "/".join(parts) + "/index.html"
        if rel not in {p for p, _ in paths}:
            paths.append((rel, rng.randint(2000, 6000)))
    for n in range(assets):
        ext = ASSET_KINDS[n % len(ASSET_KINDS)]
        size = int(min(40_960, max(512, rng.expovariate(1 / mean_asset))))
        folder = rng.choice(["assets", "assets/img", "assets/js", "static/media"])
        paths.append((f"{folder}/chunk-{n}.{_fingerprint(rng)}{ext}", size))
    for n in range(large):
        paths.append((f"media/video-{n}.{_fingerprint(rng)}.mp4", LARGE_SIZE))
    return paths


def write_site(root: Path, spec: SiteSpec) -> int:
    """Write the site under root (emptied first); return the total bytes."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(spec.seed + 1)
    total = 0
    for rel, size in site_paths(spec):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".html"):
            head = f"<!doctype html><title>{rel}</title><p>".encode()
            body = head + _payload(rng, max(0, size - len(head)))
        else:
            body = _payload(rng, size)
        path.write_bytes(body)
        total += size
    return total


def rebuild(root: Path, changed_share: float, seed: int) -> list[str]:
    """Rewrite every file (new mtime), giving new bytes to `changed_share` of them."""
    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    changed = set(rng.sample(range(len(files)), max(1, int(len(files) * changed_share))))
    names = []
    for n, path in enumerate(files):
        data = path.read_bytes()
        if n in changed and data:
            data = data[:-8] + _payload(rng, 8) if len(data) > 8 else _payload(rng, len(data))
            names.append(path.relative_to(root).as_posix())
        path.write_bytes(data)
        os.utime(path)  # a fresh build: every mtime is new
    return names


def prune(root: Path, share: float, seed: int) -> list[str]:
    """Remove `share` of the files that are not the root index document."""
    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "index.html")
    gone = rng.sample(files, max(1, int(len(files) * share)))
    for path in gone:
        path.unlink()
    return [p.relative_to(root).as_posix() for p in gone]
