"""A small on-disk cache of numpy arrays for derived data (embeddings, trained heads).

Entries are keyed by a digest of everything they were derived from (model hash, data
hash, code version), so a stale entry is never read: a new key is simply a miss.
Writes are atomic (temporary file + rename) so a crash never leaves a torn file, and an
unreadable or unwritable cache only costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from starcoach.paths import cache_dir

Arrays = dict[str, np.ndarray]


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def load_or_build(name: str, key: str, build: Callable[[], Arrays]) -> Arrays:
    """Return the cached arrays for (name, key), building and storing them on a miss."""
    path = cache_dir() / f"{name}-{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {k: stored[k] for k in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        pass  # missing or damaged: rebuild below
    arrays = build()
    _write_atomic(path, arrays)
    return arrays


def _write_atomic(path: Path, arrays: Arrays) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)  # keep one entry per name
    except OSError:
        pass  # a read-only home still works, just without the speed-up
