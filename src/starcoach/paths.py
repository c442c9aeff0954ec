"""Where starcoach keeps the user's data and its caches.

``STARCOACH_HOME`` (or the CLI's ``--home``) wins; otherwise the platform's data
directory convention applies (e.g. ``~/.local/share/starcoach`` on Linux).
"""

import os
from pathlib import Path

HOME_ENV = "STARCOACH_HOME"
DB_URL_ENV = "STARCOACH_DB_URL"
"""A database URL (SQLAlchemy form) that replaces the SQLite file in the data folder."""


def home_dir() -> Path:
    """The folder that holds the user's data (created on demand by writers)."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # imported lazily: it is only needed without STARCOACH_HOME

    return Path(platformdirs.user_data_path("starcoach", appauthor=False))


def cache_dir() -> Path:
    """Derived data (embeddings, trained heads) that can always be rebuilt."""
    return home_dir() / "cache"
