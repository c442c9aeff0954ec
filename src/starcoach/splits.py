"""Stable held-out splits: the same items are held out on every machine and every run."""

import hashlib


def in_holdout(identifier: str, modulo: int) -> bool:
    """True for about 1/``modulo`` of identifiers, chosen by a hash so the split never drifts."""
    digest = hashlib.sha256(identifier.encode()).digest()
    return int.from_bytes(digest[:4], "big") % modulo == 0
