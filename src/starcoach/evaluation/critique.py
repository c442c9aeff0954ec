"""How well the checks find the flaws the project's labelled answers were written to show.

The answers list the flaws each was *written* to exhibit, not every flaw it happens to
have (a deliberately vague answer is often short as well). So each code gets two figures:

* **recall**: of the answers written with that flaw, the share the check flags;
* **false alarms**: of the answers written clean (quality ``strong``, no flaws), the share
  it flags — the honest stand-in for precision under partial annotation.

Sections come from labellers that never saw the answer (k-fold by answer), and each answer
is critiqued with its question, so the checks and scores are measured as a user would
meet them. The relevance thresholds are re-derived here from those critiques
(:func:`choose_relevance_thresholds`), so a change to relevance shows whether the shipped
thresholds still follow the rule they were chosen by.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from starcoach.analysis.checks import REGISTRY
from starcoach.analysis.checks.relevance import MISMATCH_RANK
from starcoach.analysis.critique import Critic, Critique, CritiqueRequest
from starcoach.analysis.dataset import QUALITIES, LabelledAnswer, load_labelled_answers
from starcoach.analysis.star import StarLabeller
from starcoach.evaluation.scope import ScopeReport, evaluate_scope
from starcoach.evaluation.star import (
    EmbeddedAnswer,
    StarReport,
    cross_validate_labeller,
    embed_answers,
    out_of_fold_models,
    score_labeller,
    train_embedded,
)
from starcoach.nlp.embedding import Embedder


@dataclass(frozen=True)
class CheckReport:
    code: str
    written_with_flaw: int
    recall: float | None
    clean_answers: int
    false_alarm_rate: float

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "written_with_flaw": self.written_with_flaw,
            "recall": None if self.recall is None else round(self.recall, 4),
            "clean_answers": self.clean_answers,
            "false_alarm_rate": round(self.false_alarm_rate, 4),
        }


def out_of_fold_critiques(
    items: list[EmbeddedAnswer], critic: Critic, folds: int = 5
) -> dict[str, Critique]:
    """The full critique of every answer (with its question), each labelled by a STAR
    labeller that never saw it, so findings and scores are what a user would get."""
    by_model: dict[int, tuple[StarLabeller, list[EmbeddedAnswer]]] = {}
    for model, item in out_of_fold_models(items, folds):
        by_model.setdefault(id(model), (model, []))[1].append(item)
    critiques: dict[str, Critique] = {}
    for model, fold in by_model.values():
        critic.labeller = model
        requests = [CritiqueRequest(i.answer.text, i.answer.question or None) for i in fold]
        for item, result in zip(fold, critic.critique_many(requests), strict=True):
            assert isinstance(result, Critique), result
            critiques[item.answer.id] = result
    return critiques


def evaluate_checks(
    answers: Sequence[LabelledAnswer], critiques: dict[str, Critique]
) -> list[CheckReport]:
    flagged = {a.id: {f.code for f in critiques[a.id].findings} for a in answers}
    clean = [a for a in answers if a.quality == "strong" and not a.flaws]
    reports = []
    for code in REGISTRY:
        if code in NEEDS_A_LEVEL:
            continue  # measured against target levels in evaluation/scope.py
        written = [a for a in answers if code in a.flaws]
        hits = sum(code in flagged[a.id] for a in written)
        alarms = sum(code in flagged[a.id] for a in clean)
        reports.append(
            CheckReport(
                code=code,
                written_with_flaw=len(written),
                recall=hits / len(written) if written else None,
                clean_answers=len(clean),
                false_alarm_rate=alarms / len(clean) if clean else 0.0,
            )
        )
    return reports


NEEDS_A_LEVEL = frozenset({"scope-below-level"})


@dataclass(frozen=True)
class ScoreReport:
    """Do scores order the answers the way their authors graded them?"""

    by_quality: dict[str, dict[str, float]]
    """Per quality tier: answers, mean, median, 10th and 90th percentile."""
    pairwise: dict[str, float]
    """Share of (better tier, worse tier) answer pairs the score orders correctly."""
    non_answers_at_most_15: tuple[int, int]
    off_topic_at_most_30: tuple[int, int]
    off_topic_elsewhere: tuple[int, int] = (0, 0)
    """Answers flagged `off-topic` among those written neither off-topic, mismatched, nor
    clean: the false alarms a threshold chosen on clean answers cannot see (not-an-answer
    replies count here too, and are capped lower anyway)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "by_quality": self.by_quality,
            "pairwise": {k: round(v, 4) for k, v in self.pairwise.items()},
            "non_answers_at_most_15": list(self.non_answers_at_most_15),
            "off_topic_at_most_30": list(self.off_topic_at_most_30),
            "off_topic_elsewhere": list(self.off_topic_elsewhere),
        }


def evaluate_scores(
    answers: Sequence[LabelledAnswer], critiques: dict[str, Critique]
) -> ScoreReport:
    scores = {
        q: [critiques[a.id].score.total for a in answers if a.quality == q] for q in QUALITIES
    }
    by_quality = {
        q: {
            "answers": len(values),
            "mean": round(float(np.mean(values)), 1),
            "median": float(np.median(values)),
            "p10": float(np.percentile(values, 10)),
            "p90": float(np.percentile(values, 90)),
        }
        for q, values in scores.items()
        if values
    }
    pairwise = {}
    for better, worse in [*itertools.pairwise(QUALITIES), (QUALITIES[0], QUALITIES[-1])]:
        pairs = [(b, w) for b in scores[better] for w in scores[worse]]
        if pairs:
            pairwise[f"{better} > {worse}"] = sum(
                1.0 if b > w else 0.5 if b == w else 0.0 for b, w in pairs
            ) / len(pairs)

    def within(code: str, limit: int) -> tuple[int, int]:
        chosen = [a for a in answers if code in a.flaws]
        return sum(critiques[a.id].score.total <= limit for a in chosen), len(chosen)

    elsewhere = [
        a
        for a in answers
        if not {"off-topic", "principle-mismatch"} & set(a.flaws)
        and not (a.quality == "strong" and not a.flaws)
    ]
    flagged = sum(any(f.code == "off-topic" for f in critiques[a.id].findings) for a in elsewhere)
    return ScoreReport(
        by_quality,
        pairwise,
        within("not-an-answer", 15),
        within("off-topic", 30),
        (flagged, len(elsewhere)),
    )


OFF_TOPIC_FALSE_ALARMS = 0.03
"""Budget of clean answers `off-topic` may flag: it caps the score at 30."""
MISMATCH_FALSE_ALARMS = 0.05
"""Budget of clean answers `principle-mismatch` may flag."""
THRESHOLD_STEP = 0.005


def _highest_threshold(values: Sequence[float], budget: float) -> float:
    """The highest threshold (on a 0.005 grid) that leaves at most ``budget`` of the
    values below it: a flag fires when a value is under the threshold."""
    if not values:
        return 0.0
    ordered = sorted(values)
    allowed = int(budget * len(ordered) + 1e-9)
    if allowed >= len(ordered):
        return 1.0
    return float(np.floor(ordered[allowed] / THRESHOLD_STEP) * THRESHOLD_STEP)


def choose_relevance_thresholds(
    answers: Sequence[LabelledAnswer], critiques: dict[str, Critique]
) -> dict[str, float]:
    """The `off-topic` and `principle-mismatch` thresholds the stated rule picks.

    Only answers outside the held-out fifth and written clean count (relevance of clean
    answers is all the rule needs, so the flawed answers stay a test set): off-topic gets
    the highest threshold that flags at most 3% of them, principle-mismatch the highest
    that flags at most 5% among those whose story does not rank the question's target in
    its top three (the other condition of that check).
    """
    fits = [
        critiques[a.id].fit
        for a in answers
        if a.quality == "strong" and not a.flaws and not a.is_holdout
    ]
    fits = [f for f in fits if f is not None and f.relevance is not None]
    relevance = [f.relevance for f in fits if f.relevance is not None]
    # A clean answer whose story ranks the target high can never be flagged: it counts in
    # the denominator with a relevance of 1.
    mismatch = [
        f.relevance
        if f.relevance is not None
        and any(f.rank_in_story(p.id) >= MISMATCH_RANK for p in f.targets)
        else 1.0
        for f in fits
    ]
    return {
        "off-topic": _highest_threshold(relevance, OFF_TOPIC_FALSE_ALARMS),
        "principle-mismatch": _highest_threshold(mismatch, MISMATCH_FALSE_ALARMS),
    }


@dataclass(frozen=True)
class CritiqueEvaluation:
    answers: int
    labelling: list[StarReport]
    """The held-out fifth (labeller trained on the rest), then k-fold CV on the rest."""
    checks: list[CheckReport]
    scores: ScoreReport
    scope: ScopeReport
    relevance_thresholds: dict[str, float] = field(default_factory=dict)
    """What :func:`choose_relevance_thresholds` picks on these critiques."""


def evaluate_critique(embedder: Embedder, folds: int = 5) -> CritiqueEvaluation:
    """Everything ``starcoach eval critique`` and docs/evaluation.md report."""
    answers = load_labelled_answers()
    items = embed_answers(answers, embedder)
    train = [item for item in items if not item.answer.is_holdout]
    held_out = [item for item in items if item.answer.is_holdout]
    model = train_embedded(train)
    critiques = out_of_fold_critiques(items, Critic(embedder=embedder), folds)
    return CritiqueEvaluation(
        answers=len(items),
        labelling=[
            score_labeller("held-out fifth", [(model, item) for item in held_out]),
            cross_validate_labeller(train, folds),
        ],
        checks=evaluate_checks(answers, critiques),
        scores=evaluate_scores(answers, critiques),
        scope=evaluate_scope(answers),
        relevance_thresholds=choose_relevance_thresholds(answers, critiques),
    )
