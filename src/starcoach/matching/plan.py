"""Loop planning: which principles each interviewer probes, and which story answers each.

DESIGN §1 ("Format"): a loop has several interviewers, each given different principles
(2–3 each), and a candidate should not retell the same story to two interviewers.

1. The company's principles are ordered by how often the question bank asks them for that
   company (ties: the company's own order), and the first ``3 × interviewers`` are dealt
   round-robin, so every interviewer gets a mix of the most and less common ones.
2. Stories are assigned by an exact maximum-weight matching (the Hungarian algorithm, in
   numpy: slots are at most 24, so it is instant): every principle gets a different story,
   covering as many principles as possible first (each usable assignment earns
   :data:`COVER_BONUS`), then — among plans that cover as many — the higher-priority
   principles, then the greatest total strength. A principle whose best free story is
   below :data:`USABLE` stays uncovered, with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from starcoach.errors import InputError
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.matching.coverage import STRONG, CoverageReport, coverage
from starcoach.matching.stories import IndexedStory, StoryIndex

if TYPE_CHECKING:
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.understanding import QuestionUnderstanding

MAX_PER_INTERVIEWER = 3
MIN_PER_INTERVIEWER = 2
MAX_INTERVIEWERS = 8
"""More than a long on-site; a bigger number is a typo."""
USABLE = 0.3
"""Below this strength a story would not survive the follow-ups on that principle; the
principle is better reported uncovered than answered with it."""
COVER_BONUS = 10.0
"""Added to every usable assignment so that covering one more principle always beats any
gain in strength (strengths are at most 1 and there are at most 24 slots)."""
PRIORITY_STEP = 1e-3
"""Per place in the priority order: breaks ties towards the more commonly asked principle."""


@dataclass(frozen=True)
class PlanSlot:
    principle: str
    name: str
    story: int | None
    """Position of the story in the bank, or None when uncovered."""
    story_id: int | None
    title: str | None
    strength: float
    question: str | None
    """An example question from the bank for this principle (and company, when tagged)."""

    @property
    def weak(self) -> bool:
        return self.story is not None and self.strength < STRONG

    def to_dict(self) -> dict[str, object]:
        return {
            "principle": self.principle,
            "name": self.name,
            "story": (
                {"id": self.story_id, "title": self.title, "strength": round(self.strength, 4)}
                if self.story is not None
                else None
            ),
            "weak": self.weak,
            "question": self.question,
        }


@dataclass(frozen=True)
class InterviewerPlan:
    number: int
    slots: tuple[PlanSlot, ...]

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "principles": [s.to_dict() for s in self.slots]}


@dataclass
class LoopPlan:
    company: str
    level: str | None
    interviewers: list[InterviewerPlan]
    uncovered: list[dict[str, object]] = field(default_factory=list)
    unscheduled: list[str] = field(default_factory=list)
    """The company's principles left out because the loop has too few interviewers."""
    notes: list[str] = field(default_factory=list)

    def stories_used(self) -> list[int]:
        return [s.story for i in self.interviewers for s in i.slots if s.story is not None]

    def to_dict(self) -> dict[str, object]:
        return {
            "company": self.company,
            "level": self.level,
            "interviewers": [i.to_dict() for i in self.interviewers],
            "uncovered": self.uncovered,
            "unscheduled": self.unscheduled,
            "stories_used": len(self.stories_used()),
            "notes": self.notes,
        }


def plan_loop(
    source: StoryIndex | CoverageReport | Sequence[IndexedStory],
    knowledge: KnowledgeBase,
    company: str = "amazon",
    interviewers: int = 4,
    level: str | None = None,
    understanding: QuestionUnderstanding | None = None,
) -> LoopPlan:
    """Spread the company's principles over the interviewers and give each a different story."""
    if isinstance(interviewers, bool) or not isinstance(interviewers, int):
        raise InputError("The number of interviewers must be a whole number.")
    if not 1 <= interviewers <= MAX_INTERVIEWERS:
        raise InputError(
            f"A loop needs between 1 and {MAX_INTERVIEWERS} interviewers, not {interviewers}."
        )
    firm = knowledge.company(company)
    level_id = knowledge.level(level).id if level else None
    if len(firm.principles) < interviewers:
        raise InputError(
            f"{firm.name} is known for {len(firm.principles)} principles, too few for "
            f"{interviewers} interviewers to each get a different one."
        )
    if isinstance(source, CoverageReport) and source.level == level_id:
        report = source
    else:
        index = source.index if isinstance(source, CoverageReport) else source
        report = coverage(index, knowledge, firm.id, level_id, understanding)

    ordered = principle_priority(knowledge, firm.id)
    total = min(len(ordered), MAX_PER_INTERVIEWER * interviewers)
    chosen, unscheduled = ordered[:total], ordered[total:]
    columns = [PRINCIPLE_IDS.index(p) for p in chosen]
    strength = report.strength[:, columns].T  # (slots, stories)
    assignment = assign(strength, priority=np.arange(len(chosen)))

    names = report.index.names
    slots: list[PlanSlot] = []
    for k, principle in enumerate(chosen):
        story = assignment[k]
        item = report.stories[story].story if story is not None else None
        slots.append(
            PlanSlot(
                principle,
                names.get(principle, principle),
                story,
                item.id if item else None,
                item.title if item else None,
                float(strength[k, story]) if story is not None else 0.0,
                _example_question(knowledge, principle, firm.id),
            )
        )
    plans = [
        InterviewerPlan(number + 1, tuple(slots[number::interviewers]))
        for number in range(interviewers)
    ]
    owner = {s.principle: p.number for p in plans for s in p.slots}
    plan = LoopPlan(firm.id, level_id, plans, unscheduled=list(unscheduled))
    plan.uncovered = [
        {
            "principle": s.principle,
            "name": s.name,
            "interviewer": owner[s.principle],
            "reason": _why_uncovered(s, k, strength, slots, report, owner),
        }
        for k, s in enumerate(slots)
        if s.story is None
    ]
    short = [p.number for p in plans if len(p.slots) < MIN_PER_INTERVIEWER]
    if short:
        who = (
            f"interviewer {short[0]} probes"
            if len(short) == 1
            else f"interviewers {', '.join(map(str, short))} probe"
        )
        plan.notes.append(
            f"{firm.name} has only {len(ordered)} principles, so {who} only one; "
            "expect deeper follow-ups there."
        )
    weak = [s for s in slots if s.weak]
    if weak:
        plan.notes.append(
            "Weak fits (the story shows the principle only in part): "
            + "; ".join(f"{s.name} ← ‘{s.title}’" for s in weak)
        )
    return plan


def principle_priority(knowledge: KnowledgeBase, company: str) -> list[str]:
    """The company's principles, most often asked first (bank questions for the company,
    or the whole bank when none are tagged for it), ties in the company's own order."""
    firm = knowledge.company(company)
    questions = knowledge.questions_for(company=firm.id) or list(knowledge.questions)
    counts = Counter(p for q in questions for p in q.principles)
    order = {p: i for i, p in enumerate(firm.principles)}
    return sorted(firm.principles, key=lambda p: (-counts[p], order[p]))


def assign(strength: np.ndarray, priority: np.ndarray | None = None) -> list[int | None]:
    """Give each row (principle) a different column (story), or None, maximising first the
    number of rows covered with a strength ≥ USABLE, then priority, then total strength.

    Exact: the Hungarian algorithm on costs, with one "uncovered" column per row.
    """
    rows, stories = strength.shape
    if rows == 0:
        return []
    priority = np.zeros(rows) if priority is None else np.asarray(priority, dtype=float)
    bonus = COVER_BONUS + PRIORITY_STEP * (rows - priority)
    value = np.where(strength >= USABLE, bonus[:, None] + strength, -np.inf)
    big = COVER_BONUS * 1e3
    cost = np.hstack([np.where(np.isfinite(value), -value, big), np.zeros((rows, rows))])
    columns = hungarian(cost)
    return [
        int(c) if c < stories and np.isfinite(value[r, c]) else None for r, c in enumerate(columns)
    ]


def hungarian(cost: np.ndarray) -> list[int]:
    """Minimum-cost assignment of every row to a distinct column (rows ≤ columns).

    The shortest-augmenting-path form of the Hungarian algorithm (O(rows² · columns)),
    with the inner scan over columns vectorised; numpy only, as scipy is not a dependency.
    """
    rows, cols = cost.shape
    if rows > cols:
        raise ValueError("hungarian() needs at least as many columns as rows")
    u = np.zeros(rows + 1)
    v = np.zeros(cols + 1)
    match = np.zeros(cols + 1, dtype=np.int64)  # match[j] = 1-based row on column j
    way = np.zeros(cols + 1, dtype=np.int64)
    for i in range(1, rows + 1):
        match[0] = i
        j0 = 0
        minv = np.full(cols + 1, np.inf)
        used = np.zeros(cols + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            free = ~used[1:]
            current = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (current < minv[1:])
            minv[1:][better] = current[better]
            way[1:][better] = j0
            candidates = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    result = [0] * rows
    for j in range(1, cols + 1):
        if match[j]:
            result[match[j] - 1] = j - 1
    return result


def _example_question(knowledge: KnowledgeBase, principle: str, company: str) -> str | None:
    for filters in ({"company": company}, {}):
        found = knowledge.questions_for(principle=principle, primary_only=True, **filters)
        if found:
            return found[0].text
    return None


def _why_uncovered(
    slot: PlanSlot,
    k: int,
    strength: np.ndarray,
    slots: Sequence[PlanSlot],
    report: CoverageReport,
    owner: dict[str, int],
) -> str:
    row = strength[k]
    if row.size == 0:
        return "The story bank is empty."
    usable = [int(j) for j in np.argsort(-row, kind="stable") if row[j] >= USABLE]
    if not usable:
        best = int(np.argmax(row))
        title = report.stories[best].story.title
        return (
            f"No story shows {slot.name} well enough (best: ‘{title}’ at {row[best]:.2f}, "
            f"needs {USABLE:.2f}); prepare one."
        )
    taken = {s.story: s for s in slots if s.story is not None}
    uses = [
        f"‘{taken[j].title}’ goes to interviewer {owner[taken[j].principle]} for {taken[j].name}"
        for j in usable[:3]
        if j in taken
    ]
    return (
        f"Every story that shows {slot.name} is needed elsewhere ({'; '.join(uses)}); "
        "prepare another story for it."
    )
