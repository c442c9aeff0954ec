import numpy as np
import pytest

from starcoach.errors import ModelError
from starcoach.nlp.embedding import MODEL_SHA256, Embedder, default_model_path, file_sha256


def test_vectors_are_normalised_and_384_wide(embedder):
    vectors = embedder.encode(["Tell me about a time you failed.", "Describe a tight deadline."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_paraphrases_are_closer_than_unrelated_text(embedder):
    a, b, c = embedder.encode(
        [
            "Tell me about a time you disagreed with your manager.",
            "Describe a conflict you had with your boss.",
            "The recipe needs two cups of flour and an egg.",
        ]
    )
    assert a @ b > 0.4
    assert a @ b > a @ c + 0.3


def test_batching_does_not_change_vectors(embedder):
    texts = [f"Question number {i} about {'data ' * (i % 7)}pipelines" for i in range(70)]
    together = embedder.encode(texts)
    alone = np.stack([embedder.encode_one(t) for t in texts[:5]])
    assert np.allclose(together[:5], alone, atol=1e-4)


def test_empty_batch(embedder):
    assert embedder.encode([]).shape == (0, 384)


def test_shipped_model_has_the_pinned_hash():
    assert file_sha256(default_model_path()) == MODEL_SHA256


def test_tampered_model_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    data = bytearray(default_model_path().read_bytes())
    data[len(data) // 2] ^= 0xFF
    fake.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        Embedder(fake)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Embedder(tmp_path / "nope.onnx")


def test_a_short_text_batched_with_a_long_one_keeps_its_vector(embedder):
    short = "I fixed the cache."
    long = " ".join(["I traced the slow requests to one query and rewrote it."] * 12)
    together = embedder.encode([long, short, long])
    assert np.allclose(together[1], embedder.encode_one(short), atol=1e-5)
    assert np.allclose(together[0], together[2], atol=1e-6)


def test_texts_are_not_padded_to_the_vendored_fixed_length(embedder):
    # tokenizer.json pads to 128 tokens; the embedder pads each batch only as needed.
    assert len(embedder._tokenizer.encode("Short text.").ids) == 5
