"""Question → principle probabilities, learned from the question bank.

Two learners over sentence embeddings, blended:

* a multinomial logistic-regression head (soft targets: a question tagged with two
  principles teaches both), calibrated with a temperature;
* similarity-weighted nearest neighbours in the bank, which keeps rare phrasings alive.

Which blend and settings to ship was decided by cross-validation on the bank
(``starcoach eval classify --compare``, figures in docs/evaluation.md).
Everything here is pure numpy: no I/O, no knowledge of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from starcoach.numeric import softmax

SECOND_PRINCIPLE_WEIGHT = 0.4
"""Share of the target given to a question's second principle (the first gets the rest)."""


@dataclass(frozen=True)
class ClassifierSettings:
    l2: float = 1e-3
    steps: int = 400
    learning_rate: float = 0.01
    knn_k: int = 10
    knn_temperature: float = 0.05
    linear_weight: float = 0.6
    """Weight of the linear head in the blend; the neighbours get the rest."""


def soft_targets(labels: Sequence[Sequence[int]], n_classes: int) -> np.ndarray:
    """One row per example: 1.0 on a single label, 0.6 / 0.4 on a primary + second."""
    targets = np.zeros((len(labels), n_classes), dtype=np.float64)
    for row, label in enumerate(labels):
        if len(label) == 1:
            targets[row, label[0]] = 1.0
        else:
            targets[row, label[0]] = 1.0 - SECOND_PRINCIPLE_WEIGHT
            targets[row, label[1]] = SECOND_PRINCIPLE_WEIGHT
    return targets


def train_linear_head(
    features: np.ndarray, targets: np.ndarray, settings: ClassifierSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Fit softmax regression with L2 by full-batch Adam; returns (weights, bias)."""
    n, dim = features.shape
    classes = targets.shape[1]
    weights = np.zeros((dim, classes))
    bias = np.zeros(classes)
    m_w, v_w = np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x = features.astype(np.float64)
    for step in range(1, settings.steps + 1):
        probs = softmax(x @ weights + bias)
        grad_logits = (probs - targets) / n
        grad_w = x.T @ grad_logits + settings.l2 * weights
        grad_b = grad_logits.sum(axis=0)
        for param, grad, m, v in ((weights, grad_w, m_w, v_w), (bias, grad_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            param -= settings.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return weights, bias


def knn_probabilities(
    query: np.ndarray,
    bank: np.ndarray,
    bank_targets: np.ndarray,
    settings: ClassifierSettings,
) -> np.ndarray:
    """Blend the targets of the k most similar bank questions, weighted by similarity."""
    sims = query @ bank.T
    k = min(settings.knn_k, bank.shape[0])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    top_sims = np.take_along_axis(sims, top, axis=1)
    weights = softmax(top_sims / settings.knn_temperature)
    return np.einsum("nk,nkc->nc", weights, bank_targets[top])


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The temperature that minimises held-out cross-entropy (a 1-D grid search)."""
    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 61))
    losses = [
        -(targets * np.log(np.clip(softmax(logits / t), 1e-12, None))).sum(axis=1).mean()
        for t in grid
    ]
    return float(grid[int(np.argmin(losses))])


@dataclass
class PrincipleClassifier:
    """A trained classifier; its arrays round-trip through the on-disk cache."""

    weights: np.ndarray
    bias: np.ndarray
    temperature: float
    bank: np.ndarray
    bank_targets: np.ndarray
    settings: ClassifierSettings

    @classmethod
    def train(
        cls,
        features: np.ndarray,
        labels: Sequence[Sequence[int]],
        n_classes: int,
        settings: ClassifierSettings | None = None,
        calibration_folds: int = 5,
    ) -> PrincipleClassifier:
        """Train on all examples; the temperature comes from out-of-fold predictions."""
        settings = settings or ClassifierSettings()
        targets = soft_targets(labels, n_classes)
        folds = np.arange(len(labels)) % calibration_folds
        oof_logits = np.zeros_like(targets)
        for fold in range(calibration_folds):
            train, test = folds != fold, folds == fold
            w, b = train_linear_head(features[train], targets[train], settings)
            oof_logits[test] = features[test] @ w + b
        temperature = fit_temperature(oof_logits, targets)
        weights, bias = train_linear_head(features, targets, settings)
        return cls(weights, bias, temperature, features, targets, settings)

    def predict(self, queries: np.ndarray) -> np.ndarray:
        """Probabilities over principles, one row per query embedding (rows sum to 1)."""
        queries = np.atleast_2d(queries)
        linear = softmax((queries @ self.weights + self.bias) / self.temperature)
        if self.settings.linear_weight >= 1.0:
            return linear
        knn = knn_probabilities(queries, self.bank, self.bank_targets, self.settings)
        w = self.settings.linear_weight
        return w * linear + (1 - w) * knn

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "weights": self.weights,
            "bias": self.bias,
            "temperature": np.array(self.temperature),
            "bank": self.bank,
            "bank_targets": self.bank_targets,
        }

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], settings: ClassifierSettings
    ) -> PrincipleClassifier:
        return cls(
            arrays["weights"],
            arrays["bias"],
            float(arrays["temperature"]),
            arrays["bank"],
            arrays["bank_targets"],
            settings,
        )
