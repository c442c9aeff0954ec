"""The bank must not hold the same question twice in different words."""

import numpy as np

NEAR_DUPLICATE = 0.93
"""Cosine similarity above which two questions ask essentially the same thing."""


def test_no_near_duplicate_questions(kb, embedder):
    texts = [q.text for q in kb.questions]
    vectors = embedder.encode(texts)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    rows, cols = np.nonzero(np.triu(sims) > NEAR_DUPLICATE)
    pairs = [
        (kb.questions[i].id, kb.questions[j].id, round(float(sims[i, j]), 3))
        for i, j in zip(rows, cols, strict=True)
    ]
    assert pairs == [], pairs


def test_the_duplicate_check_catches_a_reworded_copy(embedder):
    a, b = embedder.encode(
        [
            "Tell me about a time you disagreed with your manager.",
            "Tell me about a time when you disagreed with your manager.",
        ]
    )
    assert a @ b > NEAR_DUPLICATE
