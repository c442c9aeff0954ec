"""The answer critique: STAR labels, findings, principles, scope and an honest score.

:class:`Critic` is the one entry point the shells use (CLI now, web later). It embeds the
sentences of all answers in a batch with one model call, reuses those vectors for the
STAR labeller and for the principles the story shows, runs every registered check, and
scores the result. It knows nothing of terminals, files or HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from starcoach.analysis.checks import run_checks
from starcoach.analysis.context import AnswerContext, Thresholds
from starcoach.analysis.findings import Finding
from starcoach.analysis.relevance import (
    PrincipleFit,
    principle_fit,
    question_similarity,
    story_vector,
)
from starcoach.analysis.scoring import Score, score_answer
from starcoach.analysis.star import LabelledSentence, StarLabeller, get_labeller, label_spans
from starcoach.errors import InputError, StarcoachError
from starcoach.nlp.sentences import Span, split_sentences
from starcoach.nlp.text import clean_question

if TYPE_CHECKING:
    from starcoach.analysis.scope import ScopeAssessment
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.understanding import QuestionUnderstanding
    from starcoach.nlp.embedding import Embedder

MAX_ANSWER_CHARS = 30_000
"""About 5,000 words, ten times a long answer; anything bigger is a paste by mistake."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_answer_text(text: str) -> str:
    """Refuse text that cannot be an answer (binary, oversized); keep it byte-for-byte
    otherwise, because sentence offsets point into exactly this string."""
    controls = len(_CONTROL.findall(text))
    if controls:
        raise InputError(f"The answer contains {controls} control characters; is it binary?")
    if len(text) > MAX_ANSWER_CHARS:
        raise InputError(
            f"The answer is {len(text):,} characters long; the limit is {MAX_ANSWER_CHARS:,} "
            "(a 3-minute answer is about 2,500). Critique one answer at a time."
        )
    return text


@dataclass(frozen=True)
class CritiqueRequest:
    answer: str
    question: str | None = None
    level: str | None = None
    turns: tuple[int, ...] = ()
    """Character offsets where a new turn of the conversation starts (a reply to a
    follow-up appended to the answer). Each turn's sentences are labelled on their own:
    the labeller reads neighbours and position, and a reply told after the lesson must
    not turn that lesson into an action."""


@dataclass(frozen=True)
class Critique:
    text: str
    question: str | None
    level: str | None
    sentences: tuple[LabelledSentence, ...]
    findings: tuple[Finding, ...]
    words: int
    speaking_seconds: int
    score: Score
    fit: PrincipleFit | None
    scope: ScopeAssessment | None = None
    vectors: np.ndarray | None = field(default=None, repr=False, compare=False)
    """The MiniLM embedding of each sentence, row for row; the story bank stores them so
    matching never re-encodes a story."""

    def to_dict(self) -> dict[str, object]:
        """The JSON of DESIGN §5 (stable fields), plus fields added since."""
        data: dict[str, object] = {
            "score": self.score.total,
            "dimensions": self.score.dimensions,
            "words": self.words,
            "speaking_seconds": self.speaking_seconds,
            "sentences": [
                {"text": s.text, "start": s.start, "end": s.end, "section": s.section}
                for s in self.sentences
            ],
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "evidence": f.evidence,
                }
                for f in self.findings
            ],
            "principles": [p.to_dict() for p in self.fit.shown] if self.fit else [],
            "question": self.question,
            "level": self.level,
            "next_steps": list(self.score.fixes),
            "strengths": list(self.score.strengths),
            "capped_by": list(self.score.caps),
        }
        if self.fit and self.fit.question:
            data["question_principles"] = [p.to_dict() for p in self.fit.targets]
            data["relevance"] = round(self.fit.relevance or 0.0, 4)
        if self.scope is not None:
            data["scope"] = self.scope.to_dict()
        return data


class Critic:
    """Critiques answers; load once, call many times (the models are cached)."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        labeller: StarLabeller | None = None,
        understanding: QuestionUnderstanding | None = None,
        knowledge: KnowledgeBase | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        from starcoach.knowledge.base import load_knowledge
        from starcoach.matching.understanding import get_understanding

        self.understanding = understanding or get_understanding()
        self.embedder = embedder or self.understanding.embedder
        self.labeller = labeller or get_labeller()
        self.knowledge = knowledge or load_knowledge()
        self.thresholds = thresholds or Thresholds()
        self._ids = [p.id for p in self.knowledge.principles]
        self._names = [p.name for p in self.knowledge.principles]

    def critique(
        self, answer: str, question: str | None = None, level: str | None = None
    ) -> Critique:
        result = self.critique_many([CritiqueRequest(answer, question, level)])[0]
        if isinstance(result, StarcoachError):
            raise result
        return result

    def critique_many(self, requests: Sequence[CritiqueRequest]) -> list[Critique | StarcoachError]:
        """Critique many answers with one embedding call; a bad request yields its error."""
        prepared: list[_Prepared | StarcoachError] = []
        for request in requests:
            try:
                prepared.append(self._prepare(request))
            except StarcoachError as exc:
                prepared.append(exc)
        valid = [p for p in prepared if isinstance(p, _Prepared)]
        texts = [s.text for p in valid for s in p.spans] + [p.question for p in valid if p.question]
        vectors = iter(self.embedder.encode(texts))
        sentence_vectors = [np.array([next(vectors) for _ in p.spans]) for p in valid]
        question_vectors = [next(vectors) if p.question else None for p in valid]
        done = iter(
            self._critique(p, sv, qv)
            for p, sv, qv in zip(valid, sentence_vectors, question_vectors, strict=True)
        )
        return [next(done) if isinstance(p, _Prepared) else p for p in prepared]

    def _prepare(self, request: CritiqueRequest) -> _Prepared:
        text = check_answer_text(request.answer)
        question = clean_question(request.question) if request.question is not None else None
        level = self.knowledge.level(request.level).id if request.level else None
        return _Prepared(text, question, level, split_sentences(text), request.turns)

    def _critique(
        self, prepared: _Prepared, vectors: np.ndarray, question_vector: np.ndarray | None
    ) -> Critique:
        sentences = [
            sentence
            for rows in turn_rows(prepared.spans, prepared.turns)
            for sentence in label_spans(
                [prepared.spans[i] for i in rows], vectors[rows], self.labeller
            )
        ]
        fit = None
        if sentences:
            story = story_vector(vectors, [s.section for s in sentences])
            question_probabilities = None
            similarity = None
            if question_vector is not None:
                question_probabilities = self.understanding.principle_probabilities(
                    question_vector[None, :]
                )[0]
                similarity = question_similarity(story, question_vector)
            fit = principle_fit(
                self.understanding.principle_probabilities(story[None, :])[0],
                question_probabilities,
                self._ids,
                self._names,
                similarity,
            )
        context = AnswerContext(
            prepared.text,
            sentences,
            question=prepared.question,
            level=prepared.level,
            thresholds=self.thresholds,
            fit=fit,
        )
        findings = run_checks(context)
        scope = None
        if prepared.level:
            from starcoach.analysis.scope import assess_scope

            scope = assess_scope(prepared.text, prepared.level)
        score = score_answer(context, findings, scope.score if scope else None)
        return Critique(
            text=prepared.text,
            question=prepared.question,
            level=prepared.level,
            sentences=tuple(sentences),
            findings=tuple(findings),
            words=context.word_count,
            speaking_seconds=round(60 * context.word_count / self.thresholds.words_per_minute),
            score=score,
            fit=fit,
            scope=scope,
            vectors=vectors,
        )


@dataclass(frozen=True)
class _Prepared:
    text: str
    question: str | None
    level: str | None
    spans: list[Span]
    turns: tuple[int, ...] = ()


def turn_rows(spans: Sequence[Span], turns: Sequence[int]) -> list[list[int]]:
    """The sentence numbers of each turn, in order (one group when there are no turns)."""
    groups: list[list[int]] = []
    boundaries = sorted(set(turns))
    current = -1
    for number, span in enumerate(spans):
        turn = sum(1 for start in boundaries if span.start >= start)
        if turn != current or not groups:
            groups.append([])
            current = turn
        groups[-1].append(number)
    return groups
