"""Small numeric helpers shared by the models' layers (nlp, matching, analysis)."""

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis, shifted by the maximum so large logits cannot
    overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
