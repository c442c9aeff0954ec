"""A follow-up reply is judged by the gap it closes and the story told with it."""

from __future__ import annotations

import pytest

from starcoach.practice.drill import Drill
from starcoach.practice.followup_assessment import assess_follow_up
from starcoach.practice.followups import FollowUp, FollowUpEngine

QUESTION = "Tell me about a time you took ownership of a problem outside your area."
NO_NUMBERS = (
    "Last spring at a payments startup our nightly billing export kept failing and nobody "
    "owned it after its author left. I was a backend engineer on another team, but merchants "
    "depended on those invoices, so I took it on. I added alerts on the job, traced the "
    "failures to a timeout in one slow query, rewrote the query with an index and wrote a "
    "runbook so anyone on call could rerun it. After that the export stopped failing and "
    "support was much happier. I learned to treat orphaned jobs as my problem."
)
MEASURE = FollowUp("How did you measure that it worked?", "no-metrics")


@pytest.fixture(scope="module")
def critic(understanding, kb):
    from starcoach.analysis.critique import Critic

    return Critic(understanding=understanding, knowledge=kb)


@pytest.fixture(scope="module")
def first(critic):
    critique = critic.critique(NO_NUMBERS, QUESTION).to_dict()
    assert "no-metrics" in {f["code"] for f in critique["findings"]}
    return critique


def test_a_reply_with_the_missing_number_closes_the_gap(critic, first):
    reply = (
        "I counted failed runs in the scheduler: the export failed nine times in the month "
        "before and zero times in the eight months after, and invoice tickets fell from 30 "
        "a month to 2."
    )
    judged = assess_follow_up(critic, QUESTION, NO_NUMBERS, first, MEASURE, reply).assessment
    assert judged.gap == "no-metrics" and judged.closed is True and judged.substantive
    assert judged.score_before == first["score"]
    assert judged.score_after >= judged.score_before  # both capped as too short
    assert "closes the gap" in judged.note and str(judged.score_after) in judged.note


def test_a_reply_without_a_number_leaves_the_gap_open(critic, first):
    reply = "We looked at the dashboards and the team agreed that it was clearly much better."
    judged = assess_follow_up(critic, QUESTION, NO_NUMBERS, first, MEASURE, reply).assessment
    assert judged.closed is False and judged.substantive
    assert judged.note.startswith("Still open (no-metrics)")


def test_a_thin_or_garbled_reply_closes_nothing(critic, first):
    for reply in ("Yes, it did.", "asdkj qwpeo zzxnv mnbvq lkjhg poiuy trewq"):
        judged = assess_follow_up(critic, QUESTION, NO_NUMBERS, first, MEASURE, reply).assessment
        assert judged.substantive is False and judged.closed is False
        assert "too short to judge" in judged.note


def test_a_deeper_probe_has_no_gap_and_reports_the_story_told_with_it(critic, first):
    probe = FollowUp("What was the hardest part of finding the slow query?", "question")
    reply = (
        "The hardest part was that the timeout only happened under month-end load, so I "
        "replayed a month-end night against a staging copy until the query plan showed it."
    )
    result = assess_follow_up(critic, QUESTION, NO_NUMBERS, first, probe, reply)
    assert result.assessment.gap is None and result.assessment.closed is None
    assert result.assessment.note.startswith("Answered;")
    # The reply's own critique keeps offsets into the reply, and carries the assessment.
    sentences = result.critique["sentences"]
    assert sentences and sentences[-1]["end"] <= len(reply)
    assert result.critique["follow_up"] == result.assessment.to_dict()


def test_a_reply_is_its_own_turn_and_does_not_relabel_the_answer(critic, first):
    from starcoach.analysis.critique import CritiqueRequest

    reply = "I counted failed runs: nine in the month before, none in the eight months after."
    opening = NO_NUMBERS + "\n\n"
    together = critic.critique_many(
        [CritiqueRequest(opening + reply, QUESTION, turns=(len(opening),))]
    )[0].to_dict()
    before = [s["section"] for s in first["sentences"]]
    after = [s["section"] for s in together["sentences"]]
    assert after[: len(before)] == before  # the lesson stays a lesson
    assert len(after) == len(before) + 1
    assert together["dimensions"]["impact"] > first["dimensions"]["impact"]


def test_a_drill_scores_a_follow_up_by_the_story_told_with_it(kb, critic):
    question = kb.question("own-001")
    drill = Drill(question, critic, FollowUpEngine(kb))
    result = drill.answer(NO_NUMBERS, seconds=60)
    reply = "I measured it from the scheduler: nine failed runs a month before, none after."
    answered = drill.answer_follow_up(0, reply, 15)
    judged = answered.critique["follow_up"]
    assert answered.score == judged["score_after"]
    assert judged["score_before"] == result.score
    # The reply alone reads as far too short a story; the saved score is not that.
    assert answered.critique["score"] < answered.score


def test_turn_rows_groups_sentences_by_turn():
    from starcoach.analysis.critique import turn_rows
    from starcoach.nlp.sentences import split_sentences

    text = "First point. Second point.\n\nA reply. Another reply."
    spans = split_sentences(text)
    assert turn_rows(spans, ()) == [[0, 1, 2, 3]]
    assert turn_rows(spans, (text.index("A reply"),)) == [[0, 1], [2, 3]]
