"""Level calibration: scope signals, the level a story reads as, and scope-below-level."""

import time

import pytest

from answer_contexts import make_context as _context
from starcoach.analysis.checks import run_checks
from starcoach.analysis.checks.scope import scope_below_level
from starcoach.analysis.dataset import load_labelled_answers
from starcoach.analysis.scope import (
    SIGNAL_KINDS,
    ScopeAssessment,
    assess_scope,
    find_signals,
    parse_number,
)
from starcoach.errors import InputError
from starcoach.evaluation.scope import evaluate_scope

STAFF_STORY = (
    (
        "situation",
        "As the tech lead for search at a travel marketplace, I saw that four teams each ran "
        "their own ranking service, and nobody knew which one was right.",
    ),
    (
        "task",
        "None of those teams reported to me, but I took on a multi-year plan to move all four "
        "onto one shared ranking platform.",
    ),
    (
        "action",
        "I wrote a design document, got buy-in from the four tech leads one by one, and "
        "presented the trade-offs to our VP of engineering.",
    ),
    ("action", "I mentored two engineers who built the first version with me."),
    (
        "result",
        "Within a year all four teams had moved, saving about $1.2 million a year in serving "
        "costs for our 6 million travellers.",
    ),
)
SOLO_STORY = (
    ("situation", "Last spring our nightly export job kept timing out."),
    ("task", "My manager asked me to fix it before the end of the sprint."),
    (
        "action",
        "I profiled the job, found a slow query, added an index and rewrote the batching.",
    ),
    ("result", "The export went from forty minutes to six and has not failed since."),
    ("reflection", "I learned to measure before I change anything."),
)


def _text(parts: tuple[tuple[str, str], ...]) -> str:
    return " ".join(sentence for _, sentence in parts)


def test_signals_carry_offsets_that_slice_back_to_their_evidence():
    text = (
        "At a 300-person fintech I led a team of eight engineers across three teams. "
        "I persuaded our CTO to fund it, and it saved €300k a year for 2 million users."
    )
    signals = find_signals(text)
    assert signals
    for signal in signals:
        assert signal.kind in SIGNAL_KINDS
        assert text[signal.start : signal.end] == signal.evidence
        assert 1 <= signal.rank <= 5
    kinds = {s.kind for s in signals}
    assert {"team-size", "teams", "org-reach", "money", "users", "influence"} <= kinds
    led = next(s for s in signals if s.evidence == "team of eight engineers")
    assert led.note == "people led" and led.weight == 1.0
    company = next(s for s in signals if s.evidence.startswith("300-person"))
    assert company.note.startswith("organisation size") and company.weight < led.weight


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("8", 8),
        ("9,000", 9_000),
        ("1.5 million", 1_500_000),
        ("300k", 300_000),
        ("five", 5),
        ("twenty five", 25),
        ("two hundred thousand", 200_000),
        ("a dozen", 12),
        ("dozens of", 24),
    ],
)
def test_numbers_are_read_as_written(written, value):
    assert parse_number(written) == value


def test_company_size_weighs_less_than_people_led():
    context = find_signals("I joined a 40-person startup as its first data engineer.")
    led = find_signals("I led 40 people through the migration.")
    (company,) = [s for s in context if s.kind == "team-size"]
    (people,) = [s for s in led if s.kind == "team-size"]
    assert company.rank < people.rank and company.weight < people.weight


def test_someone_elses_mentor_and_being_convinced_are_not_signals():
    signals = find_signals("My mentor asked me to look at it, and I was convinced it was a bug.")
    assert not [s for s in signals if s.kind in ("mentoring", "influence")]


def test_users_hit_by_an_incident_count_less_than_users_at_stake():
    (owned,) = find_signals("The service I own serves 5 million users.")
    (hit,) = find_signals("The outage affected 5 million users.")
    assert hit.rank < owned.rank


def test_a_staff_scope_story_meets_staff():
    assessment = assess_scope(_text(STAFF_STORY), "staff")
    assert assessment.shown_level in ("staff", "principal")
    assert assessment.gap == 0 and assessment.score == 100 and assessment.advice == ()


def test_a_single_person_task_is_below_senior_with_advice():
    assessment = assess_scope(_text(SOLO_STORY), "senior")
    assert assessment.shown_level in ("junior", "mid")
    assert assessment.gap >= 1 and assessment.target_level == "senior"
    assert 0 <= assessment.score < 100
    assert assessment.advice and all(a.endswith(".") for a in assessment.advice)


def test_advice_names_what_the_target_level_needs():
    advice = " ".join(assess_scope(_text(SOLO_STORY), "staff").advice)
    assert "teams" in advice and "authority" in advice


def test_without_a_target_the_assessment_only_reads_the_level():
    assessment = assess_scope(_text(SOLO_STORY))
    assert assessment.target_level is None and assessment.gap == 0
    as_dict = assessment.to_dict()
    assert set(as_dict) == {"signals", "shown_level", "target_level", "gap", "score", "advice"}
    assert isinstance(assessment, ScopeAssessment)


@pytest.mark.parametrize(
    ("alias", "level"), [("L6", "staff"), ("E5", "senior"), ("e7", "principal"), ("L4", "mid")]
)
def test_level_aliases_resolve(alias, level):
    assert assess_scope(_text(SOLO_STORY), alias).target_level == level


def test_an_unknown_level_is_an_input_error():
    with pytest.raises(InputError, match="level"):
        assess_scope(_text(SOLO_STORY), "L99")
    with pytest.raises(InputError):
        scope_below_level(_context(*SOLO_STORY, level="wizard"))


def test_the_check_fires_with_a_level_and_not_without():
    assert scope_below_level(_context(*SOLO_STORY)) == []
    (found,) = scope_below_level(_context(*SOLO_STORY, level="L6"))
    assert found.code == "scope-below-level" and found.severity == "warning"
    assert "staff" in found.message and "teams" in found.message
    assert found.evidence.startswith("story reads as ") and "staff stories" in found.evidence
    codes = {f.code for f in run_checks(_context(*SOLO_STORY, level="staff"))}
    assert "scope-below-level" in codes


def test_the_check_is_quiet_when_the_story_has_the_scope():
    assert scope_below_level(_context(*STAFF_STORY, level="staff")) == []
    assert scope_below_level(_context(*SOLO_STORY, level="mid")) == []


def test_the_evidence_quotes_the_scope_found():
    parts = (*SOLO_STORY, ("action", "I worked on a team of four and paired with our designer."))
    (found,) = scope_below_level(_context(*parts, level="principal"))
    assert "“team of four”" in found.evidence


def test_assessing_a_400_word_answer_takes_well_under_a_millisecond():
    words = _text(STAFF_STORY + SOLO_STORY).split()
    text = " ".join((words * (400 // len(words) + 1))[:400])
    assess_scope(text, "staff")
    runs = 50
    start = time.perf_counter()
    for _ in range(runs):
        assess_scope(text, "staff")
    assert (time.perf_counter() - start) / runs < 0.003  # generous for slow CI machines


def test_evaluate_scope_on_the_labelled_answers():
    answers = load_labelled_answers()
    report = evaluate_scope(answers)
    assert report.answers == len(answers)
    for figure in (report.exact, report.within_one, report.recall, report.false_alarm_rate):
        assert figure is not None and 0.0 <= figure <= 1.0
    assert report.exact <= report.within_one
    assert sum(sum(row.values()) for row in report.confusion.values()) == len(answers)
    assert report.to_dict()["below_level_recall_judged"] == report.recall_judged
