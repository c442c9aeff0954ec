"""How well the checks find the flaws the project's labelled answers were written to show.

The answers list the flaws each was *written* to exhibit, not every flaw it happens to
have (a deliberately vague answer is often short as well). So each code gets two figures:

* **recall**: of the answers written with that flaw, the share the check flags;
* **false alarms**: of the answers written clean (quality ``strong``, no flaws), the share
  it flags — the honest stand-in for precision under partial annotation.

Sections come from labellers that never saw the answer (k-fold by answer), and each answer
is critiqued with its question, so the checks and scores are measured as a user would
meet them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from starcoach.analysis.checks import REGISTRY
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

    def to_dict(self) -> dict[str, object]:
        return {
            "by_quality": self.by_quality,
            "pairwise": {k: round(v, 4) for k, v in self.pairwise.items()},
            "non_answers_at_most_15": list(self.non_answers_at_most_15),
            "off_topic_at_most_30": list(self.off_topic_at_most_30),
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

    return ScoreReport(by_quality, pairwise, within("not-an-answer", 15), within("off-topic", 30))


@dataclass(frozen=True)
class CritiqueEvaluation:
    answers: int
    labelling: list[StarReport]
    """The held-out fifth (labeller trained on the rest), then k-fold CV on the rest."""
    checks: list[CheckReport]
    scores: ScoreReport
    scope: ScopeReport


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
    )
