"""How well the STAR labeller labels answers it never saw.

The measure is character-weighted accuracy: the share of the answer's characters whose
predicted section equals the human label, so long sentences count for more and a split
that differs from the human segmentation is judged fairly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from starcoach.analysis.dataset import LabelledAnswer
from starcoach.analysis.star import SECTIONS, StarLabeller, answer_features, gold_sections
from starcoach.nlp.embedding import Embedder


@dataclass
class StarReport:
    name: str
    answers: int
    char_accuracy: float
    by_style: dict[str, float] = field(default_factory=dict)
    by_section: dict[str, float] = field(default_factory=dict)
    """Character recall per human section."""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "answers": self.answers,
            "char_accuracy": round(self.char_accuracy, 4),
            "by_style": {k: round(v, 4) for k, v in self.by_style.items()},
            "by_section": {k: round(v, 4) for k, v in self.by_section.items()},
        }


@dataclass
class EmbeddedAnswer:
    answer: LabelledAnswer
    spans: list
    features: np.ndarray


def embed_answers(answers: Sequence[LabelledAnswer], embedder: Embedder) -> list[EmbeddedAnswer]:
    return [EmbeddedAnswer(a, *answer_features(a.text, embedder)) for a in answers]


def train_embedded(items: Sequence[EmbeddedAnswer]) -> StarLabeller:
    return StarLabeller.train(
        [(item.features, gold_sections(item.answer.char_labels, item.spans)) for item in items]
    )


def score_labeller(name: str, pairs: Sequence[tuple[StarLabeller, EmbeddedAnswer]]) -> StarReport:
    """Score each answer with the labeller paired with it (CV pairs each with its fold's)."""
    correct: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    section_hits: dict[str, int] = defaultdict(int)
    section_total: dict[str, int] = defaultdict(int)
    for labeller, item in pairs:
        predictions = labeller.predict(item.features)
        for span, prediction in zip(item.spans, predictions, strict=True):
            for gold in item.answer.char_labels[span.start : span.end]:
                if gold is None:
                    continue
                hit = int(gold == prediction.section)
                correct[item.answer.style] += hit
                total[item.answer.style] += 1
                section_hits[gold] += hit
                section_total[gold] += 1
    all_total = sum(total.values())
    return StarReport(
        name=name,
        answers=len(pairs),
        char_accuracy=sum(correct.values()) / all_total if all_total else 0.0,
        by_style={style: correct[style] / total[style] for style in sorted(total)},
        by_section={s: section_hits[s] / section_total[s] for s in SECTIONS if section_total[s]},
    )


def out_of_fold_models(
    items: Sequence[EmbeddedAnswer], folds: int = 5, seed: int = 7
) -> list[tuple[StarLabeller, EmbeddedAnswer]]:
    """Pair every answer with a labeller trained on the other folds (k-fold by answer)."""
    assignment = np.random.default_rng(seed).permutation(len(items)) % folds
    labelled: list[tuple[StarLabeller, EmbeddedAnswer]] = []
    for fold in range(folds):
        model = train_embedded([it for it, f in zip(items, assignment, strict=True) if f != fold])
        labelled += [(model, it) for it, f in zip(items, assignment, strict=True) if f == fold]
    return labelled


def cross_validate_labeller(
    items: Sequence[EmbeddedAnswer], folds: int = 5, seed: int = 7
) -> StarReport:
    """k-fold CV by answer: no answer's sentences are ever in both train and test."""
    return score_labeller(f"{folds}-fold CV", out_of_fold_models(items, folds, seed))
