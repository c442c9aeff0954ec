"""Relevance: does the answer answer the question? Blend, checks, threshold rule, model."""

from __future__ import annotations

import numpy as np
import pytest

from answer_contexts import make_context
from starcoach.analysis.checks.relevance import (
    MISMATCH_RELEVANCE,
    OFF_TOPIC_RELEVANCE,
    off_topic,
    principle_mismatch,
)
from starcoach.analysis.critique import Critic
from starcoach.analysis.relevance import (
    SIMILARITY_WEIGHT,
    PrincipleFit,
    blend_relevance,
    principle_fit,
    question_similarity,
)
from starcoach.analysis.scoring import CAPS, score_answer
from starcoach.evaluation.critique import _highest_threshold

IDS = [f"p{i}" for i in range(6)]
NAMES = [f"Principle {i}" for i in range(6)]


def _fit(story: list[float], question: list[float], similarity: float | None):
    return principle_fit(np.array(story), np.array(question), IDS, NAMES, similarity)


def test_relevance_is_the_overlap_without_a_similarity():
    fit = _fit([0.5, 0.1, 0.1, 0.1, 0.1, 0.1], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1], None)
    assert fit.relevance == pytest.approx(1.0)
    assert fit.overlap == pytest.approx(1.0)
    assert fit.similarity is None


def test_relevance_blends_overlap_and_similarity():
    fit = _fit([0.1, 0.5, 0.1, 0.1, 0.1, 0.1], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1], 0.4)
    overlap = (0.05 + 0.05 + 4 * 0.01) / (0.25 + 5 * 0.01)
    assert fit.overlap == pytest.approx(overlap)
    assert fit.relevance == pytest.approx(
        (overlap + SIMILARITY_WEIGHT * 0.4) / (1 + SIMILARITY_WEIGHT)
    )
    # A story as close to the question's words scores higher than one that is not.
    assert blend_relevance(overlap, 0.4) > blend_relevance(overlap, 0.1)


def test_question_similarity_is_a_cosine_clipped_at_zero():
    story = np.array([3.0, 4.0, 0.0])
    assert question_similarity(story, np.array([3.0, 4.0, 0.0])) == pytest.approx(1.0)
    assert question_similarity(story, np.array([4.0, -3.0, 0.0])) == pytest.approx(0.0)
    assert question_similarity(story, -story) == 0.0
    assert question_similarity(np.zeros(3), story) == 0.0


STORY_PARTS = (
    ("situation", "I was a backend engineer on the billing team."),
    ("action", "I rewrote the invoice job and tested it for a week."),
    ("result", "Invoices went out two days earlier every month."),
)


def _context(relevance_parts: tuple[float, float], story_first: int):
    """A context whose story ranks principle ``story_first`` first; p0, what the question
    probes, comes last unless it is ``story_first``."""
    story = [0.02, 0.12, 0.12, 0.12, 0.12, 0.12]
    story[story_first] = 0.5
    fit = _fit(story, [0.75, 0.05, 0.05, 0.05, 0.05, 0.05], None)
    overlap, similarity = relevance_parts
    fit = PrincipleFit(
        fit.story, fit.question, blend_relevance(overlap, similarity), overlap, similarity
    )
    return make_context(*STORY_PARTS, question="Q?", fit=fit)


def test_a_far_answer_is_off_topic_and_mismatched_and_capped():
    context = _context((0.02, 0.05), story_first=2)
    assert context.fit.relevance < OFF_TOPIC_RELEVANCE
    findings = off_topic(context) + principle_mismatch(context)
    assert [f.code for f in findings] == ["off-topic", "principle-mismatch"]
    assert "similarity 0.05" in findings[0].evidence
    assert score_answer(context, findings).total <= CAPS["off-topic"]


def test_a_story_in_the_band_between_the_thresholds_is_only_mismatched(monkeypatch):
    # The rule may pick equal thresholds (no band); the checks must still keep one apart
    # from the other when it picks a band.
    import starcoach.analysis.checks.relevance as relevance_checks

    monkeypatch.setattr(relevance_checks, "OFF_TOPIC_RELEVANCE", 0.15)
    monkeypatch.setattr(relevance_checks, "MISMATCH_RELEVANCE", 0.20)
    context = _context((0.175, 0.175), story_first=3)  # the blend of equal parts
    assert 0.15 <= context.fit.relevance < 0.20
    assert off_topic(context) == []
    assert [f.code for f in principle_mismatch(context)] == ["principle-mismatch"]


def test_no_mismatch_when_the_story_ranks_the_target_high_or_relevance_is_fine():
    assert principle_mismatch(_context((0.05, 0.05), story_first=0)) == []
    assert principle_mismatch(_context((0.6, 0.4), story_first=3)) == []
    assert off_topic(_context((0.6, 0.4), story_first=3)) == []


def test_relevance_checks_stay_silent_without_a_question():
    context = make_context(*STORY_PARTS)
    assert off_topic(context) == [] and principle_mismatch(context) == []


def test_threshold_rule_keeps_false_alarms_within_budget():
    values = [0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90, 0.95]
    threshold = _highest_threshold(values, 0.1)
    assert sum(v < threshold for v in values) == 1
    assert threshold == pytest.approx(0.20)
    assert sum(v < _highest_threshold(values, 0.0) for v in values) == 0
    assert _highest_threshold(values, 1.0) == 1.0


# End to end with the real model: answers written for this test, not from the dataset.

DEPLOY_STORY = (
    "Two years ago I was a backend engineer at a parcel delivery company, and our route "
    "planning service crashed about twice a week when the morning batch of orders arrived. "
    "I was asked to make it stable before the peak season, which gave me six weeks. "
    "I went through the crash dumps and found that the service loaded every route for the "
    "whole country into memory at once. "
    "I changed it to stream the routes region by region and added a memory limit alarm, and "
    "I load-tested it with three times the normal morning volume. "
    "I then rolled it out to one region at a time over two weeks. "
    "After the change the service had no crashes for five months, and planning for the "
    "morning batch finished 40 minutes earlier. "
    "I learned to look at the memory profile before adding more servers."
)
MATCHING_QUESTION = "Tell me about a time you fixed a reliability problem in a system you owned."
OTHER_QUESTION = "Tell me about a time you disagreed with your manager and how you handled it."
SELF_INTRODUCTION = (
    "Sure, a bit about me first. I studied mathematics and then moved into software, and I "
    "have worked at two startups and one large bank. I enjoy learning new languages and I am "
    "very passionate about clean code. My friends would describe me as reliable and curious. "
    "I am excited about this role because I love your product and your engineering culture."
)


@pytest.fixture(scope="module")
def critic(understanding) -> Critic:
    return Critic(understanding=understanding)


def test_a_story_that_answers_its_question_is_not_flagged(critic):
    result = critic.critique(DEPLOY_STORY, MATCHING_QUESTION)
    codes = {f.code for f in result.findings}
    assert not codes & {"off-topic", "principle-mismatch"}
    assert result.fit is not None and result.fit.relevance is not None
    assert result.fit.relevance >= MISMATCH_RELEVANCE


def test_the_same_story_told_to_another_question_is_off_topic_and_capped(critic):
    matched = critic.critique(DEPLOY_STORY, MATCHING_QUESTION)
    other = critic.critique(DEPLOY_STORY, OTHER_QUESTION)
    assert other.fit.relevance < matched.fit.relevance
    assert {"off-topic", "principle-mismatch"} <= {f.code for f in other.findings}
    assert other.score.total <= CAPS["off-topic"] < matched.score.total


def test_a_self_introduction_reads_as_less_relevant_than_a_story_and_scores_low(critic):
    # Not every self-introduction falls under the off-topic line (this one does not); it
    # must still read as less relevant than a story that answers, and score low.
    intro = critic.critique(SELF_INTRODUCTION, OTHER_QUESTION)
    story = critic.critique(DEPLOY_STORY, MATCHING_QUESTION)
    assert intro.fit.relevance < story.fit.relevance
    assert intro.score.total <= CAPS["missing-action"]
