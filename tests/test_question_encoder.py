"""The fine-tuned question encoder: a pinned file, one pass, calibrated probabilities."""

import numpy as np
import pytest

from starcoach.errors import ModelError
from starcoach.knowledge import PRINCIPLE_IDS
from starcoach.nlp.embedding import file_sha256
from starcoach.nlp.question_encoder import (
    QUESTION_MODEL_PATH,
    QUESTION_MODEL_SHA256,
    QuestionEncoder,
    get_question_encoder,
)


@pytest.fixture(scope="module")
def encoder():
    return get_question_encoder()


def test_shipped_file_has_the_pinned_hash():
    assert file_sha256(QUESTION_MODEL_PATH) == QUESTION_MODEL_SHA256


def test_tampered_file_is_refused(tmp_path):
    fake = tmp_path / "question-encoder.onnx"
    data = bytearray(QUESTION_MODEL_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    fake.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        QuestionEncoder(fake)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="missing"):
        QuestionEncoder(tmp_path / "nope.onnx")


def test_one_pass_gives_unit_vectors_and_distributions(encoder):
    vectors, probabilities = encoder.encode(
        ["Tell me about a time you failed.", "Describe a tight deadline you met."]
    )
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert probabilities.shape == (2, len(PRINCIPLE_IDS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert (probabilities > 0).all()


def test_a_question_scores_the_same_alone_or_among_others(encoder):
    """Activations are quantised per call, so the encoder reads one question at a time."""
    texts = [f"Tell me about project {i} where {'data ' * (i % 6)}mattered." for i in range(40)]
    together = encoder.encode(texts)
    alone = [encoder.encode([t]) for t in texts[:4]]
    assert np.array_equal(together[0][:4], np.vstack([a[0] for a in alone]))
    assert np.array_equal(together[1][:4], np.vstack([a[1] for a in alone]))


def test_empty_batch(encoder):
    vectors, probabilities = encoder.encode([])
    assert vectors.shape == (0, 384) and probabilities.shape == (0, 16)


def test_the_file_records_how_it_was_trained(encoder):
    record = encoder.training_record()
    assert {"lr", "epochs", "temperature", "seed"} <= record.keys()
    assert record["temperature"] > 0


def test_probabilities_are_not_overconfident_on_a_vague_question(encoder):
    _, probabilities = encoder.encode(["Tell me about yourself."])
    assert probabilities.max() < 0.9
