"""Coverage: how well the story bank covers the principles a loop will probe.

DESIGN §1: prepare 2–3 stories per principle; 12–20 well-told stories cover a loop; the
same story must show more scope at higher levels. The report holds a stories ×
principles matrix of *strength* (0..1, how well a story shows a principle), the
principles with fewer than :data:`MIN_STRONG_STORIES` strong stories (gaps), the stories
strong for so many principles that they are likely to be told twice (overused), and a
readiness figure per company.

Strength of story s for principle p::

    fit      = max(CONFIRMED_FIT if the user confirmed p on s, min(1, P(p | s) / FULL_PROBABILITY))
    strength = fit × (QUALITY_FLOOR + (1 − QUALITY_FLOOR) × critique score / 100)
                   × (SCOPE_FLOOR + (1 − SCOPE_FLOOR) × scope score / 100)   # with a level

where P(p | s) is the principle classifier on the story vector (as in the critique). A
confirmed principle counts almost fully because the user knows the story; a well-told
story counts more than a rambling one; a story below the target level's scope counts less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.matching.stories import DEFAULT_QUALITY, IndexedStory, StoryIndex

if TYPE_CHECKING:
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.understanding import QuestionUnderstanding

STRONG = 0.6
"""A story is *strong* for a principle at this strength or above: confirmed (0.9) and told
at a score of 40+, or predicted with probability ≥ 0.24 and told at a score of 100, or
anything in between. Below it, an interviewer's follow-ups would likely find the story thin."""
MIN_STRONG_STORIES = 2
"""DESIGN §1: 2–3 stories per principle; fewer strong stories than this is a gap."""
OVERUSED_AT = 3
"""A story strong for this many of the company's principles is likely to be reached for
by several interviewers; the plan can tell it once only."""
CONFIRMED_FIT = 0.9
FULL_PROBABILITY = 0.4
"""The classifier probability at which a principle counts as fully shown: a story's top
principle is usually 0.3–0.6 (the rest of the mass is spread over related principles)."""
QUALITY_FLOOR = 0.5
SCOPE_FLOOR = 0.6
READINESS_TARGET = MIN_STRONG_STORIES
"""Readiness of one principle: the sum of its two best strengths / 2 (capped at 1)."""


@dataclass(frozen=True)
class Gap:
    principle: str
    name: str
    strong: tuple[int | None, ...]
    """Ids of the stories strong for it (fewer than MIN_STRONG_STORIES)."""
    best: tuple[int | None, str, float] | None
    """The best story that is not yet strong for it: (id, title, strength)."""
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "principle": self.principle,
            "name": self.name,
            "strong_stories": list(self.strong),
            "best_candidate": (
                {"id": self.best[0], "title": self.best[1], "strength": round(self.best[2], 4)}
                if self.best
                else None
            ),
            "message": self.message,
        }


@dataclass(frozen=True)
class Overused:
    id: int | None
    title: str
    principles: tuple[str, ...]
    sole_cover: tuple[str, ...]
    """Principles for which this is the only strong story."""
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "principles": list(self.principles),
            "sole_cover": list(self.sole_cover),
            "message": self.message,
        }


@dataclass(frozen=True)
class Readiness:
    company: str
    name: str
    score: int
    """0–100: mean over the company's principles of min(1, two best strengths / 2)."""
    principles: tuple[str, ...]
    missing: tuple[str, ...]
    """The company's principles without a single strong story."""

    def to_dict(self) -> dict[str, object]:
        return {
            "company": self.company,
            "name": self.name,
            "score": self.score,
            "principles": list(self.principles),
            "missing": list(self.missing),
        }


@dataclass
class CoverageReport:
    """The stories × principles matrix and what it means for a loop."""

    index: StoryIndex
    strength: np.ndarray
    """Shape (n stories, 16), in PRINCIPLE_IDS order."""
    principles: tuple[str, ...]
    """The principles in focus: the company's, or all 16."""
    gaps: list[Gap]
    overused: list[Overused]
    readiness: dict[str, Readiness]
    company: str | None = None
    level: str | None = None
    scope: list[dict[str, object]] = field(default_factory=list)
    """Per story, with a level: the level its scope reads as and the gap to the target."""

    @property
    def stories(self) -> list[IndexedStory]:
        return self.index.items

    def strong_stories(self, principle: str) -> list[int]:
        """Positions of the stories strong for ``principle``, strongest first."""
        column = self.strength[:, PRINCIPLE_IDS.index(principle)]
        order = np.argsort(-column, kind="stable")
        return [int(i) for i in order if column[i] >= STRONG]

    def to_dict(self) -> dict[str, object]:
        names = self.index.names
        columns = [PRINCIPLE_IDS.index(p) for p in self.principles]
        return {
            "company": self.company,
            "level": self.level,
            "strong_threshold": STRONG,
            "principles": [{"id": p, "name": names.get(p, p)} for p in self.principles],
            "stories": [
                {
                    "id": item.story.id,
                    "title": item.story.title,
                    "strength": {
                        PRINCIPLE_IDS[j]: round(float(self.strength[i, j]), 4) for j in columns
                    },
                    "strong": [PRINCIPLE_IDS[j] for j in columns if self.strength[i, j] >= STRONG],
                }
                for i, item in enumerate(self.stories)
            ],
            "matrix": [
                [round(float(self.strength[i, j]), 4) for j in columns]
                for i in range(len(self.stories))
            ],
            "gaps": [g.to_dict() for g in self.gaps],
            "overused": [o.to_dict() for o in self.overused],
            "readiness": {k: r.to_dict() for k, r in self.readiness.items()},
            "scope": self.scope,
        }


def strength_matrix(index: StoryIndex, scope_scores: Sequence[float] | None = None) -> np.ndarray:
    """How well each story shows each principle, 0..1 (see the module docstring)."""
    predicted = np.minimum(1.0, index.story_probabilities / FULL_PROBABILITY)
    fit = np.maximum(index.confirmed * CONFIRMED_FIT, predicted)
    quality = np.where(np.isnan(index.quality), DEFAULT_QUALITY, index.quality)
    factor = QUALITY_FLOOR + (1 - QUALITY_FLOOR) * quality
    if scope_scores is not None:
        factor = factor * (SCOPE_FLOOR + (1 - SCOPE_FLOOR) * np.asarray(scope_scores) / 100)
    return np.clip(fit * factor[:, None], 0.0, 1.0).astype(np.float32)


def coverage(
    stories: StoryIndex | Sequence[IndexedStory],
    knowledge: KnowledgeBase,
    company: str | None = None,
    level: str | None = None,
    understanding: QuestionUnderstanding | None = None,
) -> CoverageReport:
    """The coverage report of a story bank; an unknown company or level raises InputError."""
    company_id = knowledge.company(company).id if company else None
    level_id = knowledge.level(level).id if level else None
    index = _as_index(stories, understanding)
    scope_rows: list[dict[str, object]] = []
    scope_scores = None
    if level_id:
        from starcoach.analysis.scope import assess_scope

        scope_scores = []
        for item in index.items:
            assessment = assess_scope(_story_text(item), level_id)
            scope_scores.append(float(assessment.score))
            scope_rows.append(
                {
                    "id": item.story.id,
                    "title": item.story.title,
                    "shows_level": assessment.shown_level,
                    "gap": assessment.gap,
                    "score": assessment.score,
                    "advice": list(assessment.advice),
                }
            )
    strength = strength_matrix(index, scope_scores)
    focus = knowledge.company(company_id).principles if company_id else PRINCIPLE_IDS
    report = CoverageReport(
        index=index,
        strength=strength,
        principles=tuple(focus),
        gaps=[],
        overused=[],
        readiness={
            c.id: _readiness(strength, c.id, c.name, c.principles) for c in knowledge.companies
        },
        company=company_id,
        level=level_id,
        scope=scope_rows,
    )
    report.gaps = _gaps(report)
    report.overused = _overused(report)
    return report


def _as_index(
    stories: StoryIndex | Sequence[IndexedStory], understanding: QuestionUnderstanding | None
) -> StoryIndex:
    if isinstance(stories, StoryIndex):
        return stories
    if understanding is None:
        from starcoach.matching.understanding import get_understanding

        understanding = get_understanding()
    return StoryIndex.build(stories, understanding)


def _story_text(item: IndexedStory) -> str:
    text = item.story.answer_text()
    if text:
        return text
    return " ".join(str(s.get("text", "")) for s in item.sentences())


def _readiness(
    strength: np.ndarray, company: str, name: str, principles: Sequence[str]
) -> Readiness:
    columns = [PRINCIPLE_IDS.index(p) for p in principles]
    if strength.shape[0] == 0:
        return Readiness(company, name, 0, tuple(principles), tuple(principles))
    best = -np.sort(-strength[:, columns], axis=0)[:READINESS_TARGET]
    cover = np.minimum(1.0, best.sum(axis=0) / READINESS_TARGET)
    missing = tuple(
        p for p, j in zip(principles, columns, strict=True) if strength[:, j].max() < STRONG
    )
    return Readiness(company, name, round(100 * float(cover.mean())), tuple(principles), missing)


def _gaps(report: CoverageReport) -> list[Gap]:
    gaps = []
    names = report.index.names
    for principle in report.principles:
        strong = report.strong_stories(principle)
        if len(strong) >= MIN_STRONG_STORIES:
            continue
        column = report.strength[:, PRINCIPLE_IDS.index(principle)]
        others = [i for i in np.argsort(-column, kind="stable") if int(i) not in strong]
        best = None
        name = names.get(principle, principle)
        if others and column[others[0]] > 0:
            story = report.stories[int(others[0])].story
            best = (story.id, story.title, float(column[others[0]]))
        if not strong:
            message = f"No story shows {name} strongly; prepare two."
        else:
            title = report.stories[strong[0]].story.title
            message = f"Only ‘{title}’ shows {name} strongly; prepare one more."
        if best:
            message += f" Closest: ‘{best[1]}’ ({best[2]:.2f}) — retell it to bring {name} out."
        gaps.append(
            Gap(
                principle,
                name,
                tuple(report.stories[i].story.id for i in strong),
                best,
                message,
            )
        )
    return gaps


def _overused(report: CoverageReport) -> list[Overused]:
    out = []
    names = report.index.names
    strong_by_principle = {p: report.strong_stories(p) for p in report.principles}
    for i, item in enumerate(report.stories):
        principles = tuple(p for p in report.principles if i in strong_by_principle[p])
        sole = tuple(p for p in principles if strong_by_principle[p] == [i])
        if len(principles) < OVERUSED_AT:
            continue
        listed = ", ".join(names.get(p, p) for p in principles)
        message = (
            f"‘{item.story.title}’ is strong for {len(principles)} principles ({listed}); "
            "several interviewers may want it, but it can be told only once."
        )
        if sole:
            message += (
                " Prepare another story for " + ", ".join(names.get(p, p) for p in sole) + "."
            )
        out.append(Overused(item.story.id, item.story.title, principles, sole, message))
    return out
