"""How well level calibration reads the scope of the project's labelled answers.

Every labelled answer carries ``shows_level``: the scope a person judged the story to
show. Two questions are measured:

* **reading**: is the level :func:`~starcoach.analysis.scope.assess_scope` reads the
  story as the labelled one (exact), or at most one level off (within one)?
* **the check**: ``scope-below-level`` should fire when a story is told for a level well
  above what it shows, and stay quiet at the story's own level. *Recall* judges each
  answer against the level two ranks above its label (when there is one); *false alarms*
  judge each answer against its own label.

The rules and thresholds were chosen on the answers that are not held out; report the
held-out fifth separately (:func:`evaluate_scope_splits`) to see how well they carry over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from starcoach.analysis.checks.scope import scope_below_level
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.dataset import LabelledAnswer, load_labelled_answers
from starcoach.analysis.scope import assess_scope
from starcoach.knowledge.models import LEVEL_IDS

RECALL_OFFSET = 2
"""Recall is measured against the level this many ranks above the labelled one."""
TOP_CONFUSIONS = 5


@dataclass(frozen=True)
class ScopeReport:
    name: str
    answers: int
    exact: float
    within_one: float
    mean_absolute_error: float
    """In levels, shown vs labelled."""
    per_level_exact: dict[str, float]
    confusion: dict[str, dict[str, int]]
    """Labelled level → shown level → count."""
    confusions: list[tuple[str, str, int]]
    """The most frequent (labelled, shown) disagreements, largest first."""
    recall_judged: int
    recall: float | None
    """Share of answers flagged when judged two levels above their label."""
    false_alarm_judged: int
    false_alarm_rate: float | None
    """Share of answers flagged when judged at their own label."""
    misread_by_two: list[str] = field(default_factory=list)
    """Ids of answers read two or more levels away from their label (to review labels)."""

    def to_dict(self) -> dict[str, object]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "name": self.name,
            "answers": self.answers,
            "exact": rounded(self.exact),
            "within_one": rounded(self.within_one),
            "mean_absolute_error": rounded(self.mean_absolute_error),
            "per_level_exact": {k: rounded(v) for k, v in self.per_level_exact.items()},
            "confusion": self.confusion,
            "confusions": [{"labelled": a, "shown": b, "count": c} for a, b, c in self.confusions],
            "below_level_recall": rounded(self.recall),
            "below_level_recall_judged": self.recall_judged,
            "false_alarm_rate": rounded(self.false_alarm_rate),
            "false_alarm_judged": self.false_alarm_judged,
            "misread_by_two": list(self.misread_by_two),
        }


def _flags(answer: LabelledAnswer, level: str) -> bool:
    """Whether the registered check fires for the answer told for ``level``."""
    context = AnswerContext(answer.text, (), level=level)
    return any(f.code == "scope-below-level" for f in scope_below_level(context))


def evaluate_scope(answers: Sequence[LabelledAnswer], name: str = "answers") -> ScopeReport:
    rank = {level: index for index, level in enumerate(LEVEL_IDS)}
    pairs = [(a, assess_scope(a.text).shown_level) for a in answers]
    n = len(pairs)
    distance = [abs(rank[shown] - rank[a.shows_level]) for a, shown in pairs]
    confusion = {
        labelled: {
            shown: sum(1 for a, s in pairs if a.shows_level == labelled and s == shown)
            for shown in LEVEL_IDS
        }
        for labelled in LEVEL_IDS
    }
    per_level = {
        level: confusion[level][level] / total
        for level in LEVEL_IDS
        if (total := sum(confusion[level].values()))
    }
    off_diagonal = Counter((a.shows_level, s) for a, s in pairs if a.shows_level != s)
    above = [
        (a, LEVEL_IDS[rank[a.shows_level] + RECALL_OFFSET])
        for a in answers
        if rank[a.shows_level] + RECALL_OFFSET < len(LEVEL_IDS)
    ]
    hits = sum(_flags(a, level) for a, level in above)
    alarms = sum(_flags(a, a.shows_level) for a in answers)
    return ScopeReport(
        name=name,
        answers=n,
        exact=sum(d == 0 for d in distance) / n if n else 0.0,
        within_one=sum(d <= 1 for d in distance) / n if n else 0.0,
        mean_absolute_error=sum(distance) / n if n else 0.0,
        per_level_exact=per_level,
        confusion=confusion,
        confusions=[(a, b, c) for (a, b), c in off_diagonal.most_common(TOP_CONFUSIONS)],
        recall_judged=len(above),
        recall=hits / len(above) if above else None,
        false_alarm_judged=n,
        false_alarm_rate=alarms / n if n else None,
        misread_by_two=[a.id for (a, _), d in zip(pairs, distance, strict=True) if d >= 2],
    )


def evaluate_scope_splits(
    answers: Sequence[LabelledAnswer] | None = None,
) -> list[ScopeReport]:
    """The answers the rules were chosen on, the held-out fifth, and all of them."""
    answers = list(answers) if answers is not None else load_labelled_answers()
    return [
        evaluate_scope([a for a in answers if not a.is_holdout], "not held out"),
        evaluate_scope([a for a in answers if a.is_holdout], "held-out fifth"),
        evaluate_scope(answers, "all"),
    ]
