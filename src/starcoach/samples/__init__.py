"""Sample notes that ship with the package, so a fresh install has stories to explore.

``examples/notes/`` in the repository holds the same files for the README's commands; an
installed starcoach has no repository, so the web app's "Load the sample stories" action
reads these copies (a test keeps the two in step).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

NOTES_FOLDER = "notes"


def _files() -> list[Traversable]:
    folder = resources.files(__name__).joinpath(NOTES_FOLDER)
    found = (entry for entry in folder.iterdir() if entry.name.endswith(".md"))
    return sorted(found, key=lambda entry: entry.name)


def sample_names() -> list[str]:
    """The sample notes' file names, in name order (what the dashboard offers)."""
    return [entry.name for entry in _files()]


def sample_notes() -> list[tuple[str, str]]:
    """``(file name, text)`` of every sample notes file, in name order."""
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in _files()]


__all__ = ["sample_names", "sample_notes"]
