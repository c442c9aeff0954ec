"""Question → stories: which of the user's stories best answers a question, and why.

Everything is precomputed once per story bank in :meth:`StoryIndex.build` (the story
vector, the principles each story shows, one stacked matrix of every sentence, a word
index, the vector of the question each story was written for, and how each story scores
against the question bank), so a match is one embedding call for the question plus a few
matrix products — a few milliseconds for 1,000 stories once the question is embedded
(``benchmarks/match_bench.py``).

A story's score combines seven parts (:class:`MatchWeights`), each first computed in 0..1:

* **sentence** — cosine of the question's *probe* (the question without "Tell me about a
  time you", which only dilutes its embedding) with the story's two best-fitting
  sentences: a question about an outage finds the sentence about the outage even when
  the rest of the story is about something else;
* **story** — cosine of the probe with the whole story's vector;
* **principles** — cosine of the question's principle distribution with the story's
  (the classifier applied to the story vector, as in the critique);
* **confirmed** — how much of the question's principle distribution falls on principles
  the user confirmed on the story (relative to the question's top principle);
* **words** — BM25 over the stories' own words (stop words and question boilerplate
  dropped), scaled so the best story has 1: "budget", "deadline", "mentor" are strong
  clues the embedding alone weighs too lightly;
* **quality** — the critique's 0–100 score / 100: meant as a tie-breaker for the
  better-told of two equally fitting stories (the fit currently gives it no weight);
* **question** — cosine of the probe with the probe of the question the user wrote the
  story for (``Story.question``); a story without one uses its story vector instead.

**Hub correction.** Some stories are close to *every* question (a story about feedback and
learning, a generic "I learned…" sentence) and used to win questions they do not answer.
So every part but quality is scored relative to the story itself: at build time each story
is matched against every :data:`REFERENCE_STRIDE`-th question of the knowledge base's
question bank, and a part's value in a match is its z-score against that story's own
mean and spread over those questions ("how unusually well does this story fit *this*
question?"). Over both held-out halves (120 questions, weights fitted on the other half)
it lifted top-1 from 0.61 to 0.65; with the written-for question too, 0.68 (top-3 0.82 →
0.88); the written-for question alone, without the correction, added nothing.
The weighted sum of the z-scores is mapped to a 0..1 score by a logistic curve
(:data:`SCORE_CENTRE`, :data:`SCORE_SLOPE`), which never changes the order.

The weights were fitted on half of ``eval/data/match_stories.yaml`` and are reported on
the other half (``starcoach.evaluation.match``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from starcoach.analysis.relevance import MIN_SHOWN_SCORE, story_vector
from starcoach.errors import InputError
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.nlp.embedding import EMBEDDING_DIM
from starcoach.nlp.text import clean_question
from starcoach.stories.model import Story

if TYPE_CHECKING:
    from starcoach.matching.understanding import QuestionUnderstanding
    from starcoach.nlp.embedding import Embedder

COMPONENTS: tuple[str, ...] = (
    "sentence",
    "story",
    "principles",
    "confirmed",
    "words",
    "quality",
    "question",
)
"""The parts of a match score, in the order :class:`MatchWeights` lists them."""
RELATIVE = np.array([name != "quality" for name in COMPONENTS])
"""Parts scored relative to the story's own fit to the reference questions (z-scores)."""
REFERENCE_STRIDE = 4
"""Every 4th question of the knowledge base's bank (about 250) is a reference question; all
998 gave the same accuracy within a question or two, at four times the build cost."""
MIN_SPREAD = 1e-3
"""Floor of a part's spread over the reference questions (a constant part is 0 after it)."""
SCORE_CENTRE = 1.0
SCORE_SLOPE = 2.0
"""The shown score is ``1 / (1 + exp(-SCORE_SLOPE * (z - SCORE_CENTRE)))`` of the weighted
z-score ``z``: a story that fits no better than it fits an average question (z ≈ 0) shows
about 0.12, one a standard deviation above (z ≈ 1) 0.5, and one 2.5 above 0.95."""
DEFAULT_QUALITY = 0.5
"""Quality assumed for a story without a critique score: neither helped nor held back."""
SENTENCE_SECTIONS = frozenset({"situation", "task", "action", "result", "reflection"})
"""Sentences a story can be matched on (``other`` — asides, filler — never fits a question)."""
TOP_SENTENCES = 2
"""How many best-fitting sentences the sentence part averages; one sentence alone is
easily matched by chance wording, the whole story dilutes the fitting part."""
SHOWN_LIMIT = 3
"""How many of a story's predicted principles count as shown in the reasons."""
QUOTE_CHARS = 90
SMALL_BATCH = 8
"""Up to this many questions, similarities are computed without BLAS (see ``_dot``)."""
BM25_K1 = 1.2
BM25_B = 0.75

_PROBE_PREFIX = re.compile(
    r"^\s*(?:(?:can you |could you |please )?(?:tell me about|tell us about|describe|"
    r"give me an example of|give an example of|walk me through|share|talk about)\s+"
    r"(?:a time|a situation|an occasion|an example|a case|a project|a moment|how)?\s*"
    r"(?:when|where|in which|that)?\s*(?:you)?\s*)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+")
_STOP_TEXT = """a an the of to in on for and or but with without at by from as is was were be been
    being are am you your yours i me my mine we our us it its this that these those what how
    when where who whom which why time times did do does done have has had about tell
    describe give example walk through share talk can could would should will shall may
    might must so than then there their they them he she his her not no yes very just also
    into onto out up down over under again more most some any all each other such only own
    same too one two situation occasion moment case ever"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""Words that say nothing about a story: function words and interview boilerplate."""


def question_probe(question: str) -> str:
    """The question without its interview boilerplate ("Tell me about a time you…"),
    which every question shares and which pulls all embeddings towards each other."""
    stripped = _PROBE_PREFIX.sub("", question).strip()
    return stripped if len(stripped) >= 8 else question


def words(text: str) -> list[str]:
    """Content words, crudely stemmed so "deadline"/"deadlines" and "mentor"/"mentored" meet."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) >= 3]


def stem(word: str) -> str:
    """A small suffix stripper (plural, -ed, -ing, -ly, final e, doubled consonant): enough
    for "shipped"/"shipping"/"ship" and "changes"/"changed"/"change" to meet."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif (word.endswith("ed") and len(word) >= 5) or (word.endswith("ly") and len(word) >= 6):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) >= 4:
        word = word[:-1]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


@dataclass(frozen=True)
class MatchWeights:
    """How much each part counts; normalised to sum to 1 (the weighted sum of z-scores is
    then mapped into 0..1 by :meth:`Parts.combine`)."""

    sentence: float = 0.1734
    story: float = 0.1666
    principles: float = 0.0879
    confirmed: float = 0.2226
    words: float = 0.2106
    quality: float = 0.0
    question: float = 0.1388

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in COMPONENTS], dtype=np.float32)

    def normalised(self) -> MatchWeights:
        values = self.as_array()
        if (values < 0).any() or float(values.sum()) <= 0:
            raise InputError("Match weights must be non-negative and not all zero.")
        return MatchWeights(*(float(w) / float(values.sum()) for w in values))


WEIGHTS = MatchWeights()
"""Shipped weights: fitted on the *tune* half of ``eval/data/match_stories.yaml`` by a
non-negative listwise logistic re-ranker (``starcoach.evaluation.match.fit_weights``),
over the hub-corrected parts. The user's confirmed principles and the shared words weigh
most, then the sentences, the story, and the question the story was written for; the
critique's quality got no weight from either half (it stays a part, shown in the JSON)."""


@dataclass(frozen=True)
class IndexedStory:
    """A story with the MiniLM vector of each critique sentence (rows align with
    ``story.critique["sentences"]``), as the story bank stores them, and optionally the
    vector of the probe of ``story.question`` (:meth:`StoryIndex.build` embeds the
    missing ones in one batch)."""

    story: Story
    vectors: np.ndarray
    question_vector: np.ndarray | None = None

    def sentences(self) -> list[Mapping[str, Any]]:
        """The critique's sentences; InputError when missing or out of step with the vectors."""
        critique = self.story.critique or {}
        sentences = critique.get("sentences")
        if not sentences:
            raise InputError(
                f"Story '{self.story.title}' has not been critiqued yet; "
                "matching needs its sentences. Critique it first."
            )
        rows = self.vectors.shape[0] if self.vectors.ndim == 2 else -1
        if rows != len(sentences) or self.vectors.shape[-1] != EMBEDDING_DIM:
            raise InputError(
                f"Story '{self.story.title}' has {len(sentences)} sentences but vectors of "
                f"shape {self.vectors.shape}; critique it again to refresh them."
            )
        return list(sentences)


@dataclass(frozen=True)
class QuestionVectors:
    """Questions embedded once: the probe vectors (for similarity) and the principle
    distribution of the full question (as ``starcoach classify`` gives it)."""

    texts: list[str]
    probes: np.ndarray
    probabilities: np.ndarray


@dataclass(frozen=True)
class StoryMatch:
    """One story's place in a match, with the human reasons behind it."""

    story: Story
    score: float
    reasons: tuple[str, ...]
    parts: dict[str, float]
    sentence: str
    shows: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.story.id,
            "title": self.story.title,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "principles": list(self.shows),
            "sentence": self.sentence,
            "parts": {k: round(v, 4) for k, v in self.parts.items()},
        }


@dataclass(frozen=True)
class MatchResult:
    """DESIGN §5 ``starcoach match --json``: the question's principles, stories best first."""

    question: str
    principles: tuple[tuple[str, str, float], ...]
    stories: tuple[StoryMatch, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "principles": [
                {"id": pid, "name": name, "score": round(score, 4)}
                for pid, name, score in self.principles
            ],
            "stories": [s.to_dict() for s in self.stories],
        }


@dataclass(frozen=True)
class Parts:
    """Each part of the score for k questions × n stories, and where the best sentence is."""

    values: np.ndarray
    """Shape (len(COMPONENTS), k, n): what the weights combine (z-scores for the
    :data:`RELATIVE` parts, quality in 0..1)."""
    best_sentence: np.ndarray
    """Shape (k, n): the row (in the story's own sentences) of its best-fitting sentence."""
    raw: np.ndarray | None = None
    """The same parts before the hub correction, each in 0..1 (shown in reasons/JSON)."""

    def combine(self, weights: MatchWeights = WEIGHTS) -> np.ndarray:
        """Scores in 0..1 of shape (k, n): the logistic curve of the weighted sum."""
        z = np.tensordot(weights.normalised().as_array().astype(np.float64), self.values, axes=1)
        return 1.0 / (1.0 + np.exp(-SCORE_SLOPE * (z - SCORE_CENTRE)))

    def shown(self) -> np.ndarray:
        return self.values if self.raw is None else self.raw

    def rows(self, rows: Sequence[int]) -> Parts:
        chosen = list(rows)
        raw = None if self.raw is None else self.raw[:, chosen]
        return Parts(self.values[:, chosen], self.best_sentence[chosen], raw)


@dataclass(frozen=True)
class WordIndex:
    """BM25 postings over the stories' words: for each word, the stories and weights."""

    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    size: int

    @classmethod
    def build(cls, texts: Sequence[str]) -> WordIndex:
        docs = [Counter(words(t)) for t in texts]
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float32)
        average = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        rows: dict[str, list[tuple[int, float]]] = {}
        for number, doc in enumerate(docs):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[number] / average)
            for word, tf in doc.items():
                rows.setdefault(word, []).append((number, tf * (BM25_K1 + 1) / (tf + norm)))
        n = len(docs)
        postings = {}
        for word, hits in rows.items():
            idf = math.log(1 + (n - len(hits) + 0.5) / (len(hits) + 0.5))
            postings[word] = (
                np.array([h[0] for h in hits], dtype=np.int64),
                np.array([h[1] * idf for h in hits], dtype=np.float32),
            )
        return cls(postings, n)

    def scores(self, text: str) -> np.ndarray:
        """BM25 of every story for ``text``, scaled so the best story has 1."""
        out = np.zeros(self.size, dtype=np.float32)
        for word in set(words(text)):
            hit = self.postings.get(word)
            if hit is not None:
                np.add.at(out, hit[0], hit[1])
        top = float(out.max()) if self.size else 0.0
        return out / top if top > 0 else out


@dataclass
class StoryIndex:
    """The story bank, precomputed for matching, coverage and loop planning."""

    items: list[IndexedStory]
    understanding: QuestionUnderstanding
    story_vectors: np.ndarray
    story_probabilities: np.ndarray
    """Shape (n, 16): the classifier on each story vector."""
    confirmed: np.ndarray
    """Shape (n, 16): 1 where the user confirmed the principle on the story."""
    quality: np.ndarray
    sentence_matrix: np.ndarray
    sentence_owner: np.ndarray
    sentence_slot: np.ndarray
    sentence_row: np.ndarray
    slots: int
    word_index: WordIndex
    question_vectors: np.ndarray
    """Shape (n, 384): the probe of the question each story was written for (its story
    vector when it has none)."""
    names: dict[str, str] = field(default_factory=dict)
    centre: np.ndarray | None = None
    """Shape (len(COMPONENTS), n): each part's mean over the reference questions."""
    spread: np.ndarray | None = None
    """Shape (len(COMPONENTS), n): each part's standard deviation over them."""

    @classmethod
    def build(
        cls, items: Sequence[IndexedStory], understanding: QuestionUnderstanding
    ) -> StoryIndex:
        """Precompute everything a match needs; raises InputError for a story that has
        no critique or whose vectors do not fit its sentences."""
        items = list(items)
        story_vectors, confirmed, quality, texts = [], [], [], []
        matrices, owners, slots, rows = [], [], [], []
        for number, item in enumerate(items):
            sentences = item.sentences()
            sections = [str(s.get("section", "other")) for s in sentences]
            vectors = np.asarray(item.vectors, dtype=np.float32)
            story_vectors.append(story_vector(vectors, sections))
            chosen = [i for i, sec in enumerate(sections) if sec in SENTENCE_SECTIONS]
            chosen = chosen or list(range(len(sections)))
            matrices.append(vectors[chosen])
            owners.append(np.full(len(chosen), number, dtype=np.int64))
            slots.append(np.arange(len(chosen), dtype=np.int64))
            rows.append(np.array(chosen, dtype=np.int64))
            confirmed.append([1.0 if p in item.story.principles else 0.0 for p in PRINCIPLE_IDS])
            score = item.story.score
            quality.append(DEFAULT_QUALITY if score is None else min(max(score, 0), 100) / 100)
            texts.append(" ".join([item.story.title, *(str(s.get("text", "")) for s in sentences)]))
        empty = np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        vectors_2d = np.vstack(story_vectors).astype(np.float32) if items else empty
        probabilities = (
            understanding.principle_probabilities(vectors_2d)
            if items
            else np.zeros((0, len(PRINCIPLE_IDS)))
        )
        index = cls(
            items=items,
            understanding=understanding,
            story_vectors=vectors_2d,
            story_probabilities=np.asarray(probabilities, dtype=np.float32),
            confirmed=np.array(confirmed, dtype=np.float32).reshape(-1, len(PRINCIPLE_IDS)),
            quality=np.array(quality, dtype=np.float32),
            sentence_matrix=np.vstack(matrices).astype(np.float32) if items else empty,
            sentence_owner=np.concatenate(owners) if items else np.zeros(0, np.int64),
            sentence_slot=np.concatenate(slots) if items else np.zeros(0, np.int64),
            sentence_row=np.concatenate(rows) if items else np.zeros(0, np.int64),
            slots=max((len(r) for r in rows), default=0),
            word_index=WordIndex.build(texts),
            question_vectors=_written_for(items, vectors_2d, understanding),
            names={p.id: p.name for p in understanding.kb.principles},
        )
        index.centre, index.spread = index._reference_statistics()
        return index

    def _reference_statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """Each part's mean and spread per story over the reference questions (the bank's
        questions, already embedded by the classifier: no model call)."""
        bank = self.understanding.bank[::REFERENCE_STRIDE]
        vectors = np.asarray(
            self.understanding.bank_embeddings[::REFERENCE_STRIDE], dtype=np.float32
        )
        n = len(self.items)
        if n == 0 or len(bank) == 0:
            shape = (len(COMPONENTS), n)
            return np.zeros(shape, np.float32), np.ones(shape, np.float32)
        probabilities = self.understanding.principle_probabilities(vectors)
        raw, _ = self._raw_parts([q.text for q in bank], vectors, probabilities)
        centre = raw.mean(axis=1)
        spread = np.maximum(raw.std(axis=1), MIN_SPREAD)
        return centre.astype(np.float32), spread.astype(np.float32)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def stories(self) -> list[Story]:
        return [item.story for item in self.items]

    def shown(self, number: int) -> list[str]:
        """Principles the story shows: confirmed ones first, then its predicted best."""
        story = self.items[number].story
        probs = self.story_probabilities[number]
        predicted = [
            PRINCIPLE_IDS[j]
            for j in np.argsort(-probs, kind="stable")[:SHOWN_LIMIT]
            if probs[j] >= MIN_SHOWN_SCORE
        ]
        confirmed = [p for p in story.principles if p in PRINCIPLE_IDS]
        return confirmed + [p for p in predicted if p not in confirmed]

    def embed(self, questions: Sequence[str]) -> QuestionVectors:
        """Clean and embed questions with one model call, probe and full text together.

        The full question is what the classifier was trained on; classifying the probe
        instead halves the embedding cost but lost 3 of 57 top-1 hits on the report half.
        """
        cleaned = [clean_question(q) for q in questions]
        vectors = self.understanding.embedder.encode([question_probe(q) for q in cleaned] + cleaned)
        probes, full = vectors[: len(cleaned)], vectors[len(cleaned) :]
        return QuestionVectors(cleaned, probes, self.understanding.principle_probabilities(full))

    def parts(self, questions: QuestionVectors) -> Parts:
        """Every part of the score, for k questions against all n stories at once."""
        raw, best_row = self._raw_parts(questions.texts, questions.probes, questions.probabilities)
        values = raw
        if self.centre is not None and self.spread is not None and raw.shape[2]:
            relative = (raw - self.centre[:, None, :]) / self.spread[:, None, :]
            values = np.where(RELATIVE[:, None, None], relative, raw).astype(np.float32)
        return Parts(values, best_row, raw)

    def _raw_parts(
        self, texts: Sequence[str], probes: np.ndarray, probabilities: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each part in 0..1 before the hub correction, shape (len(COMPONENTS), k, n), and
        the row of each story's best-fitting sentence, shape (k, n)."""
        q = np.atleast_2d(np.asarray(probes, dtype=np.float32))
        qp = np.atleast_2d(np.asarray(probabilities, dtype=np.float32))
        k, n = q.shape[0], len(self.items)
        if n == 0:
            return np.zeros((len(COMPONENTS), k, 0), np.float32), np.zeros((k, 0), int)
        sims = _dot(self.sentence_matrix, q)  # (m, k)
        padded = np.full((n, self.slots, k), -1.0, dtype=np.float32)
        padded[self.sentence_owner, self.sentence_slot] = sims
        best_slot = padded.argmax(axis=1).T  # (k, n)
        top_k = min(TOP_SENTENCES, self.slots)
        top = -np.partition(-padded, top_k - 1, axis=1)[:, :top_k, :]
        counts = np.bincount(self.sentence_owner, minlength=n)
        take = np.minimum(counts, top_k)
        valid = np.arange(top_k)[None, :, None] < take[:, None, None]
        sentence = (np.where(valid, top, 0.0).sum(axis=1) / take[:, None]).T
        story = _dot(self.story_vectors, q).T
        qp_unit = qp / np.clip(np.linalg.norm(qp, axis=1, keepdims=True), 1e-9, None)
        sp = self.story_probabilities
        sp_unit = sp / np.clip(np.linalg.norm(sp, axis=1, keepdims=True), 1e-9, None)
        principles = _dot(sp_unit, qp_unit).T
        confirmed = _dot(self.confirmed, qp).T / np.clip(qp.max(axis=1, keepdims=True), 1e-9, None)
        lexical = np.vstack([self.word_index.scores(t) for t in texts])
        quality = np.broadcast_to(self.quality[None, :], (k, n))
        written_for = _dot(self.question_vectors, q).T
        values = np.stack([sentence, story, principles, confirmed, lexical, quality, written_for])
        first_of = np.concatenate([[0], np.cumsum(counts)[:-1]])
        best_row = self.sentence_row[first_of[None, :] + best_slot]
        return np.clip(values, 0.0, 1.0).astype(np.float32), best_row

    def match(self, question: str, limit: int = 5) -> MatchResult:
        """The best stories for one question, with reasons (DESIGN §5)."""
        return self.match_many([question], limit=limit)[0]

    def match_many(
        self,
        questions: Sequence[str] | QuestionVectors,
        limit: int = 5,
        weights: MatchWeights = WEIGHTS,
    ) -> list[MatchResult]:
        """Match many questions: pass texts (embedded in one call) or :meth:`embed`'s
        result when the questions were embedded already (evaluation, loop plans)."""
        if limit < 1:
            raise InputError("The number of stories to show must be at least 1.")
        embedded = questions if isinstance(questions, QuestionVectors) else self.embed(questions)
        parts = self.parts(embedded)
        scores = parts.combine(weights)
        results = []
        for row, text in enumerate(embedded.texts):
            order = np.argsort(-scores[row], kind="stable")[:limit]
            probs = embedded.probabilities[row]
            principles = tuple(
                (pid, self.names.get(pid, pid), float(probs[j]))
                for j in np.argsort(-probs, kind="stable")
                for pid in (PRINCIPLE_IDS[j],)
            )
            stories = tuple(
                self._story_match(int(j), float(scores[row, j]), parts, row, probs) for j in order
            )
            results.append(MatchResult(text, principles, stories))
        return results

    def _story_match(
        self, number: int, score: float, parts: Parts, row: int, probs: np.ndarray
    ) -> StoryMatch:
        item = self.items[number]
        sentence = str(item.sentences()[int(parts.best_sentence[row, number])].get("text", ""))
        shows = self.shown(number)
        reasons = [self._principle_reason(shows, item.story.principles, probs)]
        reasons.append(f"fits: ‘{quote(sentence)}’")
        if item.story.score is not None:
            reasons.append(f"scored {item.story.score}")
        shown = parts.shown()
        values = {name: float(shown[c, row, number]) for c, name in enumerate(COMPONENTS)}
        return StoryMatch(item.story, score, tuple(reasons), values, sentence, tuple(shows))

    def _principle_reason(
        self, shows: list[str], confirmed: Sequence[str], probs: np.ndarray
    ) -> str:
        order = np.argsort(-probs, kind="stable")
        targets = [PRINCIPLE_IDS[order[0]]]
        if probs[order[1]] >= 0.5 * probs[order[0]]:
            targets.append(PRINCIPLE_IDS[order[1]])
        overlap = [p for p in targets if p in shows]
        if overlap:
            tagged = " (you confirmed it)" if any(p in confirmed for p in overlap) else ""
            return f"shows {self.name_list(overlap)}, which the question probes{tagged}"
        return (
            f"the question probes {self.name_list(targets)}; "
            f"this story reads as {self.name_list(shows[:2])}"
        )

    def name_list(self, ids: Sequence[str]) -> str:
        """Principle names joined for a sentence: "A", "A and B", "A, B and C"."""
        names = [self.names.get(p, p) for p in ids]
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:-1]) + f" and {names[-1]}"


def _written_for(
    items: Sequence[IndexedStory], story_vectors: np.ndarray, understanding: QuestionUnderstanding
) -> np.ndarray:
    """The probe vector of each story's ``question`` — stored, or embedded here in one
    batch — and the story vector for a story without a (readable) question."""
    out = story_vectors.copy()
    missing = [n for n, item in enumerate(items) if item.question_vector is None]
    encoded = written_for_vectors(
        [items[n].story.question for n in missing], understanding.embedder
    )
    for number, item in enumerate(items):
        if item.question_vector is not None:
            out[number] = np.asarray(item.question_vector, dtype=np.float32)
    for number, vector in zip(missing, encoded, strict=True):
        if vector is not None:
            out[number] = vector
    return out


def written_for_vectors(
    questions: Sequence[str | None], embedder: Embedder
) -> list[np.ndarray | None]:
    """The vectors matching compares new questions with: the probe of each story's own
    question, in one model call; None where there is no question or it is unreadable.
    The bank stores them with the story so building the index embeds nothing."""
    probes: dict[int, str] = {}
    for number, question in enumerate(questions):
        if question and question.strip():
            try:
                probes[number] = question_probe(clean_question(question))
            except InputError:
                continue
    out: list[np.ndarray | None] = [None] * len(questions)
    if probes:
        encoded = embedder.encode(list(probes.values()))
        for number, vector in zip(probes, encoded, strict=True):
            out[number] = np.asarray(vector, dtype=np.float32)
    return out


def _dot(matrix: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``matrix @ queries.T``. For a few queries this is a matrix-vector product, which
    multi-threaded OpenBLAS runs 4–5× slower than numpy's own loop on a busy 2-core
    machine (thread hand-off dominates); for many queries BLAS wins."""
    if queries.shape[0] <= SMALL_BATCH:
        return np.einsum("md,kd->mk", matrix, queries)
    return matrix @ queries.T


def quote(sentence: str, limit: int = QUOTE_CHARS) -> str:
    """A sentence short enough to quote in a reason, cut at a word with an ellipsis."""
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
