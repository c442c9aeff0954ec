"""How well question understanding maps questions to principles.

A prediction is a *top-k hit* when any of the question's labelled principles is among
the k most probable; *primary top-1* is stricter and needs the first label itself on top.
Calibration is reported as expected calibration error (ECE) of the top probability.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from starcoach.errors import InputError
from starcoach.knowledge import PRINCIPLE_IDS, KnowledgeBase
from starcoach.matching.classifier import ClassifierSettings, PrincipleClassifier
from starcoach.matching.understanding import SETTINGS as SHIPPED
from starcoach.matching.understanding import (
    QuestionUnderstanding,
    TrainingSet,
    embed_training_set,
    is_holdout,
    train_classifier,
)
from starcoach.nlp.embedding import Embedder
from starcoach.nlp.text import decode_input


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    principles: tuple[str, ...]


@dataclass
class ClassifyReport:
    name: str
    n: int
    top1: float
    top3: float
    primary_top1: float
    ece: float
    per_principle_recall: dict[str, float] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "primary_top1": round(self.primary_top1, 4),
            "ece": round(self.ece, 4),
            "per_principle_recall": {k: round(v, 4) for k, v in self.per_principle_recall.items()},
            "confusions": [
                {"expected": a, "predicted": b, "count": c} for a, b, c in self.confusions
            ],
        }


def load_labelled(path: Path) -> list[LabelledQuestion]:
    """Read ``{"question", "principles"}`` JSON lines; errors name the line."""
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    text = decode_input(path.read_bytes(), f"file {path}")
    items: list[LabelledQuestion] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        question, principles = record.get("question"), record.get("principles")
        if not isinstance(question, str) or not question.strip():
            raise InputError(f"{path}:{number}: 'question' must be a non-empty string")
        if isinstance(principles, str):
            principles = [principles]
        if not isinstance(principles, list) or not principles:
            raise InputError(f"{path}:{number}: 'principles' must be a non-empty list of ids")
        for pid in principles:
            if pid not in PRINCIPLE_IDS:
                raise InputError(f"{path}:{number}: unknown principle id '{pid}'")
        items.append(LabelledQuestion(question, tuple(principles)))
    if not items:
        raise InputError(f"{path}: no labelled questions found")
    return items


def load_bank_annotation(path: Path, kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """A second annotator's labels for every bank question (``{"id", "principles"}`` JSON
    lines, e.g. eval/data/bank_second_annotator.jsonl), by question id; errors name the
    line, a missing or unknown id, or labels that are not 1-2 distinct principle ids."""
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    labels: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            qid, principles = str(row["id"]), tuple(row["principles"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: expected {{'id', 'principles'}} ({exc})") from exc
        if qid in labels:
            raise InputError(f"{path}:{number}: duplicate id {qid}")
        if not 1 <= len(principles) <= 2 or len(set(principles)) != len(principles):
            raise InputError(f"{path}:{number}: {qid} needs 1-2 distinct principles")
        if unknown := set(principles) - set(PRINCIPLE_IDS):
            raise InputError(f"{path}:{number}: unknown principle id {min(unknown)}")
        labels[qid] = principles
    bank_ids = {q.id for q in kb.questions}
    if missing := bank_ids - set(labels):
        raise InputError(
            f"{path}: {len(missing)} bank questions have no label, e.g. {min(missing)}"
        )
    if extra := set(labels) - bank_ids:
        raise InputError(f"{path}: {len(extra)} ids are not in the bank, e.g. {min(extra)}")
    return labels


def score_predictions(
    name: str, probabilities: np.ndarray, labels: Sequence[Sequence[str]]
) -> ClassifyReport:
    """Accuracy, calibration and the most common confusions of a probability matrix."""
    order = np.argsort(-probabilities, axis=1)
    hits1, hits3, primary_hits, confidences = [], [], [], []
    confusions: Counter[tuple[str, str]] = Counter()
    per_principle: dict[str, list[bool]] = {}
    for row, gold in enumerate(labels):
        ranked = [PRINCIPLE_IDS[i] for i in order[row]]
        hit1 = ranked[0] in gold
        hits1.append(hit1)
        hits3.append(any(p in gold for p in ranked[:3]))
        primary_hits.append(ranked[0] == gold[0])
        confidences.append(float(probabilities[row, order[row, 0]]))
        per_principle.setdefault(gold[0], []).append(hit1)
        if not hit1:
            confusions[(gold[0], ranked[0])] += 1
    return ClassifyReport(
        name=name,
        n=len(labels),
        top1=float(np.mean(hits1)),
        top3=float(np.mean(hits3)),
        primary_top1=float(np.mean(primary_hits)),
        ece=expected_calibration_error(np.array(confidences), np.array(hits1)),
        per_principle_recall={
            pid: float(np.mean(per_principle[pid])) for pid in PRINCIPLE_IDS if pid in per_principle
        },
        confusions=[(a, b, c) for (a, b), c in confusions.most_common(8)],
    )


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


Predictor = Callable[[np.ndarray], np.ndarray]


@dataclass
class BankSplit:
    """The bank's training part (with the principle texts) and its held-out tenth."""

    training: TrainingSet
    holdout_features: np.ndarray
    holdout_labels: list[tuple[str, ...]]
    holdout_texts: list[str] = field(default_factory=list)

    def train(
        self,
        settings: ClassifierSettings,
        rows: np.ndarray | None = None,
        with_principle_texts: bool = True,
    ) -> PrincipleClassifier:
        """The shipped recipe on all training questions, or on the given rows only."""
        features = self.training.question_features
        labels = self.training.question_labels
        if rows is not None:
            features, labels = features[rows], [labels[i] for i in rows]
        extra_features, extra_labels = self.training.extra_features, self.training.extra_labels
        if not with_principle_texts:
            extra_features, extra_labels = extra_features[:0], []
        return train_classifier(features, labels, extra_features, extra_labels, settings)


def embed_bank(kb: KnowledgeBase, embedder: Embedder) -> BankSplit:
    holdout = [q for q in kb.questions if is_holdout(q.id)]
    return BankSplit(
        embed_training_set(kb, embedder),
        embedder.encode([q.text for q in holdout]),
        [q.principles for q in holdout],
        [q.text for q in holdout],
    )


def score_questions(
    name: str,
    understanding: QuestionUnderstanding,
    questions: Sequence[str],
    labels: Sequence[Sequence[str]],
) -> ClassifyReport:
    """The shipped question classifier (the fine-tuned question encoder) on question texts."""
    return score_predictions(name, understanding.question_probabilities(questions), labels)


def confidence_shares(
    understanding: QuestionUnderstanding, questions: Sequence[str]
) -> dict[str, float]:
    """Share of ``questions`` whose result is marked high, medium and low confidence: the
    bank's held-out questions should rarely be low, texts that are not behavioral
    questions (eval/data/classify_off_topic.txt) should be."""
    counts = Counter(a.confidence for a in understanding.analyse_many(list(questions)))
    total = max(len(questions), 1)
    return {level: counts[level] / total for level in ("high", "medium", "low")}


def encoder_training_record(understanding: QuestionUnderstanding) -> dict[str, object]:
    """What the question encoder's file says about its training (setting, validation).

    ``scripts/train_question_encoder.py`` writes it into the graph; the validation figures
    are on a fifth of the bank's training questions, held out while choosing the epochs.
    """
    return understanding.question_encoder.training_record()


def cross_validate(
    split: BankSplit,
    settings: ClassifierSettings,
    folds: int = 5,
    seed: int = 7,
    name: str = "cross-validation",
    with_principle_texts: bool = True,
) -> ClassifyReport:
    """k-fold CV over the training questions (principle texts stay in every training fold)."""
    labels = split.training.question_labels
    features = split.training.question_features
    assignment = np.random.default_rng(seed).permutation(len(labels)) % folds
    probabilities = np.zeros((len(labels), len(PRINCIPLE_IDS)))
    for fold in range(folds):
        model = split.train(settings, np.flatnonzero(assignment != fold), with_principle_texts)
        test = np.flatnonzero(assignment == fold)
        probabilities[test] = model.predict(features[test])
    return score_predictions(name, probabilities, labels)


VARIANTS: dict[str, tuple[ClassifierSettings, bool]] = {
    "linear head, l2 3e-4 (shipped for stories and answers)": (SHIPPED, True),
    "same, without principle texts": (SHIPPED, False),
    "linear head, l2 1e-4": (ClassifierSettings(l2=1e-4, steps=600, linear_weight=1.0), True),
    "linear head, l2 1e-3": (ClassifierSettings(l2=1e-3, steps=600, linear_weight=1.0), True),
    "nearest neighbours": (ClassifierSettings(linear_weight=0.0), True),
    "blend: 0.7 linear + 0.3 neighbours": (
        ClassifierSettings(l2=3e-4, steps=600, linear_weight=0.7),
        True,
    ),
}
"""The frozen-encoder learners compared by ``starcoach eval classify --compare``; the
fine-tuned question encoder is trained outside the product (scripts/)."""


def compare_variants(
    split: BankSplit,
    extra: tuple[np.ndarray, list[tuple[str, ...]]] | None = None,
    folds: int = 5,
) -> list[dict[str, object]]:
    """CV on the training part and scores on the held-out parts, for every variant."""
    rows: list[dict[str, object]] = []
    for name, (settings, with_texts) in VARIANTS.items():
        cv = cross_validate(split, settings, folds, name=name, with_principle_texts=with_texts)
        model = split.train(settings, with_principle_texts=with_texts)
        holdout = score_predictions(
            name, model.predict(split.holdout_features), split.holdout_labels
        )
        row: dict[str, object] = {"variant": name, "cv": cv, "holdout": holdout}
        if extra is not None:
            row["extra"] = score_predictions(name, model.predict(extra[0]), extra[1])
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Agreement:
    n: int
    primary_equal: float
    """Both annotators chose the same primary principle."""
    second_in_first: float
    """The second annotator's primary is among the first's labels (what top-1 measures)."""
    overlap: float
    """The two label sets share at least one principle."""


def annotator_agreement(
    first: Sequence[LabelledQuestion], second: Sequence[LabelledQuestion]
) -> Agreement:
    """How often two people label the same questions alike: a ceiling for the classifier."""
    if [a.question for a in first] != [b.question for b in second]:
        raise InputError("The two label files must hold the same questions in the same order.")
    pairs = list(zip(first, second, strict=True))
    return Agreement(
        n=len(pairs),
        primary_equal=float(np.mean([a.principles[0] == b.principles[0] for a, b in pairs])),
        second_in_first=float(np.mean([b.principles[0] in a.principles for a, b in pairs])),
        overlap=float(np.mean([bool(set(a.principles) & set(b.principles)) for a, b in pairs])),
    )
