"""The learners on synthetic data, where the right answer is known."""

import numpy as np

from starcoach.matching.classifier import (
    ClassifierSettings,
    PrincipleClassifier,
    fit_temperature,
    soft_targets,
    softmax,
)


def _clusters(n_per_class: int, classes: int, dim: int = 32, noise: float = 0.3, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim))
    x = np.concatenate([c + noise * rng.normal(size=(n_per_class, dim)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = [[k] for k in range(classes) for _ in range(n_per_class)]
    return x, labels


def test_soft_targets_split_weight_between_two_labels():
    t = soft_targets([[0], [1, 2]], 3)
    assert t[0].tolist() == [1.0, 0.0, 0.0]
    assert np.isclose(t[1].sum(), 1.0) and t[1, 1] > t[1, 2] > 0


def test_trained_classifier_separates_clusters_and_outputs_distributions():
    x, labels = _clusters(30, 4)
    model = PrincipleClassifier.train(x, labels, 4, ClassifierSettings())
    probs = model.predict(x)
    assert np.allclose(probs.sum(axis=1), 1.0)
    accuracy = np.mean(probs.argmax(axis=1) == np.array([label[0] for label in labels]))
    assert accuracy > 0.95


def test_classifier_generalises_to_unseen_points():
    x, labels = _clusters(40, 5, seed=1)
    test_x, test_labels = _clusters(
        10, 5, seed=1
    )  # same centres, fresh noise draws differ by order
    rng = np.random.default_rng(5)
    order = rng.permutation(len(labels))
    model = PrincipleClassifier.train(x[order], [labels[i] for i in order], 5)
    predicted = model.predict(test_x).argmax(axis=1)
    assert np.mean(predicted == np.array([label[0] for label in test_labels])) > 0.9


def test_round_trip_through_arrays():
    x, labels = _clusters(10, 3)
    settings = ClassifierSettings()
    model = PrincipleClassifier.train(x, labels, 3, settings)
    again = PrincipleClassifier.from_arrays(model.to_arrays(), settings)
    assert np.allclose(model.predict(x), again.predict(x))


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(0)
    targets = np.eye(3)[rng.integers(0, 3, size=200)]
    noisy = targets.argmax(axis=1).copy()
    flip = rng.random(200) < 0.4
    noisy[flip] = rng.integers(0, 3, size=flip.sum())
    logits = 10.0 * np.eye(3)[noisy]  # very confident, often wrong
    assert fit_temperature(logits, targets) > 1.5
    assert np.allclose(softmax(np.array([[1.0, 2.0]])).sum(), 1.0)
