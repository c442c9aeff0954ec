"""Latency of question → story matching over a bank of 1,000 stories (issue 4: ≤ 20 ms).

The bank is synthesised from the evaluation stories (``eval/data/match_stories.yaml``):
each is critiqued once, then copied 25 times with its sentence vectors perturbed by small
Gaussian noise (renormalised), so the 1,000 stories are distinct but as long and as
realistic as real ones. Building the index is timed separately from matching, twice:
``build_s`` embeds the 1,000 written-for questions (``Story.question``) in one batch, as
:meth:`StoryIndex.build` does when the bank stores no vector for them;
``build_stored_s`` is the same build with those vectors given (as a bank that stored
them would). Both include the hub statistics over the reference questions. A match
(``p50_ms``) includes embedding the question, as ``starcoach match`` does, and is split
into the embedding (``embed_p50_ms``: the question and its probe, one model call) and the
ranking over the 1,000 stories with reasons (``rank_p50_ms``).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

BANK_SIZE = 1000
QUESTIONS = 50
NOISE = 0.02


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def synthetic_bank(n: int = BANK_SIZE, seed: int = 0) -> tuple[list[object], list[str]]:
    """``n`` indexed stories copied from the evaluation set, and its questions."""
    from starcoach.analysis.critique import Critic
    from starcoach.evaluation.match import critique_stories, load_match_stories
    from starcoach.matching.stories import IndexedStory

    stories, questions = load_match_stories()
    base = critique_stories(stories, Critic())
    rng = np.random.default_rng(seed)
    items = []
    for k in range(n):
        item = base[k % len(base)]
        vectors = item.vectors + rng.normal(0, NOISE, item.vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        copy = k // len(base)
        story = item.story.with_changes(
            id=k + 1,
            title=f"{item.story.title} ({copy})",
            question=f"{item.story.question} ({copy})" if item.story.question else None,
        )
        items.append(IndexedStory(story, vectors))
    return items, [text for _, text, _ in questions]


def bench_match_in_process() -> dict[str, float]:
    from starcoach.matching.stories import IndexedStory, StoryIndex
    from starcoach.matching.understanding import get_understanding

    understanding = get_understanding()
    items, questions = synthetic_bank()
    start = time.perf_counter()
    index = StoryIndex.build(items, understanding)
    build_s = time.perf_counter() - start
    stored = [
        IndexedStory(item.story, item.vectors, index.question_vectors[k])
        for k, item in enumerate(items)
    ]
    start = time.perf_counter()
    StoryIndex.build(stored, understanding)
    build_stored_s = time.perf_counter() - start
    questions = questions[:QUESTIONS]
    index.match(questions[0])  # warm-up
    timings, scoring = [], []
    for text in questions:
        start = time.perf_counter()
        index.match(text)
        timings.append((time.perf_counter() - start) * 1000)
    embedding = []
    for text in questions:
        start = time.perf_counter()
        index.embed([text])
        embedding.append((time.perf_counter() - start) * 1000)
    embedded = index.embed(questions)
    for row in range(len(questions)):
        one = type(embedded)(
            embedded.texts[row : row + 1],
            embedded.probes[row : row + 1],
            embedded.probabilities[row : row + 1],
        )
        start = time.perf_counter()
        index.match_many(one)
        scoring.append((time.perf_counter() - start) * 1000)
    return {
        "stories": len(index),
        "sentences": int(index.sentence_matrix.shape[0]),
        "build_s": build_s,
        "build_stored_s": build_stored_s,
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 95),
        "embed_p50_ms": statistics.median(embedding),
        "rank_p50_ms": statistics.median(scoring),
        "rank_p95_ms": percentile(scoring, 95),
    }


if __name__ == "__main__":
    for key, value in bench_match_in_process().items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
