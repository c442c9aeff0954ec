"""The STAR labeller: which section every sentence of an answer belongs to.

Each sentence is described by its embedding, the embeddings of the sentences before and
after it, a few cue counts (numbers, "I" vs "we", lesson words, task words…), its
relative position and which fifth of the answer it sits in.
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
from starcoach.nlp.sentences import Span, has_caseless_lookalikes, split_sentences

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
CLEAR_MEANING = 0.75
"""A sentence labelled with this confidence or more is not relabelled by section order.
0.75 and 0.8 give the same 5-fold CV accuracy (0.909); with 0.8 the section order
outvoted a clear lesson told right after the actions of a result-first answer."""
RETOLD_TRANSITION_WEIGHT = 0.3
"""How much the result-first retellings count in the learned section order (chosen on CV)."""
SETTINGS = ClassifierSettings(l2=1e-4, steps=600)


_LOWER_CASE_CUES: tuple[re.Pattern[str], ...] = tuple(re.compile(p.pattern) for p in CUES.values())
"""The cues without IGNORECASE, for lower-cased text: a case-insensitive alternation of
words is scanned about three times slower, and the cues are counted on every sentence."""


def cue_features(text: str) -> np.ndarray:
    """How often each cue occurs in the sentence (0, 1/3, 2/3 or 1 for three and more).

    The cue patterns are lower case, so on lower-cased text they count the same matches as
    case-insensitive ones, except where a non-ASCII letter matches an ASCII one only
    case-insensitively (the dotless i, the long s); such text is matched as it is."""
    if has_caseless_lookalikes(text):
        counts = [len(p.findall(text)) for p in CUES.values()]
    else:
        lowered = text.lower()
        counts = [len(p.findall(lowered)) for p in _LOWER_CASE_CUES]
    return np.array([min(3, count) / 3 for count in counts], dtype=np.float64)


def sentence_features(spans: Sequence[Span], vectors: np.ndarray) -> np.ndarray:
    """One feature row per sentence of one answer."""
    return _feature_rows(vectors, [cue_features(span.text) for span in spans])


POSITION_BINS = 5
"""Which fifth of the answer a sentence sits in, one-hot: the sections do not sit in an
order a single linear position term can express (the result is late but not last, the
lesson last). With the two neighbours kept apart (below), this raised 5-fold CV accuracy
on the answers outside the held-out fifth from 0.888 to 0.910 (either alone: 0.899 and
0.897); a stronger L2 penalty (1e-3) or lighter order smoothing (0.4) did worse."""


def _feature_rows(vectors: np.ndarray, cues: Sequence[np.ndarray]) -> np.ndarray:
    """[own vector, previous, following, cues, position, fifth] per sentence, built as
    whole arrays (a row at a time cost more than the labelling itself). The neighbours
    are kept apart, each weighted by CONTEXT_WEIGHT, because what comes before a sentence
    tells a different thing from what follows it: a result follows actions and precedes
    the lesson."""
    n = len(cues)
    dim = vectors.shape[1]
    if n == 0:
        return np.zeros((0, dim * 3 + len(CUES) + 3 + POSITION_BINS))
    own = vectors[:n]
    previous = np.zeros_like(own)
    previous[1:] = own[:-1]
    following = np.zeros_like(own)
    following[:-1] = own[1:]
    index = np.arange(n)
    relative = index / max(1, n - 1)
    position = np.column_stack([relative, index == 0, index == n - 1])
    fifth = np.zeros((n, POSITION_BINS))
    fifth[index, np.minimum(POSITION_BINS - 1, (relative * POSITION_BINS).astype(int))] = 1
    return np.hstack(
        [
            own,
            CONTEXT_WEIGHT * previous,
            CONTEXT_WEIGHT * following,
            np.array(cues),
            position,
            fifth,
        ]
    )


def reordered(features: np.ndarray, order: Sequence[int]) -> np.ndarray:
    """The features of the same sentences told in another order (context and position
    are recomputed; embeddings and cues travel with their sentence)."""
    dim = (features.shape[1] - len(CUES) - 3 - POSITION_BINS) // 3
    vectors = features[list(order), :dim]
    cues = [features[i, 3 * dim : 3 * dim + len(CUES)] for i in order]
    return _feature_rows(vectors, cues)


def result_first(sections: Sequence[str]) -> list[int] | None:
    """The order that tells the result before everything else, as candidates often do;
    None when the answer has no result or already opens with it."""
    results = [i for i, s in enumerate(sections) if s == "result"]
    if not results or results[0] == 0:
        return None
    return results + [i for i, s in enumerate(sections) if s != "result"]


def augmented(
    answers: Sequence[tuple[np.ndarray, Sequence[str]]],
) -> list[tuple[np.ndarray, Sequence[str]]]:
    """The answers plus a result-first retelling of each, so that the labeller learns
    sections from meaning rather than from where they usually sit."""
    out = list(answers)
    for features, sections in answers:
        order = result_first(sections)
        if order is not None:
            out.append((reordered(features, order), [sections[i] for i in order]))
    return out


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
        examples = augmented(answers)
        features = np.vstack([rows for rows, _ in examples])
        labels = [[SECTIONS.index(s)] for _, sections in examples for s in sections]
        weights, bias = train_linear_head(features, soft_targets(labels, len(SECTIONS)), SETTINGS)
        counts = np.ones((len(SECTIONS), len(SECTIONS)))  # add-one smoothing
        for number, (_, sections) in enumerate(examples):
            weight = 1.0 if number < len(answers) else RETOLD_TRANSITION_WEIGHT
            for a, b in itertools.pairwise(sections):
                counts[SECTIONS.index(a), SECTIONS.index(b)] += weight
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
        for t in range(n):
            # Order smooths uncertain sentences only; a sentence whose meaning is clear
            # keeps its own label wherever it is told.
            if probabilities[t].max() >= CLEAR_MEANING:
                path[t] = int(probabilities[t].argmax())
        return [
            SectionPrediction(SECTIONS[j], float(probabilities[t, j])) for t, j in enumerate(path)
        ]

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights, "bias": self.bias, "log_transitions": self.log_transitions}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> StarLabeller:
        return cls(arrays["weights"], arrays["bias"], arrays["log_transitions"])


# --- training data, the cached labeller, and labelling a text ---------------------------

LABELLER_VERSION = "4"


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
    spans = split_sentences(text)
    return label_spans(spans, embedder.encode([s.text for s in spans]), labeller)


def label_spans(
    spans: Sequence[Span], vectors: np.ndarray, labeller: StarLabeller
) -> list[LabelledSentence]:
    """Label sentences whose embeddings are already computed (the critique reuses them)."""
    features = sentence_features(spans, vectors)
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
    key = cache_key(
        embedder.fingerprint,
        data_fingerprint(ANSWERS_DIR),
        LABELLER_VERSION,
        repr((SETTINGS, RETOLD_TRANSITION_WEIGHT)),
    )

    def build() -> dict[str, np.ndarray]:
        answers = [a for a in load_labelled_answers() if not a.is_holdout]
        return train_on(answers, embedder).to_arrays()

    return StarLabeller.from_arrays(
        load_or_build("star-labeller", key, build, ("weights", "bias", "log_transitions"))
    )
