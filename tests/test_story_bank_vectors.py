"""The bank stores what matching needs, so building the index embeds nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from starcoach.analysis.critique import Critic
from starcoach.storage import StoredVectors, open_store
from starcoach.stories.bank import StoryBank
from starcoach.stories.model import Story

QUESTION = "Tell me about a time you cut cloud costs."
STORY = Story(
    title="Cloud bill",
    question=QUESTION,
    sections={
        "situation": "Our AWS bill had doubled in a year while traffic stayed flat.",
        "task": "I was asked to bring it back under budget within a quarter.",
        "action": "I tagged every resource, found idle clusters and moved batch jobs to spot.",
        "result": "The monthly bill fell from $80k to $46k in ten weeks.",
        "reflection": "I learned to put cost dashboards next to latency ones.",
    },
)
OTHER = Story(
    title="Mentoring",
    sections={
        "situation": "A new graduate joined my team and struggled with code reviews.",
        "action": "I paired with her twice a week and wrote a review checklist with her.",
        "result": "Her reviews were approved first time 80% of the time after two months.",
    },
)


class CountingEmbedder:
    """Wraps the real embedder and counts the texts it was asked to encode."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture()
def critic(understanding) -> Critic:
    return Critic(understanding=understanding)


def test_written_for_question_vector_is_stored_and_reused(
    tmp_path: Path, critic: Critic, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    with open_store(url) as store:
        bank = StoryBank(store, critic)
        saved = bank.add(STORY)
        other = bank.add(OTHER)
        stored = store.vectors(critic.embedder.fingerprint)
        assert stored[saved.id].question is not None
        assert stored[other.id].question is None  # no question, nothing to store
        expected = critic.embedder.encode(["cut cloud costs."])[0]
        assert float(np.dot(stored[saved.id].question, expected)) > 0.99

    counting = CountingEmbedder(critic.understanding.embedder)
    monkeypatch.setattr(critic.understanding, "embedder", counting)
    monkeypatch.setattr(critic, "embedder", counting)
    with open_store(url) as store:
        index = StoryBank(store, critic).index()
    assert counting.texts == []  # nothing re-encoded: sentences and question were stored
    number = [item.story.id for item in index.items].index(saved.id)
    np.testing.assert_allclose(index.question_vectors[number], stored[saved.id].question)


def test_vectors_saved_without_a_question_vector_are_filled_in_once(
    tmp_path: Path, critic: Critic, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    with open_store(url) as store:
        saved = StoryBank(store, critic).add(STORY)
        old = store.vectors(critic.embedder.fingerprint)[saved.id]
        store.save_vectors(saved.id, StoredVectors(old.model_hash, old.vectors))  # as before 0004
        assert store.vectors(critic.embedder.fingerprint)[saved.id].question is None

    counting = CountingEmbedder(critic.understanding.embedder)
    monkeypatch.setattr(critic.understanding, "embedder", counting)
    monkeypatch.setattr(critic, "embedder", counting)
    with open_store(url) as store:
        StoryBank(store, critic).index()
        assert len(counting.texts) == 1  # the question's probe, once
        filled = store.vectors(critic.embedder.fingerprint)[saved.id].question
        np.testing.assert_allclose(filled, old.question, atol=1e-6)
        counting.texts.clear()
        StoryBank(store, critic).index()
        assert counting.texts == []
