"""Loop planning: principles spread over interviewers, no story told twice, exact assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from starcoach.analysis.critique import Critic
from starcoach.errors import InputError
from starcoach.evaluation.match import critique_stories, load_match_stories
from starcoach.matching.coverage import coverage
from starcoach.matching.plan import (
    MAX_INTERVIEWERS,
    USABLE,
    assign,
    hungarian,
    plan_loop,
    principle_priority,
)
from starcoach.matching.stories import StoryIndex

BANK = (
    "ms-01",
    "ms-02",
    "ms-03",
    "ms-04",
    "ms-05",
    "ms-07",
    "ms-08",
    "ms-09",
    "ms-10",
    "ms-12",
    "ms-13",
    "ms-17",
    "ms-26",
    "ms-29",
)


@pytest.fixture(scope="module")
def index(understanding) -> StoryIndex:
    stories, _ = load_match_stories()
    chosen = [s for s in stories if s.tags[0] in BANK]
    return StoryIndex.build(
        critique_stories(chosen, Critic(understanding=understanding)), understanding
    )


def test_amazon_loop_gives_each_interviewer_two_or_three_principles_and_distinct_stories(index, kb):
    plan = plan_loop(index, kb, company="amazon", interviewers=4)
    assert len(plan.interviewers) == 4
    principles = [s.principle for i in plan.interviewers for s in i.slots]
    assert all(2 <= len(i.slots) <= 3 for i in plan.interviewers)
    assert len(principles) == len(set(principles)) == 12
    used = plan.stories_used()
    assert len(used) == len(set(used)), "a story is told to two interviewers"
    covered = [s for i in plan.interviewers for s in i.slots if s.story is not None]
    assert all(s.strength >= USABLE for s in covered)
    assert len(plan.unscheduled) == 4
    assert set(principles) | set(plan.unscheduled) == set(kb.company("amazon").principles)
    data = plan.to_dict()
    assert data["stories_used"] == len(used)
    assert all(p["question"] for i in data["interviewers"] for p in i["principles"])


def test_the_most_asked_principles_are_scheduled_first(index, kb):
    order = principle_priority(kb, "amazon")
    plan = plan_loop(index, kb, company="amazon", interviewers=2)
    scheduled = {s.principle for i in plan.interviewers for s in i.slots}
    assert scheduled == set(order[:6])
    assert plan.interviewers[0].slots[0].principle == order[0]


def test_too_few_stories_leaves_principles_uncovered_with_reasons(index, kb, understanding):
    small = StoryIndex.build(index.items[:2], understanding)
    plan = plan_loop(small, kb, company="amazon", interviewers=3)
    assert len(plan.stories_used()) <= 2
    assert len(plan.uncovered) >= 7
    for entry in plan.uncovered:
        assert entry["reason"] and entry["interviewer"] in (1, 2, 3)
        assert "prepare" in entry["reason"]


def test_plan_accepts_a_coverage_report_and_a_level(index, kb):
    report = coverage(index, kb, company="meta", level="senior")
    plan = plan_loop(report, kb, company="meta", interviewers=3, level="senior")
    assert plan.level == "senior" and plan.company == "meta"
    assert len({s.principle for i in plan.interviewers for s in i.slots}) == 7


def test_few_principles_per_interviewer_is_noted(index, kb):
    plan = plan_loop(index, kb, company="meta", interviewers=4)
    assert [len(i.slots) for i in plan.interviewers] == [2, 2, 2, 1]
    assert any("interviewer 4 probes only one" in note for note in plan.notes)


@pytest.mark.parametrize("count", [0, -1, MAX_INTERVIEWERS + 1])
def test_bad_interviewer_counts_are_input_errors(index, kb, count):
    with pytest.raises(InputError, match="between 1 and"):
        plan_loop(index, kb, interviewers=count)


def test_other_bad_input_is_an_input_error(index, kb):
    with pytest.raises(InputError, match="whole number"):
        plan_loop(index, kb, interviewers="4")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="Unknown company 'googel'"):
        plan_loop(index, kb, company="googel")
    with pytest.raises(InputError, match="too few"):
        plan_loop(index, kb, company="meta", interviewers=8)
    with pytest.raises(InputError, match="Unknown level"):
        plan_loop(index, kb, level="E99")


def test_assign_never_reuses_a_story_and_prefers_coverage_over_strength():
    # One excellent story for both principles, and a usable one for the second only.
    strength = np.array([[0.95, 0.0], [0.9, 0.4]])
    assert assign(strength) == [0, 1]
    # Only one usable story: the higher-priority principle gets it.
    assert assign(np.array([[0.8], [0.8]]), priority=np.array([1, 0])) == [None, 0]
    # Below USABLE a principle stays uncovered rather than get a story that does not show it.
    assert assign(np.array([[USABLE - 0.01, 0.9]])) == [1]
    assert assign(np.array([[USABLE - 0.01]])) == [None]
    assert assign(np.zeros((0, 3))) == []


def test_hungarian_is_exact_against_brute_force():
    rng = np.random.default_rng(4)
    for _ in range(200):
        rows = int(rng.integers(1, 5))
        cols = int(rng.integers(rows, 7))
        cost = rng.random((rows, cols)).round(2)
        got = hungarian(cost)
        assert len(set(got)) == rows
        best = min(
            sum(cost[r, p[r]] for r in range(rows))
            for p in itertools.permutations(range(cols), rows)
        )
        assert sum(cost[r, got[r]] for r in range(rows)) == pytest.approx(best)
