"""Coverage: the stories × principles matrix, gaps, overused stories, readiness, level."""

from __future__ import annotations

import numpy as np
import pytest

from starcoach.analysis.critique import Critic
from starcoach.errors import InputError
from starcoach.evaluation.match import critique_stories, load_match_stories
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.matching.coverage import MIN_STRONG_STORIES, OVERUSED_AT, STRONG, coverage
from starcoach.matching.stories import IndexedStory, StoryIndex

# Cost cutting (frugality), mentoring, a designer conflict, an outage, a junior's quick fix.
BANK = ("ms-05", "ms-07", "ms-13", "ms-01", "ms-17")


@pytest.fixture(scope="module")
def items(understanding) -> list[IndexedStory]:
    stories, _ = load_match_stories()
    chosen = [s for s in stories if s.tags[0] in BANK]
    return critique_stories(chosen, Critic(understanding=understanding))


def by_tag(items, tag):
    return next(i for i, item in enumerate(items) if item.story.tags == (tag,))


def test_gap_listed_when_only_one_story_shows_a_principle(items, kb, understanding):
    report = coverage(StoryIndex.build(items, understanding), kb, company="amazon")
    gaps = {g.principle: g for g in report.gaps}
    assert "frugality" in gaps
    frugality = gaps["frugality"]
    assert frugality.strong == (items[by_tag(items, "ms-05")].story.id,)
    assert frugality.message.startswith("Only ‘Cutting our cloud bill")
    # A principle nobody shows is a gap with no strong story at all.
    assert gaps["think-big"].strong == ()
    assert gaps["think-big"].message.startswith("No story shows Think Big")
    # Every principle with two strong stories or more is not a gap.
    for principle in report.principles:
        assert (principle in gaps) == (len(report.strong_stories(principle)) < MIN_STRONG_STORIES)


def test_strength_is_bounded_and_follows_confirmation_and_quality(items, kb, understanding):
    index = StoryIndex.build(items, understanding)
    report = coverage(index, kb)
    assert report.strength.shape == (len(items), len(PRINCIPLE_IDS))
    assert ((report.strength >= 0) & (report.strength <= 1)).all()
    cost = by_tag(items, "ms-05")
    assert report.strength[cost, PRINCIPLE_IDS.index("frugality")] >= STRONG

    item = items[cost]
    untagged = IndexedStory(item.story.with_changes(principles=()), item.vectors)
    poor = IndexedStory(
        item.story.with_changes(critique={**item.story.critique, "score": 20}), item.vectors
    )
    column = PRINCIPLE_IDS.index("invent-and-simplify")  # confirmed, but not its main principle
    base = coverage(StoryIndex.build([item], understanding), kb).strength[0, column]
    assert coverage(StoryIndex.build([untagged], understanding), kb).strength[0, column] < base
    assert coverage(StoryIndex.build([poor], understanding), kb).strength[0, column] < base


def test_story_strong_for_many_principles_is_overused(items, kb, understanding):
    many = PRINCIPLE_IDS[:OVERUSED_AT]
    first = IndexedStory(items[0].story.with_changes(principles=many), items[0].vectors)
    report = coverage(StoryIndex.build([first, *items[1:]], understanding), kb)
    overused = {o.title: o for o in report.overused}
    assert first.story.title in overused
    assert set(many) <= set(overused[first.story.title].principles)
    assert "told only once" in overused[first.story.title].message


def test_readiness_per_company_and_focus_principles(items, kb, understanding):
    index = StoryIndex.build(items, understanding)
    report = coverage(index, kb, company="meta")
    assert set(report.readiness) == {c.id for c in kb.companies}
    assert report.principles == kb.company("meta").principles
    assert len(report.readiness["amazon"].principles) == 16
    for readiness in report.readiness.values():
        assert 0 <= readiness.score <= 100
    smaller = coverage(StoryIndex.build(items[:2], understanding), kb)
    assert smaller.readiness["amazon"].score <= report.readiness["amazon"].score
    data = report.to_dict()
    assert len(data["matrix"]) == len(items)
    assert all(len(row) == len(report.principles) for row in data["matrix"])
    assert data["company"] == "meta" and data["strong_threshold"] == STRONG


def test_level_lowers_stories_below_its_scope(items, kb, understanding):
    index = StoryIndex.build(items, understanding)
    plain = coverage(index, kb)
    staff = coverage(index, kb, level="L6")
    junior = by_tag(items, "ms-17")
    assert staff.level == "staff"
    assert staff.strength[junior].max() < plain.strength[junior].max()
    assert np.all(staff.strength <= plain.strength + 1e-6)
    rows = {row["title"]: row for row in staff.scope}
    assert rows[items[junior].story.title]["gap"] > 0


def test_unknown_company_or_level_is_an_input_error(items, kb, understanding):
    index = StoryIndex.build(items, understanding)
    with pytest.raises(InputError, match="Unknown company 'amazn'"):
        coverage(index, kb, company="amazn")
    with pytest.raises(InputError, match="Unknown level"):
        coverage(index, kb, level="wizard")


def test_empty_bank_is_all_gaps(kb, understanding):
    report = coverage(StoryIndex.build([], understanding), kb, company="google")
    assert [g.principle for g in report.gaps] == list(kb.company("google").principles)
    assert report.readiness["google"].score == 0
