"""Which principles a story shows, and whether it answers the question that was asked.

The question classifier (``matching/understanding.py``) is reused on the story itself: the
mean embedding of the sentences that tell the story (task, action, result, reflection)
is scored against the 16 principles. Relevance blends two views of the same question:

* **overlap**: the cosine between the question's principle distribution and the story's
  — high when the story shows what the question probes;
* **similarity**: the cosine between the question's embedding and the story's mean
  embedding — whether the story talks about what the question asks at all.

Either alone misses cases the other catches (a story about customers told to a
disagreement question overlaps little; a self-introduction is far from any question), so
relevance is their weighted mean. On the labelled answers, out of fold, the blend ranks
off-topic and mismatched answers below clean ones better than either part, and better
than a principle head trained on the labelled answers' own stories (too few per
principle to beat the question classifier). Measured in docs/evaluation.md.
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
SIMILARITY_WEIGHT = 2.0
"""Weight of the direct question–story similarity against the principle overlap (1).

Chosen on the labelled answers outside the held-out fifth among 1, 1.5, 2, 3 and 5: 2
gave the best off-topic and mismatch recall at the same false-alarm rate on clean
answers. The similarity of a clean story to its question is about 0.35 (overlap about
0.6), so the two parts weigh roughly alike."""


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
    """How well the story answers the question, 0..1: the weighted mean of ``overlap``
    and ``similarity`` (just ``overlap`` when no similarity was given)."""
    overlap: float | None = None
    """Cosine of the question's and the story's principle distributions, 0..1."""
    similarity: float | None = None
    """Cosine of the question's embedding and the story's mean embedding (clipped at 0)."""

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


def question_similarity(story: np.ndarray, question_vector: np.ndarray) -> float:
    """Cosine between the story vector and the question's embedding, clipped at 0: how
    much the story talks about what the question asks, whatever principle it shows."""
    norm = float(np.linalg.norm(story) * np.linalg.norm(question_vector))
    return max(0.0, float(story @ question_vector) / norm) if norm else 0.0


def blend_relevance(overlap: float, similarity: float | None) -> float:
    """Relevance from its two parts (see the module docstring)."""
    if similarity is None:
        return overlap
    return (overlap + SIMILARITY_WEIGHT * similarity) / (1.0 + SIMILARITY_WEIGHT)


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
    similarity: float | None = None,
) -> PrincipleFit:
    """The story's principles and, with a question, its relevance; ``similarity`` is
    :func:`question_similarity` (without it relevance is the principle overlap alone)."""
    if question_probabilities is None:
        return PrincipleFit(ranked(story_probabilities, ids, names), None, None)
    denominator = float(
        np.linalg.norm(question_probabilities) * np.linalg.norm(story_probabilities)
    )
    overlap = (
        float(question_probabilities @ story_probabilities) / denominator if denominator else 0.0
    )
    return PrincipleFit(
        ranked(story_probabilities, ids, names),
        ranked(question_probabilities, ids, names),
        blend_relevance(overlap, similarity),
        overlap,
        similarity,
    )
