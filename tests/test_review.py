"""The review schedule's pure logic: score → FSRS rating, card updates, the daily plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from starcoach.errors import InputError
from starcoach.practice import review as rv

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Answer:
    principles: tuple[str, ...]
    score: int | None
    created_at: datetime
    follow_up_of: int | None = None


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0, "Again"),
        (49, "Again"),
        (50, "Hard"),
        (69, "Hard"),
        (70, "Good"),
        (84, "Good"),
        (85, "Easy"),
        (100, "Easy"),
    ],
)
def test_score_to_rating_table(score, rating):
    assert rv.rating_name(score) == rating
    assert rv.rating_for(score) is Rating[rating]


@pytest.mark.parametrize("bad", [-1, 101, 50.5, True, None, "70"])
def test_bad_scores_are_input_errors(bad):
    with pytest.raises(InputError, match="0 to 100"):
        rv.rating_name(bad)


def _card(score, when=T0, card=None, qid="own-001", principle="ownership"):
    return rv.review(
        card, question_id=qid, question="Q?", principle=principle, score=score, when=when
    )


def test_a_failed_answer_comes_back_tomorrow_a_strong_one_much_later():
    failed = _card(30)
    strong = _card(95)
    assert failed.reviews == 1 and failed.last_score == 30 and failed.rating == "Again"
    assert timedelta(hours=20) <= failed.due - T0 <= timedelta(days=2)
    assert strong.due - T0 >= timedelta(days=7)
    assert failed.created_at == T0 and failed.question_key == "own-001"
    assert rv.check_card_data(failed.card)["due"] == failed.due.isoformat()


def test_good_answers_stretch_the_interval_and_a_failure_shrinks_it():
    card = _card(75)
    intervals = []
    for _ in range(3):
        gap = card.due - card.updated_at
        intervals.append(gap)
        card = _card(75, when=card.due, card=card)
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    assert card.reviews == 4 and card.created_at == T0
    before = card.due - card.updated_at
    failed = _card(20, when=card.due, card=card)
    assert failed.due - failed.updated_at < before


def test_an_answer_saved_out_of_order_does_not_travel_back():
    card = _card(80)
    older = _card(40, when=T0 - timedelta(days=3), card=card)
    assert older.updated_at == T0 and older.reviews == 2


def test_review_refuses_naive_times():
    with pytest.raises(InputError, match="timezone"):
        _card(50, when=datetime(2026, 1, 1))


def test_question_key_is_the_id_or_a_hash_of_the_text():
    assert rv.question_key("dd-003", "anything") == "dd-003"
    key = rv.question_key(None, "Tell me  about a time…")
    assert key.startswith("text:") and len(key) <= rv.KEY_LENGTH
    assert key == rv.question_key(None, "tell me about a TIME…")
    with pytest.raises(InputError):
        rv.question_key(None, "   ")


def test_damaged_card_json_is_an_input_error():
    with pytest.raises(InputError, match="damaged"):
        rv.check_card_data({"state": 2})
    with pytest.raises(InputError, match="object"):
        rv.check_card_data([1, 2])


def test_principle_strength_is_the_mean_of_recent_main_answers():
    answers = [
        Answer(("dive-deep",), s, T0 + timedelta(hours=i))
        for i, s in enumerate([10, 10, 80, 80, 80, 80, 80])
    ]
    answers.append(Answer(("dive-deep",), 0, T0 + timedelta(days=2), follow_up_of=1))
    answers.append(Answer(("dive-deep", "ownership"), None, T0))
    strengths = rv.principle_strengths(answers)
    assert set(strengths) == {"dive-deep"}
    strength = strengths["dive-deep"]
    assert strength.answers == 7 and strength.recent_mean == 80
    assert strength.last_practised == T0 + timedelta(hours=6)


def test_plan_puts_due_cards_of_weak_principles_first_then_new_principles(kb):
    cards = [
        _card(60, qid="own-001", principle="ownership"),
        _card(65, qid="dd-001", principle="dive-deep"),
        _card(40, qid="et-001", principle="earn-trust"),
        _card(97, qid="dr-001", principle="deliver-results"),  # due in weeks
    ]
    strengths = rv.principle_strengths(
        [
            Answer(("ownership",), 30, T0),  # the weakest principle, though its card scored 60
            Answer(("dive-deep",), 65, T0),
            Answer(("earn-trust",), 40, T0),
            Answer(("deliver-results",), 97, T0),
        ]
    )
    cutoff = T0 + timedelta(days=3)
    plan = rv.plan_review(kb, cards, strengths, cutoff, limit=5)
    assert [i.question_id for i in plan[:3]] == ["own-001", "et-001", "dd-001"]
    assert all(i.kind == "due" for i in plan[:3])
    assert plan[0].principle_score == 30 and "Hard" in plan[0].reason
    new = plan[3:]
    assert len(new) == 2 and all(i.kind == "new" and i.due is None for i in new)
    practised = {"ownership", "dive-deep", "earn-trust", "deliver-results"}
    assert not {i.principle for i in new} & practised
    assert [i.principle for i in new] == [p.id for p in kb.principles if p.id not in practised][:2]
    for item in new:
        assert kb.question(item.question_id).primary == item.principle
    assert rv.plan_review(kb, cards, strengths, cutoff, limit=5) == plan  # same day, same plan
    json_ready = [i.to_dict() for i in plan]
    assert json_ready[0]["last_rating"] == "Hard" and json_ready[3]["due"] is None

    only_due = rv.plan_review(kb, cards, strengths, cutoff, limit=5, include_new=False)
    assert [i.kind for i in only_due] == ["due"] * 3
    assert len(rv.plan_review(kb, cards, strengths, cutoff, limit=2)) == 2
    assert rv.plan_review(kb, cards, strengths, T0, limit=2)[0].kind == "new"  # nothing due yet


def test_plan_with_no_history_starts_with_the_first_principles(kb):
    plan = rv.plan_review(kb, [], {}, T0, limit=3)
    assert [i.principle for i in plan] == [p.id for p in kb.principles[:3]]


@pytest.mark.parametrize("bad", [0, -2, True])
def test_plan_limit_must_be_positive(kb, bad):
    with pytest.raises(InputError, match="limit"):
        rv.plan_review(kb, [], {}, T0, limit=bad)


def test_due_cutoff_is_the_end_of_the_local_day():
    now = datetime.now(UTC)
    cutoff = rv.due_cutoff(now=now)
    assert now < cutoff <= now + timedelta(days=1)
    assert cutoff.astimezone().hour == 0 and cutoff.astimezone().minute == 0
    later = rv.due_cutoff(now.astimezone().date() + timedelta(days=2), now=now)
    assert later - cutoff == timedelta(days=2) or abs(later - cutoff - timedelta(days=2)) <= (
        timedelta(hours=1)  # a daylight-saving change in between
    )
