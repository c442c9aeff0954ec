"""Drills and mock interviews: question choice, the session clock, follow-ups, the report."""

from __future__ import annotations

import json

import pytest

from starcoach.errors import InputError
from starcoach.practice.drill import Drill, pick_question
from starcoach.practice.followups import FollowUpEngine
from starcoach.practice.mock import (
    MIN_SECONDS_TO_ASK,
    ManualClock,
    MockSession,
    ScriptedAnswer,
    find_patterns,
    mock_report,
    parse_scripted_answers,
    plan_mock,
    render_report_html,
    run_scripted,
)

STRONG = (
    "Last spring at a payments startup, our nightly billing export failed about twice a week "
    "and nobody owned it after its author left. I was a backend engineer on another team, but "
    "invoices to 4,000 merchants depended on it, so I took it on. I added alerts on the job, "
    "traced the failures to a timeout in one slow query, rewrote the query with an index and "
    "wrote a runbook so anyone on call could rerun it. The export has not failed in the eight "
    "months since, and support tickets about missing invoices dropped from 30 a month to 2. "
    "I learned to treat orphaned jobs as my problem the day I notice them."
)
WEAK = (
    "We had a big problem with our system at work. We worked hard on it as a team and we "
    "looked at many things. We talked to various people and we made it better in the end. "
    "Everyone was happy and we moved on to other work after that <script>alert('x')</script>."
)


@pytest.fixture(scope="module")
def critic(understanding, kb):
    from starcoach.analysis.critique import Critic

    return Critic(understanding=understanding, knowledge=kb)


# -- choosing questions ------------------------------------------------------------------


def test_pick_question_filters_and_is_reproducible(kb):
    q = pick_question(kb, principle="dive-deep", company="meta", seed=7)
    assert q.primary == "dive-deep" and "meta" in q.companies
    assert q == pick_question(kb, principle="dive-deep", company="meta", seed=7)
    seen = {pick_question(kb, principle="frugality", seed=s).id for s in range(20)}
    assert len(seen) > 3
    senior = pick_question(kb, level="L5", seed=1)
    assert senior.level in (None, "senior")


def test_pick_question_takes_the_first_due_principle_that_fits(kb):
    q = pick_question(kb, due=["think-big", "frugality"], seed=3)
    assert q.primary == "think-big"
    with pytest.raises(InputError, match="principle"):
        pick_question(kb, due=["not-a-principle"])


def test_pick_question_bad_filters_say_what_to_do(kb):
    with pytest.raises(InputError, match="Did you mean 'dive-deep'"):
        pick_question(kb, principle="dive-dep")
    with pytest.raises(InputError, match="company"):
        pick_question(kb, company="initech")


# -- a drill -----------------------------------------------------------------------------


def test_drill_critiques_then_asks_follow_ups_from_the_gaps(kb, critic):
    question = kb.question("own-001")
    drill = Drill(question, critic, FollowUpEngine(kb), level="senior", company="amazon")
    result = drill.answer(WEAK, seconds=95.5)
    reasons = [f.followup.reason for f in result.follow_ups]
    assert 1 <= len(reasons) <= 2
    assert reasons[0] in {"we-heavy", "no-metrics", "vague", "not-an-answer", "off-topic"}
    codes = {f["code"] for f in result.critique["findings"]}
    assert reasons[0] in codes
    answered = drill.answer_follow_up(
        0, "I wrote the query fix myself and cut failures by 90%.", 20
    )
    assert answered.critique is not None and answered.score is not None
    if len(result.follow_ups) > 1:
        skipped = drill.answer_follow_up(1, "   ")
        assert skipped.critique is None and skipped.score is None
    done = drill.finish()
    data = json.loads(json.dumps(done.to_dict()))
    assert data["question"]["id"] == "own-001" and data["seconds"] == 95.5
    assert data["level"] == "senior" and data["follow_ups"][0]["answer"].startswith("I wrote")
    assert data["started_at"] <= data["answered_at"] <= data["ended_at"]
    with pytest.raises(InputError):
        drill.answer("again")


def test_drill_refuses_follow_up_before_answer_and_bad_seconds(kb, critic):
    drill = Drill(kb.question("own-001"), critic, FollowUpEngine(kb))
    with pytest.raises(InputError):
        drill.answer_follow_up(0, "x")
    with pytest.raises(InputError, match="Seconds"):
        drill.answer(STRONG, seconds=-3)


def test_an_empty_answer_scores_low_instead_of_getting_praise(kb, critic):
    drill = Drill(kb.question("own-001"), critic, FollowUpEngine(kb))
    result = drill.answer("", seconds=4, interrupted=True)
    assert result.score <= 10 and result.interrupted
    assert [f.followup.reason for f in result.follow_ups] == ["not-an-answer"]


# -- planning a mock ---------------------------------------------------------------------


def test_plan_covers_distinct_principles_company_first(kb):
    plan = plan_mock(kb, "amazon", 60, "senior", seed=1)
    assert 6 <= len(plan) <= 8
    assert len({q.principle for q in plan}) == len(plan)
    assert all(q.question.primary == q.principle for q in plan)
    assert all(q.question.level in (None, "senior") for q in plan)
    assert sum(q.budget_seconds for q in plan) <= 60 * 60
    assert plan == plan_mock(kb, "amazon", 60, "senior", seed=1)
    bank = plan_mock(kb, "bank", 60, seed=2)
    firm = kb.company("bank")
    assert [q.principle in firm.principles for q in bank][: len(firm.principles)] == [True] * len(
        firm.principles
    )
    assert len(plan_mock(kb, "amazon", 20, seed=1)) == 6
    assert len(plan_mock(kb, "amazon", 180, seed=1)) == 8


@pytest.mark.parametrize(("minutes", "message"), [(5, "20 to 180"), (600, "20 to 180")])
def test_plan_refuses_impossible_lengths(kb, minutes, message):
    with pytest.raises(InputError, match=message):
        plan_mock(kb, "amazon", minutes)


# -- the session clock -------------------------------------------------------------------


def _session(kb, critic, minutes=60, clock=None):
    clock = clock or ManualClock()
    plan = plan_mock(kb, "amazon", minutes, seed=5)
    session = MockSession(
        plan, critic, FollowUpEngine(kb), company="amazon", minutes=minutes, clock=clock
    )
    return session, clock


def test_pause_stops_the_clock_and_answers_are_timed(kb, critic):
    session, clock = _session(kb, critic)
    session.start()
    first = session.next_question()
    clock.advance(60)
    session.pause()
    clock.advance(600)  # a coffee break does not count
    session.resume()
    clock.advance(40)
    answer = session.record_answer(STRONG)
    assert answer.seconds == pytest.approx(100)
    assert session.elapsed == pytest.approx(100)
    assert session.paused_seconds == pytest.approx(600)
    assert answer.item == first
    assert len(answer.follow_ups) == 2  # well ahead of schedule: room for two


def test_never_cut_off_mid_answer_then_wrap_up(kb, critic):
    session, clock = _session(kb, critic, minutes=20)
    session.next_question()
    clock.advance(19 * 60)  # a very long first answer
    answer = session.record_answer(STRONG)
    assert answer.seconds == pytest.approx(19 * 60)  # recorded whole
    assert answer.follow_ups == []  # behind schedule: no follow-ups
    assert session.time_left < MIN_SECONDS_TO_ASK
    assert session.next_question() is None
    assert session.state == "finished" and session.end_reason == "time is up"


def test_time_running_out_during_a_follow_up_still_records_it(kb, critic):
    session, clock = _session(kb, critic, minutes=20)
    session.next_question()
    clock.advance(30)
    answer = session.record_answer(STRONG)
    assert answer.follow_ups
    assert session.next_follow_up() is not None
    clock.advance(25 * 60)
    recorded = session.record_follow_up("I measured it with the support ticket counts, 30 to 2.")
    assert recorded.seconds == pytest.approx(25 * 60)
    assert session.next_follow_up() is None
    assert session.next_question() is None and session.end_reason == "time is up"


def test_state_errors_are_input_errors(kb, critic):
    session, _ = _session(kb, critic)
    with pytest.raises(InputError):
        session.record_answer("x")
    session.next_question()
    with pytest.raises(InputError):
        session.next_question()
    with pytest.raises(InputError):
        session.record_follow_up("x")


# -- scripted runs and the report -------------------------------------------------------


def test_scripted_mock_report_patterns_coverage_and_html(kb, critic):
    session, clock = _session(kb, critic)
    answers = [
        ScriptedAnswer(WEAK if i % 3 else STRONG, 150, (("I did it myself.", 20), ("Later.", None)))
        for i in range(len(session.plan))
    ]
    run_scripted(session, answers, clock)
    assert session.state == "finished" and session.end_reason == "all questions asked"
    report = mock_report(session)
    data = json.loads(json.dumps(report.to_dict()))
    n = len(session.plan)
    assert data["questions_asked"] == n and len(data["answers"]) == n
    assert all(a["seconds"] == 150 for a in data["answers"])
    assert data["interview_seconds"] == pytest.approx(session.final_elapsed, abs=0.1)
    patterns = {p["code"]: p for p in data["patterns"]}
    weak = sum(1 for i in range(n) if i % 3)
    assert patterns["no-metrics"]["count"] >= weak
    assert patterns["no-metrics"]["message"].startswith("no numbers in ")
    assert f"of {n} results" in patterns["no-metrics"]["message"]
    assert "we-heavy" in patterns
    covered = [c for c in data["coverage"] if c["asked"]]
    assert len(covered) == n and len(data["coverage"]) == 16
    assert any(a["follow_ups"] for a in data["answers"])
    # "I did it myself." closes no gap: too thin to judge, and the report says so.
    replies = [f for a in data["answers"] for f in a["follow_ups"] if f["answer"]]
    assert replies and all(f["assessment"]["substantive"] is False for f in replies)
    gaps = [f for f in replies if f["assessment"]["gap"]]
    assert patterns["gaps-left-open"]["count"] == len(gaps) >= 2

    html = render_report_html(report)
    assert "too short to judge" in html
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html  # self-contained
    assert patterns["no-metrics"]["message"] in html.replace("&#34;", '"')
    assert "<style>" in html


def test_answers_running_out_ends_the_mock_early(kb, critic):
    session, clock = _session(kb, critic)
    run_scripted(session, [ScriptedAnswer(STRONG), ScriptedAnswer(STRONG, 100)], clock)
    assert len(session.answers) == 2 and session.end_reason == "the prepared answers ran out"
    assert session.answers[0].seconds == pytest.approx(len(STRONG.split()) * 60 / 150, abs=0.2)
    report = mock_report(session)
    assert report.questions_planned == len(session.plan) and len(report.answers) == 2
    assert find_patterns(session.answers) == list(report.patterns)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", "line 1: not valid JSON"),
        ('{"answer": "a"}\n[1, 2]\n', "line 2: expected an object"),
        ('{"answer": "a", "seconds": -1}', "seconds"),
        ('{"answer": "a", "seconds": true}', "seconds"),
        ('{"answer": "a", "mood": "good"}', "unknown field 'mood'"),
        ('{"answer": "a", "follow_ups": "b"}', "must be a list"),
        ('{"answer": "a", "follow_ups": [3]}', "each follow-up"),
        ('{"answer": "bin\\u0000ary"}', "control characters"),
        ("\n\n", "no answers"),
    ],
)
def test_scripted_answers_bad_input(text, message):
    with pytest.raises(InputError, match=message):
        parse_scripted_answers(text)


def test_scripted_answers_parse():
    parsed = parse_scripted_answers(
        '{"answer": "A", "seconds": 12.5, "follow_ups": ["B", {"answer": "C", "seconds": 3}]}\n\n'
        '{"answer": "D"}\n'
    )
    assert parsed == [
        ScriptedAnswer("A", 12.5, (("B", None), ("C", 3.0))),
        ScriptedAnswer("D"),
    ]
