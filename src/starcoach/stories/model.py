"""A story in the user's bank: the one shape every part of starcoach passes around.

Importers produce :class:`Story` objects without an id, storage gives them one, the
critique reads :meth:`Story.answer_text`, exporters write them back out. Nothing here
touches a file or a database.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

STAR_SECTIONS: tuple[str, ...] = ("situation", "task", "action", "result")
"""The four sections of DESIGN §5's import and export JSON."""
SECTIONS: tuple[str, ...] = (*STAR_SECTIONS, "reflection")
"""Everything a story can hold, in the order it is told (STAR plus the lesson, "STAR+L")."""

MAX_TITLE_CHARS = 200
MAX_SECTION_CHARS = 20_000
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Story:
    """One true story from the user's work, told in STAR parts."""

    title: str
    sections: Mapping[str, str] = field(default_factory=dict)
    """Keys from :data:`SECTIONS`; a missing key is an empty section."""
    question: str | None = None
    """The question the user wrote this story for, when they named one."""
    principles: tuple[str, ...] = ()
    """Principle ids the user confirmed."""
    suggested_principles: tuple[str, ...] = ()
    """Principle ids the critique found in the text, best first."""
    company: str | None = None
    role: str | None = None
    started: str | None = None
    """When the story began, as the user wrote it (ISO date or year-month preferred)."""
    ended: str | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    id: int | None = None
    """Given by storage; None until the story is saved."""
    version: int = 0
    """1 for a new story, +1 on every saved edit; 0 until saved."""
    critique: Mapping[str, Any] | None = None
    """The critique JSON (DESIGN §5) of :meth:`answer_text`, stored with the story."""

    def section(self, name: str) -> str:
        return self.sections.get(name, "") or ""

    def answer_text(self) -> str:
        """The story told as one answer, sections in order, for the critique and matching."""
        return "\n\n".join(
            self.section(name).strip() for name in SECTIONS if self.section(name).strip()
        )

    @property
    def score(self) -> int | None:
        """The critique's 0–100 score, when the story has been critiqued."""
        if not self.critique:
            return None
        value = self.critique.get("score")
        return int(value) if isinstance(value, int | float) else None

    @property
    def all_principles(self) -> tuple[str, ...]:
        """Confirmed principles first, then suggestions not already confirmed."""
        extra = tuple(p for p in self.suggested_principles if p not in self.principles)
        return self.principles + extra

    def fingerprint(self) -> str:
        """Identity of the story's content, so re-importing the same notes adds nothing.

        Case, spacing and Unicode width are ignored; metadata (tags, dates) is not part of it.
        """
        parts = [_normalise(self.title), *(_normalise(self.section(s)) for s in SECTIONS)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def with_changes(self, **changes: Any) -> Story:
        return replace(self, **changes)

    def to_dict(self, *, with_critique: bool = False) -> dict[str, Any]:
        """JSON of the story; `sections` always carries the four STAR keys (DESIGN §5).

        ``with_critique`` adds the stored critique, as `story show --json` and the web API
        give it."""
        sections = {name: self.section(name) for name in STAR_SECTIONS}
        if self.section("reflection"):
            sections["reflection"] = self.section("reflection")
        return {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "sections": sections,
            "principles": list(self.all_principles),
            "confirmed_principles": list(self.principles),
            "suggested_principles": list(self.suggested_principles),
            "company": self.company,
            "role": self.role,
            "started": self.started,
            "ended": self.ended,
            "tags": list(self.tags),
            "notes": self.notes,
            "version": self.version,
            "score": self.score,
        } | ({"critique": dict(self.critique) if self.critique else None} if with_critique else {})


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
