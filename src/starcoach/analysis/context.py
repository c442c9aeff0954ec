"""What every check sees: the answer, its labelled sentences, and the thresholds.

Checks are pure functions of an :class:`AnswerContext`, so they can be run, tested and
documented one by one, and the critique command only assembles the context once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from starcoach.analysis.relevance import PrincipleFit
from starcoach.analysis.star import LabelledSentence

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’%$.,-]*")


@dataclass(frozen=True)
class Thresholds:
    """Length and balance limits; the defaults follow the 2–3 minute norm at ~150 wpm."""

    words_per_minute: int = 150
    min_words: int = 150
    """Under a minute: too little to tell a STAR story (`too-short`)."""
    max_words: int = 550
    """Past ~3.5 minutes interviewers stop listening (`too-long`)."""
    max_setup_share: float = 0.40
    """Situation + task above this share of the words is `long-setup`."""
    min_action_share: float = 0.25
    """Action below this share of the words is `thin-action` (it should be about half)."""


@dataclass(frozen=True)
class AnswerContext:
    text: str
    sentences: Sequence[LabelledSentence]
    question: str | None = None
    level: str | None = None
    """The target level's id or alias (``senior``, ``L6``), when one was given."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    fit: PrincipleFit | None = None
    """The principles the story shows and, with a question, how well they fit it."""

    @cached_property
    def words(self) -> list[str]:
        return WORD.findall(self.text)

    @property
    def word_count(self) -> int:
        return len(self.words)

    def section(self, name: str) -> list[LabelledSentence]:
        return [s for s in self.sentences if s.section == name]

    def section_words(self, name: str) -> int:
        return sum(len(WORD.findall(s.text)) for s in self.section(name))

    def share(self, *names: str) -> float:
        return sum(self.section_words(n) for n in names) / max(1, self.word_count)
