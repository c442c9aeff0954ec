"""A small on-disk cache of numpy arrays for derived data (embeddings, trained heads).

Entries are keyed by a digest of everything they were derived from (model hash, data
hash, code version), so a stale entry is never read: a new key is simply a miss.
Writes are atomic (temporary file + rename) so a crash never leaves a torn file, and an
unreadable or unwritable cache only costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import numpy as np

from starcoach.paths import cache_dir

Arrays = dict[str, np.ndarray]


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def load_or_build(
    name: str, key: str, build: Callable[[], Arrays], required: Collection[str] = ()
) -> Arrays:
    """Return the cached arrays for (name, key), building and storing them on a miss.

    An entry that lacks any of the ``required`` arrays (written by older code under the
    same key) counts as a miss, like a damaged one.
    """
    path = cache_dir() / f"{name}-{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            if set(required) <= set(stored.files):
                return {k: stored[k] for k in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        pass  # missing or damaged: rebuild below
    arrays = build()
    write_atomic(path, lambda handle: np.savez(handle, **arrays))
    return arrays


def load_or_build_json(name: str, key: str, build: Callable[[], Any]) -> Any:
    """Like :func:`load_or_build` for JSON-serialisable data (parsed data files)."""
    path = cache_dir() / f"{name}-{key}.json"
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass
    data = build()
    write_atomic(path, lambda handle: handle.write(json.dumps(data, ensure_ascii=False).encode()))
    return data


def cache_path(name: str, key: str, suffix: str) -> Path:
    return cache_dir() / f"{name}-{key}{suffix}"


def write_atomic(path: Path, write: Callable[[Any], object]) -> None:
    """Write through a temporary file and rename, then drop older entries of this name.

    Failures are swallowed: a read-only home still works, just without the speed-up.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        prune_older(path)
    except OSError:
        pass


def prune_older(path: Path) -> None:
    """Delete the other entries of ``path``'s name: one entry per name is kept."""
    name = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{name}-*{path.suffix}"):
        if old != path:
            old.unlink(missing_ok=True)
