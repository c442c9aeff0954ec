"""How well the checks find the flaws the project's labelled answers were written to show.

The answers list the flaws each was *written* to exhibit, not every flaw it happens to
have (a deliberately vague answer is often short as well). So each code gets two figures:

* **recall**: of the answers written with that flaw, the share the check flags;
* **false alarms**: of the answers written clean (quality ``strong``, no flaws), the share
  it flags — the honest stand-in for precision under partial annotation.

Sections come from labellers that never saw the answer (k-fold by answer), so the checks
are measured as a user would meet them.
"""

from __future__ import annotations

from dataclasses import dataclass

from starcoach.analysis.checks import REGISTRY, run_checks
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.dataset import load_labelled_answers
from starcoach.analysis.star import LabelledSentence
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


def evaluate_checks(items: list[EmbeddedAnswer]) -> list[CheckReport]:
    flagged: dict[str, set[str]] = {}
    for model, item in out_of_fold_models(items):
        sentences = [
            LabelledSentence(span.text, span.start, span.end, p.section, p.confidence)
            for span, p in zip(item.spans, model.predict(item.features), strict=True)
        ]
        context = AnswerContext(item.answer.text, sentences, item.answer.question or None)
        flagged[item.answer.id] = {f.code for f in run_checks(context)}
    answers = [item.answer for item in items]
    clean = [a for a in answers if a.quality == "strong" and not a.flaws]
    reports = []
    for code in REGISTRY:
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


@dataclass(frozen=True)
class CritiqueEvaluation:
    answers: int
    labelling: list[StarReport]
    """The held-out fifth (labeller trained on the rest), then k-fold CV on the rest."""
    checks: list[CheckReport]


def evaluate_critique(embedder: Embedder, folds: int = 5) -> CritiqueEvaluation:
    """Everything ``starcoach eval critique`` and docs/evaluation.md report."""
    items = embed_answers(load_labelled_answers(), embedder)
    train = [item for item in items if not item.answer.is_holdout]
    held_out = [item for item in items if item.answer.is_holdout]
    model = train_embedded(train)
    return CritiqueEvaluation(
        answers=len(items),
        labelling=[
            score_labeller("held-out fifth", [(model, item) for item in held_out]),
            cross_validate_labeller(train, folds),
        ],
        checks=evaluate_checks(items),
    )
