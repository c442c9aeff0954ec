"""Experiment (issue 3): static token embeddings distilled from the shipped MiniLM.

The critique costs ~190 ms per 400-word answer in a batch, nearly all of it MiniLM
reading every sentence. This script measures a model2vec-style replacement that needs
nothing downloaded: every WordPiece token of the vendored vocabulary is read once by the
shipped int8 ONNX model as ``[CLS] token [SEP]`` and mean-pooled, giving a
(vocab x 384) table (cached, keyed by the model's and tokenizer's sha256); optionally
PCA-reduced and weighted (SIF by vocabulary rank as model2vec does, or SIF by token
frequency in the project's own texts). A sentence vector is then the weighted mean of
its tokens' rows: numpy only.

It changes no project module: it builds its own labellers, principle heads and an
``ExperimentCritic`` (a :class:`~starcoach.analysis.critique.Critic` subclass) and
reuses the project's evaluation code (``evaluation/star.py``, ``evaluation/critique.py``).
Held-out data stays held out: the table configuration is chosen by labelling
cross-validation on the training part only, and relevance thresholds are re-chosen by
the project's own rule (clean answers outside the held-out fifth, critiqued out of fold).

Steps (each caches what it computes under ``--work``, default
/tmp/starcoach-static-exp; results are JSON files there)::

    S=scripts/experiment_static_embeddings.py
    python $S build        # the token table (one pass of the vocabulary), timed
    python $S select       # labelling CV on the training part, per table configuration
    python $S equivalence  # the experiment's MiniLM critic == the project's Critic
    python $S evaluate     # the critique figures of docs/evaluation.md, per variant
    python $S paired       # bootstrap CI of the labelling difference, static vs MiniLM
    python $S bench        # per-answer cost in a batch, all variants interleaved
    python $S profile      # where the static critic's remaining time goes
    python $S report       # the Markdown tables, from the JSON results

The steps that train (build, select, equivalence, evaluate, paired) re-run themselves
with one OpenBLAS thread; ``bench`` and ``profile`` keep the library defaults.

Results and the recommendation: docs/notes/static-embeddings-critique.md.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

DEFAULT_WORK = Path("/tmp/starcoach-static-exp")
TABLE_VERSION = "1"
FIRST_REAL_TOKEN = 999
"""Ids below this are [PAD], [unusedN] and the special tokens: left out of the PCA fit."""
CLS_ID, SEP_ID = 101, 102
SIF_RANK_COEFFICIENT = 1e-4
"""model2vec's default SIF coefficient for weights from the vocabulary rank."""
SIF_COUNT_COEFFICIENT = 1e-3
"""The classic SIF coefficient (Arora et al. 2017) for weights from counted frequencies."""
BANK_HOLDOUT_MODULO = 10
"""The bank's held-out tenth, as matching/understanding.py splits it."""

if TYPE_CHECKING:
    import tokenizers

    from starcoach.analysis.critique import Critique
    from starcoach.analysis.dataset import LabelledAnswer
    from starcoach.analysis.star import StarLabeller
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.classifier import PrincipleClassifier


def setup_home(work: Path) -> None:
    """A throwaway STARCOACH_HOME under ``work``: the user's cache is never touched."""
    work.mkdir(parents=True, exist_ok=True)
    os.environ["STARCOACH_HOME"] = str(work / "home")


def load() -> float:
    """The 1-minute load average (2 cores here: above 2, others were competing)."""
    return round(os.getloadavg()[0], 2)


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


# --- the token table -----------------------------------------------------------------


def verified_model_path() -> tuple[Path, str]:
    """The shipped model file, checked against the project's sha256."""
    from starcoach.nlp.embedding import MODEL_SHA256, default_model_path, file_sha256

    path = default_model_path()
    digest = file_sha256(path)
    if digest != MODEL_SHA256:
        raise SystemExit(f"model sha256 {digest} is not the shipped {MODEL_SHA256}")
    return path, digest


def load_tokenizer() -> tokenizers.Tokenizer:
    """The vendored WordPiece tokenizer, without padding or truncation."""
    from tokenizers import Tokenizer

    from starcoach.nlp.embedding import TOKENIZER_PATH

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def tokenizer_sha256() -> str:
    from starcoach.nlp.embedding import TOKENIZER_PATH

    return hashlib.sha256(TOKENIZER_PATH.read_bytes()).hexdigest()


def build_token_table(model_path: Path, vocab_size: int, batch: int = 512) -> dict[str, np.ndarray]:
    """Run every vocabulary id through the model as ``[CLS] id [SEP]``; keep the mean of
    the three output vectors (``mean``) and the middle one (``middle``), plus the cost."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = min(4, os.cpu_count() or 1)  # as the Embedder does
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    mean = np.empty((vocab_size, 384), dtype=np.float32)
    middle = np.empty((vocab_size, 384), dtype=np.float32)
    load_before = load()
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, vocab_size, batch):
        ids = np.arange(start, min(vocab_size, start + batch), dtype=np.int64)
        input_ids = np.column_stack([np.full_like(ids, CLS_ID), ids, np.full_like(ids, SEP_ID)])
        (hidden,) = session.run(
            ["last_hidden_state"],
            {
                "input_ids": input_ids,
                "attention_mask": np.ones_like(input_ids),
                "token_type_ids": np.zeros_like(input_ids),
            },
        )
        mean[ids] = hidden.mean(axis=1)
        middle[ids] = hidden[:, 1]
    return {
        "mean": mean,
        "middle": middle,
        "build_wall_s": np.array(time.perf_counter() - wall),
        "build_cpu_s": np.array(time.process_time() - cpu),
        "build_load": np.array([load_before, load()]),
    }


def table_key() -> str:
    """What the tables derive from: the verified model, the tokenizer, this code."""
    from starcoach.cache import cache_key

    _, model_sha = verified_model_path()
    return cache_key(model_sha, tokenizer_sha256(), TABLE_VERSION)


def token_tables() -> dict[str, np.ndarray]:
    """The raw tables, built once and cached keyed by the model and tokenizer hashes."""
    from starcoach.cache import load_or_build

    model_path, _ = verified_model_path()
    tokenizer = load_tokenizer()
    return load_or_build(
        "static-token-table",
        table_key(),
        lambda: build_token_table(model_path, tokenizer.get_vocab_size()),
        ("mean", "middle"),
    )


@dataclass(frozen=True)
class TableConfig:
    pool: str = "mean"
    """``mean`` of the [CLS] token [SEP] outputs, or the ``middle`` (the token's own)."""
    dim: int | None = 256
    """PCA dimensions (centred on the vocabulary's mean); None keeps the raw 384."""
    weighting: str = "sif-rank"
    """``uniform``, ``sif-rank`` (model2vec: Zipf by vocabulary id) or ``sif-project``."""

    @property
    def name(self) -> str:
        dim = "raw384" if self.dim is None else f"pca{self.dim}"
        return f"{self.pool}/{dim}/{self.weighting}"

    @classmethod
    def parse(cls, name: str) -> TableConfig:
        pool, dim, weighting = name.split("/")
        return cls(pool, None if dim == "raw384" else int(dim.removeprefix("pca")), weighting)


def project_texts() -> list[str]:
    """Texts for token frequencies: the bank's training questions, the principle texts
    and the answers outside the held-out fifth (no labels are used, only token counts)."""
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.knowledge.base import load_knowledge
    from starcoach.splits import in_holdout

    kb = load_knowledge()
    texts = [q.text for q in kb.questions if not in_holdout(q.id, BANK_HOLDOUT_MODULO)]
    texts += [text for text, _ in principle_texts(kb)]
    texts += [a.text for a in load_labelled_answers() if not a.is_holdout]
    return texts


def token_weights(weighting: str, vocab_size: int, tokenizer: tokenizers.Tokenizer) -> np.ndarray:
    """One weight per vocabulary id."""
    if weighting == "uniform":
        return np.ones(vocab_size, dtype=np.float32)
    if weighting == "sif-rank":
        inverse_rank = 1.0 / np.arange(2, vocab_size + 2)
        probability = inverse_rank / inverse_rank.sum()
        return (SIF_RANK_COEFFICIENT / (SIF_RANK_COEFFICIENT + probability)).astype(np.float32)
    if weighting == "sif-project":
        counts = np.ones(vocab_size)  # add-one
        for encoding in tokenizer.encode_batch(project_texts(), add_special_tokens=False):
            np.add.at(counts, encoding.ids, 1)
        probability = counts / counts.sum()
        return (SIF_COUNT_COEFFICIENT / (SIF_COUNT_COEFFICIENT + probability)).astype(np.float32)
    raise ValueError(weighting)


def make_table(
    raw: dict[str, np.ndarray], config: TableConfig, tokenizer: tokenizers.Tokenizer
) -> np.ndarray:
    """The (vocab x d) float32 table of one configuration: PCA, then token weights."""
    base = raw[config.pool].astype(np.float64)
    if config.dim is not None:
        rows = base[FIRST_REAL_TOKEN:]
        centre = rows.mean(axis=0)
        centred = rows - centre
        # Principal axes from the 384 x 384 covariance (an SVD of the rows gives the same
        # axes, ten times slower).
        values, vectors = np.linalg.eigh(centred.T @ centred)
        components = vectors[:, np.argsort(values)[::-1][: config.dim]]
        base = (base - centre) @ components
    weights = token_weights(config.weighting, len(base), tokenizer)
    return (base * weights[:, None]).astype(np.float32)


class StaticEmbedder:
    """Sentence vectors as the normalised weighted mean of token rows (numpy only)."""

    def __init__(self, table: np.ndarray, tokenizer: tokenizers.Tokenizer, name: str) -> None:
        self.table = table
        self.tokenizer = tokenizer
        self.fingerprint = f"static:{name}"
        self.dim = table.shape[1]

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), d), rows L2-normalised; a text without tokens is zeros."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=lengths.sum())
        if flat.size:
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            present = lengths > 0
            out[present] = np.add.reduceat(self.table[flat], offsets[present], axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def derived_table(
    raw: dict[str, np.ndarray], config: TableConfig, tokenizer: tokenizers.Tokenizer
) -> np.ndarray:
    """:func:`make_table`, cached per configuration (and, for ``sif-project``, per text)."""
    from starcoach.cache import cache_key, load_or_build

    parts = [table_key(), config.name]
    if config.weighting == "sif-project":
        parts.append(hashlib.sha256("\x00".join(project_texts()).encode()).hexdigest())
    name = "static-table-" + config.name.replace("/", "-")
    return load_or_build(
        name, cache_key(*parts), lambda: {"table": make_table(raw, config, tokenizer)}, ("table",)
    )["table"]


def static_embedder(
    config: TableConfig, raw: dict[str, np.ndarray] | None = None
) -> StaticEmbedder:
    tokenizer = load_tokenizer()
    table = derived_table(raw or token_tables(), config, tokenizer)
    return StaticEmbedder(table, tokenizer, config.name)


# --- MiniLM, memoised for the evaluation (never for timings) ----------------------------


class MemoEmbedder:
    """Wraps an embedder and remembers every text's vector (saved under --work), so the
    evaluation's repeated critiques do not re-run MiniLM. Timings never use it."""

    def __init__(self, inner: Any, path: Path) -> None:
        self.inner = inner
        self.fingerprint = inner.fingerprint
        self.path = path
        self.memo: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as stored:
                texts = json.loads(str(stored["texts"]))
                self.memo = dict(zip(texts, stored["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if missing:
            for text, vector in zip(missing, self.inner.encode(missing), strict=True):
                self.memo[text] = vector
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.array([self.memo[t] for t in texts], dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def save(self) -> None:
        texts = list(self.memo)
        vectors = np.array([self.memo[t] for t in texts], dtype=np.float32)
        np.savez(self.path, texts=np.array(json.dumps(texts)), vectors=vectors)


def minilm() -> Any:
    from starcoach.nlp.embedding import Embedder

    return Embedder()


# --- principle heads ----------------------------------------------------------------------


def principle_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """The extra training rows of the shipped frozen head (matching/understanding.py)."""
    texts: list[tuple[str, str]] = []
    for p in kb.principles:
        for text in (*p.shows, *p.probes, p.angle, ", ".join(p.telltale_words)):
            texts.append((text, p.id))
    return texts


def train_head(embedder: Any) -> tuple[PrincipleClassifier, dict[str, float]]:
    """The frozen-encoder principle head, same recipe and settings as the shipped one
    (bank training part + principle texts), over ``embedder``'s vectors; with its
    top-1/top-3 on the bank's held-out tenth."""
    from starcoach.knowledge.base import load_knowledge
    from starcoach.knowledge.models import PRINCIPLE_IDS
    from starcoach.matching.classifier import ClassifierSettings, PrincipleClassifier
    from starcoach.splits import in_holdout

    kb = load_knowledge()
    train = [q for q in kb.questions if not in_holdout(q.id, BANK_HOLDOUT_MODULO)]
    test = [q for q in kb.questions if in_holdout(q.id, BANK_HOLDOUT_MODULO)]
    extra = principle_texts(kb)
    features = np.vstack(
        [embedder.encode([q.text for q in train]), embedder.encode([t for t, _ in extra])]
    )
    labels = [[PRINCIPLE_IDS.index(p) for p in q.principles] for q in train]
    labels += [[PRINCIPLE_IDS.index(pid)] for _, pid in extra]
    settings = ClassifierSettings(l2=3e-4, steps=600, linear_weight=1.0)
    head = PrincipleClassifier.train(features, labels, len(PRINCIPLE_IDS), settings)
    probabilities = head.predict(embedder.encode([q.text for q in test]))
    order = np.argsort(-probabilities, axis=1)
    hits = [
        [
            any(PRINCIPLE_IDS[j] in q.principles for j in order[row, :k])
            for row, q in enumerate(test)
        ]
        for k in (1, 3)
    ]
    return head, {
        "bank_holdout_top1": float(np.mean(hits[0])),
        "bank_holdout_top3": float(np.mean(hits[1])),
    }


# --- the critic of each variant --------------------------------------------------------


def experiment_critic_class() -> type:
    """``ExperimentCritic``, defined lazily so that STARCOACH_HOME is set before import."""
    from starcoach.analysis.checks import run_checks
    from starcoach.analysis.context import AnswerContext, Thresholds
    from starcoach.analysis.critique import Critic, Critique, CritiqueRequest, turn_rows
    from starcoach.analysis.relevance import (
        STORY_SECTIONS,
        principle_fit,
        question_similarity,
        story_vector,
    )
    from starcoach.analysis.scoring import score_answer
    from starcoach.analysis.star import label_spans
    from starcoach.errors import StarcoachError
    from starcoach.knowledge.base import load_knowledge

    class ExperimentCritic(Critic):
        """The Critic's pipeline with the vector sources of one variant.

        ``embedder`` reads every sentence (labeller, and the story vector unless a
        summary is used); ``story_head`` scores the story vector; ``question_embedder``
        + ``question_head`` give the question's principles; ``summary_embedder`` (when
        set) reads a summary of at most ``summary_tokens`` tokens of the story's most
        central sentences instead (every sentence when ``summary_tokens`` < 0), and also
        embeds the question for the similarity.
        With MiniLM everywhere and no summary it is exactly ``Critic``.
        """

        def __init__(
            self,
            embedder: Any,
            labeller: StarLabeller,
            story_head: PrincipleClassifier,
            question_embedder: Any,
            question_head: PrincipleClassifier,
            summary_embedder: Any = None,
            summary_tokens: int = 0,
        ) -> None:
            self.embedder = embedder
            self.labeller = labeller
            self.knowledge = load_knowledge()
            self.thresholds = Thresholds()
            self._ids = [p.id for p in self.knowledge.principles]
            self._names = [p.name for p in self.knowledge.principles]
            self.story_head = story_head
            self.question_embedder = question_embedder
            self.question_head = question_head
            self.summary_embedder = summary_embedder
            self.summary_tokens = summary_tokens
            self.calibration: tuple[float, float] | None = None
            """(a, b): relevance becomes max(0, a + b * relevance) (scale only)."""

        def critique_many(
            self, requests: Sequence[CritiqueRequest]
        ) -> list[Critique | StarcoachError]:
            prepared: list[Any] = []
            for request in requests:
                try:
                    prepared.append(self._prepare(request))
                except StarcoachError as exc:
                    prepared.append(exc)
            valid = [p for p in prepared if not isinstance(p, StarcoachError)]
            questions = [p.question for p in valid if p.question]
            similarity_embedder = self.summary_embedder or self.embedder
            texts = [s.text for p in valid for s in p.spans]
            # Questions ride in the sentence call whenever that embedder needs them.
            with_questions = self.question_embedder is self.embedder or (
                similarity_embedder is self.embedder
            )
            vectors = self.embedder.encode(texts + (questions if with_questions else []))
            sentence_vectors, at = [], 0
            for p in valid:
                sentence_vectors.append(vectors[at : at + len(p.spans)])
                at += len(p.spans)
            own_questions = iter(vectors[at:])
            labelled = [self._label(p, v) for p, v in zip(valid, sentence_vectors, strict=True)]
            q_vectors: dict[int, np.ndarray] = {}  # id(embedder) -> question vectors
            if with_questions:
                q_vectors[id(self.embedder)] = np.array(list(own_questions))
            story_vectors: list[np.ndarray | None]
            if self.summary_embedder is not None and self.summary_tokens < 0:
                # Every sentence again through the summary embedder; the story vector is
                # the shipped mean over the story sections the labeller chose.
                encoded = self.summary_embedder.encode(texts + questions)
                q_vectors[id(self.summary_embedder)] = encoded[len(texts) :]
                story_vectors, at = [], 0
                for p, (_, sections) in zip(valid, labelled, strict=True):
                    rows = encoded[at : at + len(p.spans)]
                    at += len(p.spans)
                    story_vectors.append(story_vector(rows, sections) if sections else None)
            elif self.summary_embedder is not None:
                summaries = [
                    self._summary(p, v, sections)
                    for p, v, (_, sections) in zip(valid, sentence_vectors, labelled, strict=True)
                ]
                wanted = [s for s in summaries if s is not None]
                # One MiniLM call for the summaries and the questions.
                encoded = self.summary_embedder.encode(wanted + questions)
                q_vectors[id(self.summary_embedder)] = encoded[len(wanted) :]
                rows = iter(encoded[: len(wanted)])
                story_vectors = [next(rows) if s is not None else None for s in summaries]
            else:
                story_vectors = [None] * len(valid)
            for embedder in (self.question_embedder, similarity_embedder):
                if id(embedder) not in q_vectors:
                    q_vectors[id(embedder)] = embedder.encode(questions)
            q_rows = {key: iter(rows) for key, rows in q_vectors.items()}
            done = []
            for p, vectors_, (sentences, sections), story in zip(
                valid, sentence_vectors, labelled, story_vectors, strict=True
            ):
                q_prob_vector = q_sim_vector = None
                if p.question:
                    q_prob_vector = next(q_rows[id(self.question_embedder)])
                    if id(similarity_embedder) != id(self.question_embedder):
                        q_sim_vector = next(q_rows[id(similarity_embedder)])
                    else:
                        q_sim_vector = q_prob_vector
                done.append(
                    self._finish(
                        p, sentences, sections, vectors_, story, q_prob_vector, q_sim_vector
                    )
                )
            results = iter(done)
            return [p if isinstance(p, StarcoachError) else next(results) for p in prepared]

        def _label(self, prepared: Any, vectors: np.ndarray) -> tuple[list[Any], list[str]]:
            sentences = [
                sentence
                for rows in turn_rows(prepared.spans, prepared.turns)
                for sentence in label_spans(
                    [prepared.spans[i] for i in rows], vectors[rows], self.labeller
                )
            ]
            return sentences, [s.section for s in sentences]

        def _summary(self, prepared: Any, vectors: np.ndarray, sections: list[str]) -> str | None:
            """The story's most central sentences (static cosine to the story vector),
            greedily up to ``summary_tokens`` tokens, told in their original order."""
            if not sections:
                return None
            rows = [i for i, s in enumerate(sections) if s in STORY_SECTIONS] or list(
                range(len(sections))
            )
            centre = story_vector(vectors, sections)
            ranked = sorted(rows, key=lambda i: -float(vectors[i] @ centre))
            counts = [
                len(ids)
                for ids in self.embedder.token_ids([prepared.spans[i].text for i in ranked])
            ]
            chosen, total = [], 0
            for i, count in zip(ranked, counts, strict=True):
                if total + count <= self.summary_tokens:
                    chosen.append(i)
                    total += count
            if not chosen:  # the most central sentence alone is too long: cut it
                encoding = self.embedder.tokenizer.encode(
                    prepared.spans[ranked[0]].text, add_special_tokens=False
                )
                return prepared.spans[ranked[0]].text[
                    : encoding.offsets[self.summary_tokens - 1][1]
                ]
            return " ".join(prepared.spans[i].text for i in sorted(chosen))

        def _finish(
            self,
            prepared: Any,
            sentences: list[Any],
            sections: list[str],
            vectors: np.ndarray,
            summary_vector: np.ndarray | None,
            q_prob_vector: np.ndarray | None,
            q_sim_vector: np.ndarray | None,
        ) -> Critique:
            fit = None
            if sentences:
                story = (
                    summary_vector
                    if summary_vector is not None
                    else story_vector(vectors, sections)
                )
                question_probabilities = similarity = None
                if q_prob_vector is not None and q_sim_vector is not None:
                    question_probabilities = self.question_head.predict(q_prob_vector[None, :])[0]
                    similarity = question_similarity(story, q_sim_vector)
                fit = principle_fit(
                    self.story_head.predict(story[None, :])[0],
                    question_probabilities,
                    self._ids,
                    self._names,
                    similarity,
                )
                if self.calibration is not None and fit.relevance is not None:
                    a, b = self.calibration
                    fit = dataclasses.replace(fit, relevance=max(0.0, a + b * fit.relevance))
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

    return ExperimentCritic


@dataclass(frozen=True)
class Variant:
    name: str
    sentences: str
    """``minilm`` or a static table config name."""
    question: str = "same"
    """What gives the question's principles: ``same`` (the sentence embedder) or ``minilm``."""
    summary_tokens: int = 0
    """> 0: MiniLM reads a summary of the story of at most this many tokens; < 0: MiniLM
    reads every sentence again for the story vector (the labeller alone is static)."""
    calibrate: bool = False
    """Map relevance onto the baseline's scale (see :func:`evaluate_variant`)."""


@contextlib.contextmanager
def relevance_thresholds(off_topic: float, mismatch: float) -> Iterator[None]:
    """Run the relevance checks with other thresholds (in this process only)."""
    from starcoach.analysis.checks import relevance

    saved = relevance.OFF_TOPIC_RELEVANCE, relevance.MISMATCH_RELEVANCE
    relevance.OFF_TOPIC_RELEVANCE, relevance.MISMATCH_RELEVANCE = off_topic, mismatch
    try:
        yield
    finally:
        relevance.OFF_TOPIC_RELEVANCE, relevance.MISMATCH_RELEVANCE = saved


class TimedEmbedder:
    """Passes calls through to an embedder and adds up the wall time spent in encode."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.fingerprint = inner.fingerprint
        self.seconds = 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.encode(texts)
        finally:
            self.seconds += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Resources:
    """Embedders and heads shared by the variants of one run (built on first use).

    ``memo`` remembers MiniLM vectors (evaluation); ``timed`` wraps every embedder in a
    :class:`TimedEmbedder` (benchmark). ``heads`` may be shared with another instance:
    a head depends only on the vectors, not on how they were computed.
    """

    def __init__(
        self,
        work: Path,
        *,
        memo: bool,
        timed: bool = False,
        heads: dict[str, tuple[Any, dict[str, float]]] | None = None,
    ) -> None:
        self.work = work
        self.memo = memo
        self.timed = timed
        self._embedders: dict[str, Any] = {}
        self.heads = heads if heads is not None else {}
        self._raw: dict[str, np.ndarray] | None = None

    def embedder(self, name: str) -> Any:
        if name not in self._embedders:
            if name == "minilm":
                inner = minilm()
                if self.memo:
                    inner = MemoEmbedder(inner, self.work / "minilm-memo.npz")
            else:
                if self._raw is None:
                    self._raw = token_tables()
                inner = static_embedder(TableConfig.parse(name), self._raw)
            self._embedders[name] = TimedEmbedder(inner) if self.timed else inner
        return self._embedders[name]

    def timed_embedders(self) -> list[TimedEmbedder]:
        return [e for e in self._embedders.values() if isinstance(e, TimedEmbedder)]

    def head(self, name: str) -> tuple[Any, dict[str, float]]:
        if name not in self.heads:
            self.heads[name] = train_head(self.embedder(name))
        return self.heads[name]

    def critic(self, variant: Variant, labeller: StarLabeller) -> Any:
        sentences = self.embedder(variant.sentences)
        question_name = variant.sentences if variant.question == "same" else variant.question
        summary = self.embedder("minilm") if variant.summary_tokens else None
        story_head = self.head("minilm" if summary else variant.sentences)[0]
        return experiment_critic_class()(
            sentences,
            labeller,
            story_head,
            self.embedder(question_name),
            self.head(question_name)[0],
            summary,
            variant.summary_tokens,
        )

    def save(self) -> None:
        for embedder in self._embedders.values():
            if isinstance(embedder, MemoEmbedder):
                embedder.save()


# --- steps ---------------------------------------------------------------------------


def step_build(work: Path) -> dict[str, object]:
    """Build (or load) the raw table; time the build, the cache load and each config."""
    start = time.perf_counter()
    raw = token_tables()
    loaded_s = time.perf_counter() - start
    tokenizer = load_tokenizer()
    per_config = {}
    for config in (TableConfig("mean", 256, "sif-rank"), TableConfig("mean", None, "uniform")):
        start = time.perf_counter()
        make_table(raw, config, tokenizer)  # uncached: the one-time cost of deriving it
        per_config[config.name] = round(time.perf_counter() - start, 3)
    result = {
        "vocab": int(raw["mean"].shape[0]),
        "build_wall_s": round(float(raw["build_wall_s"]), 2),
        "build_cpu_s": round(float(raw["build_cpu_s"]), 2),
        "build_load": [float(x) for x in raw["build_load"]],
        "get_tables_s_this_run": round(loaded_s, 2),
        "derive_table_s": per_config,
        "raw_table_mb": round(raw["mean"].nbytes / 1e6, 1),
    }
    write_json(work / "build.json", result)
    return result


SELECT_GRID = tuple(
    TableConfig(pool, dim, weighting)
    for pool in ("mean", "middle")
    for dim in (None, 384, 256, 128)
    for weighting in ("uniform", "sif-rank", "sif-project")
)


def step_select(work: Path) -> dict[str, object]:
    """Labelling 5-fold CV on the training part (the held-out fifth is not read) for
    every table configuration; the best is the one the other steps use."""
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.evaluation.star import cross_validate_labeller, embed_answers

    train = [a for a in load_labelled_answers() if not a.is_holdout]
    raw = token_tables()
    rows = {}
    for config in SELECT_GRID:
        embedder = static_embedder(config, raw)
        report = cross_validate_labeller(embed_answers(train, embedder), 5)
        rows[config.name] = round(report.char_accuracy, 4)
        print(f"{config.name:28s} CV {report.char_accuracy:.4f}  load {load()}", flush=True)
    best = max(rows, key=lambda name: rows[name])
    result = {"cv_by_config": rows, "best": best, "answers": len(train)}
    write_json(work / "select.json", result)
    return result


def chosen_config(work: Path) -> str:
    path = work / "select.json"
    if not path.is_file():
        raise SystemExit("run the 'select' step first")
    return str(json.loads(path.read_text())["best"])


MODEL2VEC_DEFAULT = "mean/pca256/sif-rank"


BASELINE = "MiniLM (shipped)"


def variants(best: str) -> list[Variant]:
    """Baseline, pure static (best by CV, and model2vec's defaults), and hybrids."""
    out = [Variant(BASELINE, "minilm"), Variant(f"static {best}", best)]
    if best != MODEL2VEC_DEFAULT:
        out.append(Variant(f"static {MODEL2VEC_DEFAULT} (model2vec defaults)", MODEL2VEC_DEFAULT))
    out += [
        Variant(f"static {best}, relevance calibrated", best, calibrate=True),
        Variant(f"hybrid: static {best} + MiniLM question", best, question="minilm"),
        Variant(
            f"hybrid: static {best} + MiniLM question, relevance calibrated",
            best,
            question="minilm",
            calibrate=True,
        ),
        Variant(
            f"static labeller only, MiniLM still reads every sentence for the principles ({best})",
            best,
            question="minilm",
            summary_tokens=-1,
        ),
        Variant(
            f"hybrid: static {best} + MiniLM question + 64-token story summary",
            best,
            question="minilm",
            summary_tokens=64,
        ),
        Variant(
            f"hybrid: static {best} + MiniLM question + 128-token story summary",
            best,
            question="minilm",
            summary_tokens=128,
        ),
    ]
    return out


def relevance_auc(higher: Sequence[float], lower: Sequence[float]) -> float:
    """P(a clean answer's relevance > a flawed one's), ties half: threshold-free."""
    pairs = [(h, w) for h in higher for w in lower]
    return sum(1.0 if h > w else 0.5 if h == w else 0.0 for h, w in pairs) / len(pairs)


def moment_match(values: dict[str, float], reference: dict[str, float]) -> tuple[float, float]:
    """(a, b) so that a + b * value has the reference's mean and spread on these ids."""
    ids = sorted(set(values) & set(reference))
    ours = np.array([values[i] for i in ids])
    theirs = np.array([reference[i] for i in ids])
    b = float(theirs.std() / ours.std())
    return float(theirs.mean() - b * ours.mean()), b


def evaluate_variant(
    variant: Variant,
    resources: Resources,
    answers: list[LabelledAnswer],
    reference: dict[str, float] | None = None,
) -> dict[str, object]:
    """The figures of docs/evaluation.md's critique section, for one variant.

    ``reference`` is the baseline's out-of-fold relevance per answer: a ``calibrate``
    variant maps its relevance onto that scale (mean and spread matched on the answers
    outside the held-out fifth) before thresholds are chosen and scores computed.
    """
    from starcoach.analysis.checks import relevance
    from starcoach.evaluation.critique import (
        choose_relevance_thresholds,
        evaluate_checks,
        evaluate_scores,
        out_of_fold_critiques,
    )
    from starcoach.evaluation.star import (
        cross_validate_labeller,
        embed_answers,
        score_labeller,
        train_embedded,
    )

    items = embed_answers(answers, resources.embedder(variant.sentences))
    train = [i for i in items if not i.answer.is_holdout]
    held_out = [i for i in items if i.answer.is_holdout]
    model = train_embedded(train)
    held = score_labeller("held-out fifth", [(model, i) for i in held_out])
    cv = cross_validate_labeller(train, 5)
    critic = resources.critic(variant, model)
    shipped = (relevance.OFF_TOPIC_RELEVANCE, relevance.MISMATCH_RELEVANCE)
    critiques = out_of_fold_critiques(items, critic, 5)
    calibration = None
    if variant.calibrate:
        if reference is None:
            raise SystemExit("evaluate the MiniLM baseline before a calibrated variant")
        own = {
            a.id: critiques[a.id].fit.relevance
            for a in answers
            if not a.is_holdout
            and critiques[a.id].fit
            and critiques[a.id].fit.relevance is not None
        }
        calibration = critic.calibration = moment_match(own, reference)
        critiques = out_of_fold_critiques(items, critic, 5)
    chosen = choose_relevance_thresholds(answers, critiques)
    with relevance_thresholds(chosen["off-topic"], chosen["principle-mismatch"]):
        critiques = out_of_fold_critiques(items, critic, 5)
    checks = {c.code: c.to_dict() for c in evaluate_checks(answers, critiques)}
    scores = evaluate_scores(answers, critiques)
    per_answer = {
        a.id: critiques[a.id].fit.relevance
        for a in answers
        if critiques[a.id].fit is not None and critiques[a.id].fit.relevance is not None
    }
    clean = [per_answer[a.id] for a in answers if a.quality == "strong" and not a.flaws]
    flawed = {
        code: [per_answer[a.id] for a in answers if code in a.flaws and a.id in per_answer]
        for code in ("off-topic", "principle-mismatch")
    }
    question_head = variant.sentences if variant.question == "same" else variant.question
    return {
        "variant": asdict(variant),
        "labelling": {"held_out": held.to_dict(), "cv": cv.to_dict()},
        "thresholds_shipped": {"off-topic": shipped[0], "principle-mismatch": shipped[1]},
        "thresholds_chosen": chosen,
        "calibration": calibration,
        "checks": {
            code: checks[code] for code in ("off-topic", "principle-mismatch") if code in checks
        },
        "relevance_auc": {code: relevance_auc(clean, rows) for code, rows in flawed.items()},
        "all_checks": checks,
        "scores": scores.to_dict(),
        "relevance_clean_median": float(np.median(clean)),
        "relevance_off_topic_median": float(np.median(flawed["off-topic"])),
        "relevance_per_answer": per_answer,
        "question_head": resources.head(question_head)[1],
        "story_head": resources.head("minilm" if variant.summary_tokens else variant.sentences)[1],
    }


def step_evaluate(work: Path, only: Sequence[str]) -> list[dict[str, object]]:
    from starcoach.analysis.dataset import load_labelled_answers

    answers = load_labelled_answers()
    resources = Resources(work, memo=True)
    path = work / "evaluate.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    for variant in variants(chosen_config(work)):
        if only and not any(word in variant.name for word in only):
            continue
        start = time.perf_counter()
        baseline = results.get(BASELINE, {}).get("relevance_per_answer")
        results[variant.name] = evaluate_variant(variant, resources, answers, baseline)
        resources.save()
        figures = results[variant.name]
        print(
            f"{variant.name}: held-out {figures['labelling']['held_out']['char_accuracy']} "
            f"CV {figures['labelling']['cv']['char_accuracy']} "
            f"checks {figures['checks']} thresholds {figures['thresholds_chosen']} "
            f"({time.perf_counter() - start:.0f} s, load {load()})",
            flush=True,
        )
        write_json(path, results)
    return list(results.values())


def step_check_equivalence(work: Path) -> dict[str, object]:
    """The experiment's MiniLM critic against the project's own Critic on ten answers:
    the scores, sections and findings must be identical (same embedder, labeller, head)."""
    from starcoach.analysis.critique import Critic, CritiqueRequest
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.evaluation.star import embed_answers, train_embedded

    resources = Resources(work, memo=True)
    answers = load_labelled_answers()
    embedder = resources.embedder("minilm")
    labeller = train_embedded(embed_answers([a for a in answers if not a.is_holdout], embedder))
    head = resources.head("minilm")[0]

    class HeadOnly:
        """What Critic needs of QuestionUnderstanding: the frozen head's probabilities."""

        def principle_probabilities(self, vectors: np.ndarray) -> np.ndarray:
            return head.predict(vectors)

    sample = [a for a in answers if a.is_holdout][:10]
    requests = [CritiqueRequest(a.text, a.question or None) for a in sample]
    theirs = Critic(embedder=embedder, labeller=labeller, understanding=HeadOnly()).critique_many(
        requests
    )
    ours = resources.critic(Variant("MiniLM", "minilm"), labeller).critique_many(requests)
    same = [a.to_dict() == b.to_dict() for a, b in zip(theirs, ours, strict=True)]
    resources.save()
    result = {"answers": len(same), "identical": sum(same)}
    write_json(work / "equivalence.json", result)
    return result


def bench_requests() -> list[Any]:
    """benchmarks/run.py's critique batch: answers of 350-450 words with their questions."""
    from starcoach.analysis.critique import CritiqueRequest
    from starcoach.analysis.dataset import load_labelled_answers

    answers = [a for a in load_labelled_answers() if 350 <= len(a.text.split()) <= 450]
    return [CritiqueRequest(a.text, a.question) for a in answers]


def step_bench(work: Path, runs: int, only: Sequence[str] = ()) -> dict[str, object]:
    """Per-answer cost of a batch critique for every variant, interleaved in one run so
    that they share the machine's load, with the time spent embedding inside each batch
    (sentences, questions, summaries) and, apart, the sentence splitting."""
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.evaluation.star import embed_answers, train_embedded
    from starcoach.nlp.sentences import split_sentences

    requests = bench_requests()
    answers = [a for a in load_labelled_answers() if not a.is_holdout]
    memo_resources = Resources(work, memo=True)  # labellers and heads, trained quickly
    critics = {}
    for variant in variants(chosen_config(work)):
        if only and not any(word in variant.name for word in only):
            continue
        # Each variant gets its own timed embedders, so its embedding time is its own.
        resources = Resources(work, memo=False, timed=True, heads=memo_resources.heads)
        for name in {variant.sentences, variant.question, "minilm"} - {"same"}:
            memo_resources.head(name)
        labeller = train_embedded(
            embed_answers(answers, memo_resources.embedder(variant.sentences))
        )
        critics[variant.name] = (resources, resources.critic(variant, labeller))
    memo_resources.save()
    for _, critic in critics.values():
        critic.critique_many(requests[:2])  # warm-up
    n = len(requests)
    walls: dict[str, list[float]] = {name: [] for name in critics}
    cpus: dict[str, list[float]] = {name: [] for name in critics}
    embeds: dict[str, list[float]] = {name: [] for name in critics}
    loads: list[float] = []
    for _ in range(runs):
        for name, (resources, critic) in critics.items():
            loads.append(load())
            timers = resources.timed_embedders()
            before = sum(t.seconds for t in timers)
            start, cpu = time.perf_counter(), time.process_time()
            critic.critique_many(requests)
            walls[name].append((time.perf_counter() - start) * 1000 / n)
            cpus[name].append((time.process_time() - cpu) * 1000 / n)
            embeds[name].append((sum(t.seconds for t in timers) - before) * 1000 / n)
    split_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        for r in requests:
            split_sentences(r.answer)
        split_ms.append((time.perf_counter() - start) * 1000 / n)
    loads.append(load())
    result: dict[str, object] = {
        "answers": n,
        "mean_words": round(statistics.mean(len(r.answer.split()) for r in requests)),
        "sentences": sum(len(split_sentences(r.answer)) for r in requests),
        "runs": runs,
        "load_min_max": [min(loads), max(loads)],
        "split_ms_per_answer": round(statistics.median(split_ms), 1),
        "variants": {},
    }
    for name in critics:
        result["variants"][name] = {  # type: ignore[index]
            "batch_ms_per_answer": round(statistics.median(walls[name]), 1),
            "batch_cpu_ms_per_answer": round(statistics.median(cpus[name]), 1),
            "embedding_ms_per_answer": round(statistics.median(embeds[name]), 2),
            "all_runs_ms": [round(x, 1) for x in walls[name]],
        }
        print(name, result["variants"][name], flush=True)  # type: ignore[index]
    write_json(work / f"bench-{time.strftime('%H%M%S')}.json", result)
    write_json(work / "bench.json", result)
    return result


def step_profile(work: Path, runs: int) -> dict[str, object]:
    """Where a static critic's batch spends its wall time once embedding is cheap: each
    stage timed on its own over the benchmark's answers (median of ``runs``), in ms per
    answer; the checks also one by one (the five slowest)."""
    from starcoach.analysis.checks import REGISTRY, run_checks
    from starcoach.analysis.context import AnswerContext
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.analysis.scoring import score_answer
    from starcoach.analysis.star import label_spans
    from starcoach.evaluation.star import embed_answers, train_embedded
    from starcoach.nlp.sentences import split_sentences

    best = chosen_config(work)
    requests = bench_requests()
    n = len(requests)
    resources = Resources(work, memo=False)
    answers = [a for a in load_labelled_answers() if not a.is_holdout]
    embedder = resources.embedder(best)
    labeller = train_embedded(embed_answers(answers, embedder))
    critic = resources.critic(Variant("static", best), labeller)
    critiques = critic.critique_many(requests)
    spans = [split_sentences(r.answer) for r in requests]
    vectors = [embedder.encode([s.text for s in rows]) for rows in spans]
    contexts = [
        AnswerContext(r.answer, c.sentences, question=r.question, fit=c.fit)
        for r, c in zip(requests, critiques, strict=True)
    ]
    run_checks(contexts[0])  # registers every check
    texts = [s.text for rows in spans for s in rows] + [r.question for r in requests]
    stages = {
        "whole batch critique": lambda: critic.critique_many(requests),
        "split_sentences (pysbd + cuts)": lambda: [split_sentences(r.answer) for r in requests],
        "static encode (tokenise + table)": lambda: embedder.encode(texts),
        "label_spans (features + softmax + Viterbi)": lambda: [
            label_spans(rows, v, labeller) for rows, v in zip(spans, vectors, strict=True)
        ],
        "run_checks (all checks)": lambda: [run_checks(c) for c in contexts],
        "score_answer": lambda: [score_answer(c, run_checks(c)) for c in contexts],
    }
    per_check = {
        code: (lambda registered=registered: [registered.run(c) for c in contexts])
        for code, registered in REGISTRY.items()
    }

    def timed(function: Any) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            function()
            samples.append((time.perf_counter() - start) * 1000 / n)
        return round(statistics.median(samples), 2)

    result: dict[str, object] = {"load_before": load()}
    result.update({label: timed(function) for label, function in stages.items()})
    result["score_answer"] = round(
        float(result["score_answer"]) - float(result["run_checks (all checks)"]),
        2,  # type: ignore[arg-type]
    )
    checks = {code: timed(function) for code, function in per_check.items()}
    result["slowest checks"] = dict(sorted(checks.items(), key=lambda kv: -kv[1])[:5])
    result["load_after"] = load()
    write_json(work / "profile.json", result)
    return result


def per_answer_hits(pairs: Sequence[tuple[Any, Any]]) -> dict[str, tuple[int, int, int, int]]:
    """Per answer: (correct characters, labelled characters, correct result characters,
    result characters), as evaluation/star.py's score_labeller counts them."""
    out = {}
    for labeller, item in pairs:
        hits = total = result_hits = result_total = 0
        predictions = labeller.predict(item.features)
        for span, prediction in zip(item.spans, predictions, strict=True):
            for gold in item.answer.char_labels[span.start : span.end]:
                if gold is None:
                    continue
                total += 1
                hits += gold == prediction.section
                if gold == "result":
                    result_total += 1
                    result_hits += prediction.section == "result"
        out[item.answer.id] = (hits, total, result_hits, result_total)
    return out


def step_paired(work: Path, resamples: int = 10_000) -> dict[str, object]:
    """Is the static labeller's accuracy different from MiniLM's? A paired bootstrap over
    answers of the difference in character accuracy (and in result recall), on the
    held-out fifth and on the CV predictions of the training part."""
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.evaluation.star import embed_answers, out_of_fold_models, train_embedded

    answers = load_labelled_answers()
    resources = Resources(work, memo=True)
    hits: dict[str, dict[str, dict[str, tuple[int, int, int, int]]]] = {}
    for name in ("minilm", chosen_config(work)):
        items = embed_answers(answers, resources.embedder(name))
        train = [i for i in items if not i.answer.is_holdout]
        model = train_embedded(train)
        hits[name] = {
            "held-out fifth": per_answer_hits([(model, i) for i in items if i.answer.is_holdout]),
            "5-fold CV": per_answer_hits(out_of_fold_models(train, 5)),
        }
    resources.save()
    base, static = hits["minilm"], hits[chosen_config(work)]
    rng = np.random.default_rng(0)
    result: dict[str, object] = {}
    for part in base:
        ids = sorted(base[part])
        a = np.array([base[part][i] for i in ids], dtype=float)
        b = np.array([static[part][i] for i in ids], dtype=float)
        draws = rng.integers(0, len(ids), size=(resamples, len(ids)))
        figures = {}
        for label, (hit, tot) in {"accuracy": (0, 1), "result recall": (2, 3)}.items():

            def share(rows: np.ndarray, hit: int = hit, tot: int = tot) -> np.ndarray:
                return rows[..., hit].sum(axis=-1) / rows[..., tot].sum(axis=-1)

            difference = share(b[draws]) - share(a[draws])
            figures[label] = {
                "minilm": round(float(share(a)), 4),
                "static": round(float(share(b)), 4),
                "difference": round(float(share(b) - share(a)), 4),
                "ci95": [round(float(x), 4) for x in np.percentile(difference, [2.5, 97.5])],
            }
        result[part] = {"answers": len(ids), **figures}
    write_json(work / "paired.json", result)
    return result


def step_report(work: Path) -> str:
    """The Markdown tables of the note, from the JSON files of the other steps."""
    evaluated = json.loads((work / "evaluate.json").read_text())
    bench = json.loads((work / "bench.json").read_text())
    select = json.loads((work / "select.json").read_text())
    lines = [
        "| variant | labelling held-out fifth | labelling CV | result recall (held-out / CV) | "
        "off-topic recall / FA | mismatch recall / FA | relevance AUC off-topic / mismatch | "
        "tiers strong / adequate / weak / poor | non-answers ≤ 15 | off-topic ≤ 30 | "
        "ms per answer in a batch (CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in evaluated.items():
        off, mis = f["checks"]["off-topic"], f["checks"]["principle-mismatch"]
        held, cv = f["labelling"]["held_out"], f["labelling"]["cv"]
        tiers = " / ".join(f"{v['mean']:.1f}" for v in f["scores"]["by_quality"].values())
        cost = bench["variants"].get(name, {})
        non_answers = "{} of {}".format(*f["scores"]["non_answers_at_most_15"])
        capped = "{} of {}".format(*f["scores"]["off_topic_at_most_30"])
        lines.append(
            f"| {name} | {held['char_accuracy']:.3f} | {cv['char_accuracy']:.3f} | "
            f"{held['by_section']['result']:.2f} / {cv['by_section']['result']:.2f} | "
            f"{off['recall']:.2f} / {off['false_alarm_rate']:.2f} | "
            f"{mis['recall']:.2f} / {mis['false_alarm_rate']:.2f} | "
            f"{f['relevance_auc']['off-topic']:.3f} / {f['relevance_auc']['principle-mismatch']:.3f} | "
            f"{tiers} | {non_answers} | {capped} | "
            f"{cost.get('batch_ms_per_answer', '—')} ({cost.get('batch_cpu_ms_per_answer', '—')}) |"
        )
    pairs = list(next(iter(evaluated.values()))["scores"]["pairwise"])
    lines += ["", "| variant | thresholds off-topic / mismatch | " + " | ".join(pairs) + " |"]
    lines.append("|---|---|" + "---|" * len(pairs))
    for name, f in evaluated.items():
        t = f["thresholds_chosen"]
        lines.append(
            f"| {name} | {t['off-topic']:.3f} / {t['principle-mismatch']:.3f} | "
            + " | ".join(f"{v:.3f}" for v in f["scores"]["pairwise"].values())
            + " |"
        )
    lines += ["", "| table configuration | labelling CV (training part) |", "|---|---|"]
    lines += [f"| {name} | {acc:.3f} |" for name, acc in select["cv_by_config"].items()]
    text = "\n".join(lines)
    print(text)
    return text


SINGLE_THREADED_STEPS = ("build", "select", "evaluate", "equivalence", "paired")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "step",
        choices=(
            "build",
            "select",
            "evaluate",
            "equivalence",
            "paired",
            "bench",
            "profile",
            "report",
        ),
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="caches and results")
    parser.add_argument(
        "--only",
        nargs="*",
        default=(),
        help="evaluate, bench: only the variants whose name holds one of these",
    )
    parser.add_argument("--runs", type=int, default=3, help="bench, profile: timed repetitions")
    args = parser.parse_args()
    if args.step in SINGLE_THREADED_STEPS and "OPENBLAS_NUM_THREADS" not in os.environ:
        # Small matrices on a shared 2-core machine: one BLAS thread was 2-10x faster
        # (labeller training, PCA). The benchmark keeps the library default, as users do.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)
    setup_home(args.work)
    if args.step == "build":
        print(json.dumps(step_build(args.work), indent=1))
    elif args.step == "select":
        print(json.dumps(step_select(args.work), indent=1))
    elif args.step == "evaluate":
        step_evaluate(args.work, args.only)
    elif args.step == "equivalence":
        print(json.dumps(step_check_equivalence(args.work)))
    elif args.step == "paired":
        print(json.dumps(step_paired(args.work), indent=1))
    elif args.step == "profile":
        print(json.dumps(step_profile(args.work, args.runs), indent=1))
    elif args.step == "bench":
        print(json.dumps(step_bench(args.work, args.runs, args.only), indent=1))
    else:
        step_report(args.work)


if __name__ == "__main__":
    main()
