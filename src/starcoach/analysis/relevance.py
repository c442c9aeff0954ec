"""Which principles a story shows, and whether it answers the question that was asked.

The question classifier (``matching/understanding.py``) is reused on the story itself: the
mean embedding of the sentences that tell the story (task, action, result, reflection)
is scored against the 16 principles. Relevance is the cosine between the question's
principle distribution and the story's — high when the story shows what the question
probes, near zero when it shows something else or is not a story at all. Measured in
docs/evaluation.md ("Principles in the answer").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STORY_SECTIONS = frozenset({"task", "action", "result", "reflection"})
SHOWN_LIMIT = 3
"""How many of the story's principles are reported as shown (best first)."""
MIN_SHOWN_SCORE = 0.08
"""A principle below this share of the story's distribution is not reported as shown."""


@dataclass(frozen=True)
class PrincipleScore:
    id: str
    name: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4)}


@dataclass(frozen=True)
class PrincipleFit:
    """The principles a story shows and, given a question, how well they fit it."""

    story: tuple[PrincipleScore, ...]
    """All 16 principles, best first, as the story reads."""
    question: tuple[PrincipleScore, ...] | None
    """All 16 principles, best first, as the question reads (None without a question)."""
    relevance: float | None
    """Cosine of the question's and the story's principle distributions, 0..1."""

    @property
    def shown(self) -> list[PrincipleScore]:
        """The principles the story demonstrates, for reports."""
        shown = [p for p in self.story[:SHOWN_LIMIT] if p.score >= MIN_SHOWN_SCORE]
        return shown or list(self.story[:1])

    @property
    def targets(self) -> list[PrincipleScore]:
        """What the question probes: its best principle, and the second when close."""
        if not self.question:
            return []
        first, second = self.question[0], self.question[1]
        return [first, second] if second.score >= 0.5 * first.score else [first]

    def rank_in_story(self, principle_id: str) -> int:
        return next(i for i, p in enumerate(self.story) if p.id == principle_id)


def story_vector(vectors: np.ndarray, sections: Sequence[str]) -> np.ndarray:
    """The normalised mean embedding of the sentences that tell the story."""
    chosen = [i for i, section in enumerate(sections) if section in STORY_SECTIONS]
    rows = vectors[chosen] if chosen else vectors
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def ranked(
    probabilities: np.ndarray, ids: Sequence[str], names: Sequence[str]
) -> tuple[PrincipleScore, ...]:
    order = np.argsort(-probabilities, kind="stable")
    return tuple(PrincipleScore(ids[j], names[j], float(probabilities[j])) for j in order)


def principle_fit(
    story_probabilities: np.ndarray,
    question_probabilities: np.ndarray | None,
    ids: Sequence[str],
    names: Sequence[str],
) -> PrincipleFit:
    relevance = None
    question = None
    if question_probabilities is not None:
        question = ranked(question_probabilities, ids, names)
        denominator = float(
            np.linalg.norm(question_probabilities) * np.linalg.norm(story_probabilities)
        )
        relevance = float(question_probabilities @ story_probabilities) / denominator
    return PrincipleFit(ranked(story_probabilities, ids, names), question, relevance)
