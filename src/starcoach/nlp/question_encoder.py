"""The question encoder: all-MiniLM-L6-v2 fine-tuned on the question bank, int8 ONNX.

Why a second model: with the frozen encoder and a linear head, question understanding
plateaued at top-1 0.77 / top-3 0.92 on questions it never saw; fine-tuning the encoder
on the bank's training part lifted it (figures in docs/evaluation.md and
docs/notes/question-encoder-finetuning.md). The file is made by
``scripts/train_question_encoder.py``, ships inside the package and is verified by
sha256 before use, like the base model; it reads the same vendored tokenizer.

One pass gives both outputs a question needs: a normalised 384-dimensional embedding
(to find similar bank questions and tags) and logits over the 16 principles, already
divided by the temperature fitted at training time, so their softmax is calibrated.
Answers and stories keep the base model (nlp.embedding): their vectors are stored and
compared with each other, and the encoder was trained on questions only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from starcoach.errors import ModelError
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.nlp.embedding import (
    EMBEDDING_DIM,
    TOKENIZER_PATH,
    load_session,
    load_tokenizer,
    padded_inputs,
    verified_fingerprint,
)
from starcoach.numeric import softmax

QUESTION_MODEL_PATH = Path(__file__).parent / "models" / "question-encoder.onnx"
QUESTION_MODEL_SHA256 = "1849ad6f289477143d928f1ba4a50c379cfd023a07abacd36031ad85e716df45"
LABELS_KEY = "principle_ids"
"""Metadata entry of the graph naming its 16 outputs in order (checked at load)."""


class QuestionEncoder:
    """Turns questions into (embeddings, principle probabilities) in one model pass."""

    def __init__(
        self,
        model_path: Path = QUESTION_MODEL_PATH,
        tokenizer_path: Path = TOKENIZER_PATH,
        *,
        expected_sha256: str = QUESTION_MODEL_SHA256,
        batch_size: int = 1,
    ) -> None:
        self.model_path = model_path
        self.fingerprint = verified_fingerprint(
            model_path,
            expected_sha256,
            f"The question model is missing at {model_path}; reinstall starcoach.",
            "Reinstall starcoach.",
            "The question model",
        )
        self.batch_size = batch_size
        self._tokenizer = load_tokenizer(tokenizer_path)
        self._session = load_session(model_path, self.fingerprint, "question-model-optimised")
        labels = self._session.get_modelmeta().custom_metadata_map.get(LABELS_KEY, "")
        if labels.split(",") != list(PRINCIPLE_IDS):
            raise ModelError(
                f"The question model at {model_path} was trained for other principle ids."
            )

    def training_record(self) -> dict[str, object]:
        """The setting and validation figures the training script wrote into the graph."""
        meta = self._session.get_modelmeta().custom_metadata_map
        try:
            record = json.loads(meta.get("setting", "{}"))
        except ValueError:
            return {}
        return record if isinstance(record, dict) else {}

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings of shape (n, 384), probabilities of shape (n, 16)) for ``texts``.

        One text per model call by default: the graph quantises its activations per call
        (``quantize_dynamic``), so a batch would make a question's scores depend on the
        questions and padding beside it (vectors moved by up to 0.02). Alone, a question
        always gets the same answer, and a call costs ~5 ms, less than the base model's.
        """
        n = len(texts)
        vectors = np.zeros((n, EMBEDDING_DIM), dtype=np.float32)
        logits = np.zeros((n, len(PRINCIPLE_IDS)), dtype=np.float64)
        if not n:
            return vectors, logits
        token_ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(n), key=lambda i: len(token_ids[i]))
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size]
            vectors[idx], logits[idx] = self._run([token_ids[i] for i in idx])
        return vectors, softmax(logits)

    def _run(self, token_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        embedding, logits = self._session.run(["embedding", "logits"], padded_inputs(token_ids))
        return embedding, logits.astype(np.float64)


@cache
def get_question_encoder() -> QuestionEncoder:
    """The process-wide question encoder; load it once."""
    return QuestionEncoder()
