"""The STAR labeller: which section every sentence of an answer belongs to.

Each sentence is described by its embedding, the mean embedding of its neighbours, a few
cue counts (numbers, "I" vs "we", lesson words, task words…) and its relative position.
A softmax-regression head scores the six sections; a Viterbi pass with section-to-section
transition weights learned from the labelled answers then picks the most likely sequence,
which fixes isolated slips without forcing the canonical order (out-of-order answers are
in the training data, so their transitions are learned too).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from starcoach.cache import cache_key, load_or_build
from starcoach.matching.classifier import (
    ClassifierSettings,
    soft_targets,
    softmax,
    train_linear_head,
)
from starcoach.nlp.embedding import Embedder, get_embedder
from starcoach.nlp.sentences import Span, split_sentences

if TYPE_CHECKING:
    from starcoach.analysis.dataset import LabelledAnswer

SECTIONS: tuple[str, ...] = ("situation", "task", "action", "result", "reflection", "other")

CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "number": r"\d",
        "quantity": r"%|percent|[$€£¥]|\bmillion\b|\bthousand\b|\bhours?\b|\bdays?\b|\bweeks?\b",
        "first_person": r"\bi\b|\bmy\b|\bme\b|\bmyself\b",
        "we": r"\bwe\b|\bour\b|\bus\b",
        "conditional": r"\bwould\b|\bwill\b|\bcould\b|\bshould\b|\bi'd\b",
        "lesson": r"learn|lesson|next time|hindsight|differently|taught me|takeaway|realis|realiz|looking back|retrospect|since then|ever since",
        "task": r"my (?:job|role|task|goal|responsibility|mandate)|i was (?:asked|tasked|responsible|assigned|expected)|goal was|needed to|had to|i owned|was on me",
        "result": r"as a result|result|reduc|increas|improv|\bsav|dropp|grew|\bcut\b|launched|shipped|went from|down from|up from|outcome|ended up|in the end|by the end",
        "context": r"at the time|last year|when i was|was working|company|startup|team of|there was|back in|years? ago|joined|we had",
        "aside": r"great question|good question|that's it|thank|hope that|does that answer|let me think|that's my",
        "filler": r"\bum+\b|\buh+\b|\blike\b|you know|\bkind of\b|\bsort of\b",
    }.items()
}
CONTEXT_WEIGHT = 0.5
TRANSITION_WEIGHT = 0.6
"""How strongly learned section order smooths the per-sentence scores (chosen on CV)."""
SETTINGS = ClassifierSettings(l2=1e-4, steps=600)


def cue_features(text: str) -> np.ndarray:
    return np.array([min(3, len(p.findall(text))) / 3 for p in CUES.values()], dtype=np.float64)


def sentence_features(spans: Sequence[Span], vectors: np.ndarray) -> np.ndarray:
    """One feature row per sentence of one answer."""
    n = len(spans)
    rows = []
    zero = np.zeros(vectors.shape[1])
    for k, span in enumerate(spans):
        previous = vectors[k - 1] if k > 0 else zero
        following = vectors[k + 1] if k < n - 1 else zero
        position = np.array([k / max(1, n - 1), float(k == 0), float(k == n - 1)])
        rows.append(
            np.concatenate(
                [
                    vectors[k],
                    CONTEXT_WEIGHT * (previous + following) / 2,
                    cue_features(span.text),
                    position,
                ]
            )
        )
    return np.array(rows) if rows else np.zeros((0, vectors.shape[1] * 2 + len(CUES) + 3))


@dataclass(frozen=True)
class SectionPrediction:
    section: str
    confidence: float


@dataclass
class StarLabeller:
    weights: np.ndarray
    bias: np.ndarray
    log_transitions: np.ndarray

    @classmethod
    def train(cls, answers: Sequence[tuple[np.ndarray, Sequence[str]]]) -> StarLabeller:
        """Train on (feature rows, gold sections) pairs, one pair per answer."""
        features = np.vstack([rows for rows, _ in answers])
        labels = [[SECTIONS.index(s)] for _, sections in answers for s in sections]
        weights, bias = train_linear_head(features, soft_targets(labels, len(SECTIONS)), SETTINGS)
        counts = np.ones((len(SECTIONS), len(SECTIONS)))  # add-one smoothing
        for _, sections in answers:
            for a, b in itertools.pairwise(sections):
                counts[SECTIONS.index(a), SECTIONS.index(b)] += 1
        return cls(weights, bias, np.log(counts / counts.sum(axis=1, keepdims=True)))

    def predict(self, features: np.ndarray) -> list[SectionPrediction]:
        """The most likely section sequence for one answer's sentences."""
        if len(features) == 0:
            return []
        probabilities = softmax(features @ self.weights + self.bias)
        emissions = np.log(probabilities + 1e-9)
        n, k = emissions.shape
        score = emissions[0].copy()
        back = np.zeros((n, k), dtype=int)
        for t in range(1, n):
            candidates = score[:, None] + TRANSITION_WEIGHT * self.log_transitions
            back[t] = candidates.argmax(axis=0)
            score = candidates.max(axis=0) + emissions[t]
        path = [int(score.argmax())]
        for t in range(n - 1, 0, -1):
            path.append(int(back[t, path[-1]]))
        path.reverse()
        return [
            SectionPrediction(SECTIONS[j], float(probabilities[t, j])) for t, j in enumerate(path)
        ]

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights, "bias": self.bias, "log_transitions": self.log_transitions}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> StarLabeller:
        return cls(arrays["weights"], arrays["bias"], arrays["log_transitions"])


# --- training data, the cached labeller, and labelling a text ---------------------------

LABELLER_VERSION = "1"


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    start: int
    end: int
    section: str
    confidence: float


def gold_sections(char_labels: Sequence[str | None], spans: Sequence[Span]) -> list[str]:
    """The majority human label over each span's characters (spans may cut segments)."""
    sections = []
    for span in spans:
        chars = [label for label in char_labels[span.start : span.end] if label]
        sections.append(max(SECTIONS, key=chars.count) if chars else "other")
    return sections


def answer_features(text: str, embedder: Embedder) -> tuple[list[Span], np.ndarray]:
    spans = split_sentences(text)
    return spans, sentence_features(spans, embedder.encode([s.text for s in spans]))


def train_on(answers: Sequence[LabelledAnswer], embedder: Embedder) -> StarLabeller:
    examples = []
    for answer in answers:
        spans, features = answer_features(answer.text, embedder)
        examples.append((features, gold_sections(answer.char_labels, spans)))
    return StarLabeller.train(examples)


def label_text(text: str, labeller: StarLabeller, embedder: Embedder) -> list[LabelledSentence]:
    spans, features = answer_features(text, embedder)
    return [
        LabelledSentence(span.text, span.start, span.end, p.section, round(p.confidence, 4))
        for span, p in zip(spans, labeller.predict(features), strict=True)
    ]


@cache
def get_labeller() -> StarLabeller:
    """The labeller trained on the non-held-out answers, cached per model and data version."""
    from starcoach.analysis.dataset import ANSWERS_DIR, load_labelled_answers
    from starcoach.knowledge.loader import data_fingerprint

    embedder = get_embedder()
    key = cache_key(embedder.fingerprint, data_fingerprint(ANSWERS_DIR), LABELLER_VERSION)

    def build() -> dict[str, np.ndarray]:
        answers = [a for a in load_labelled_answers() if not a.is_holdout]
        return train_on(answers, embedder).to_arrays()

    return StarLabeller.from_arrays(
        load_or_build("star-labeller", key, build, ("weights", "bias", "log_transitions"))
    )
