"""Each check on small answers built by hand, with sections given explicitly."""

import pytest

from answer_contexts import make_context as _context
from starcoach.analysis.checks import REGISTRY, run_checks
from starcoach.analysis.context import AnswerContext, Thresholds
from starcoach.analysis.findings import FINDING_CODES
from starcoach.analysis.star import LabelledSentence


def _codes(context: AnswerContext) -> set[str]:
    return {f.code for f in run_checks(context)}


STORY = (
    (
        "situation",
        "Last spring I was the on-call lead for the payments API at a 40-person startup.",
    ),
    ("task", "I owned getting checkout errors back under our 0.1% target before the holiday sale."),
    ("action", "I traced the errors to a retry storm by reading the gateway logs for two nights."),
    (
        "action",
        "I added jittered backoff to our client and wrote a load test that reproduced the storm.",
    ),
    (
        "action",
        "I walked the two other engineers through the change and we rolled it out region by region.",
    ),
    ("result", "Errors fell from 2.3% to 0.04% and the sale processed $1.2M without an incident."),
    (
        "reflection",
        "I learned to load-test retry paths, and I now add backoff to every client I write.",
    ),
)


def test_registry_uses_only_contract_codes_and_documents_each_check():
    run_checks(_context(*STORY))  # loads every module
    assert set(REGISTRY) <= set(FINDING_CODES)
    for registered in REGISTRY.values():
        assert registered.explanation and registered.summary
        assert registered.severity in {"error", "warning", "info"}


def test_a_clean_story_has_no_structure_or_ownership_findings():
    codes = _codes(_context(*STORY, thresholds=Thresholds(min_words=50)))
    assert codes == set(), codes


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        ("situation", "missing-situation"),
        ("task", "missing-task"),
        ("action", "missing-action"),
        ("result", "missing-result"),
        ("reflection", "no-reflection"),
    ],
)
def test_a_missing_part_is_reported_with_what_is_missing(drop, code):
    parts = [p for p in STORY if p[0] != drop]
    findings = [f for f in run_checks(_context(*parts)) if f.code == code]
    assert len(findings) == 1 and drop in findings[0].evidence


def test_we_heavy_counts_the_actions():
    parts = [
        p if p[0] != "action" else ("action", "We fixed it and we shipped our patch to us.")
        for p in STORY
    ]
    (found,) = [f for f in run_checks(_context(*parts)) if f.code == "we-heavy"]
    assert "'we'" in found.evidence and "We fixed it" in found.evidence


def test_blame_quotes_the_sentence():
    parts = [
        *STORY,
        ("action", "The outage was the other team's fault because they never tested anything."),
    ]
    (found,) = [f for f in run_checks(_context(*parts)) if f.code == "blame"]
    assert "other team's fault" in found.evidence


def test_length_limits_follow_the_thresholds():
    short = _context(*STORY, thresholds=Thresholds(min_words=500))
    assert "too-short" in _codes(short)
    long = _context(*STORY, thresholds=Thresholds(max_words=40, min_words=10))
    (found,) = [f for f in run_checks(long) if f.code == "too-long"]
    assert "minutes" in found.evidence


def test_long_setup_and_thin_action():
    setup = [
        ("situation", "We were a large team with many legacy systems and many teams. " * 16),
        *list(STORY[1:]),
    ]
    codes = _codes(_context(*setup))
    assert "long-setup" in codes and "thin-action" in codes


def test_fillers_and_hedges_are_rates_not_single_words():
    calm = _context(*STORY, ("other", "I think that's it."))
    assert "hedging" not in _codes(calm) and "filler-words" not in _codes(calm)
    rambling = _context(
        *STORY,
        (
            "action",
            "um so basically i think maybe we sort of um you know probably fixed it i guess um",
        ),
    )
    assert {"hedging", "filler-words"} <= _codes(rambling)


def test_docs_checks_page_is_generated_from_the_registry():
    from pathlib import Path

    from starcoach.analysis.checks import render_markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "checks.md"
    assert page.read_text(encoding="utf-8") == render_markdown(), (
        "docs/checks.md is stale: run python scripts/write_checks_doc.py"
    )


def test_no_metrics_looks_at_the_result_and_accepts_number_words():
    vague_result = [
        p if p[0] != "result" else ("result", "It went much better afterwards.") for p in STORY
    ]
    vague_result = [p for p in vague_result if p[0] != "reflection"]
    (found,) = [f for f in run_checks(_context(*vague_result)) if f.code == "no-metrics"]
    assert "much better" in found.evidence
    worded = [
        p if p[0] != "result" else ("result", "Errors fell by half within two weeks.")
        for p in STORY
    ]
    assert "no-metrics" not in _codes(_context(*worded))


def test_hypothetical_needs_a_conditional_story_not_one_conditional_sentence():
    one = [*STORY, ("reflection", "Next time I would add the load test on day one.")]
    assert "hypothetical" not in _codes(_context(*one))
    story = (
        ("task", "If I were in that situation I would first gather the logs."),
        ("action", "I would then talk to the other team and I'd propose a fix."),
        ("action", "I would roll it out slowly."),
        ("result", "That would probably cut errors a lot."),
    )
    (found,) = [f for f in run_checks(_context(*story)) if f.code == "hypothetical"]
    assert "conditional" in found.evidence


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("", "only 0 words"),
        ("Caching.", "only 1 words"),
        ("asdf qwer zxcv lorem ipsum blorf snark wibble jkjk frobnicate " * 3, "English words"),
        (
            "Hmm, I don't really have an example of that. I mostly worked on tickets that were "
            "assigned to me, so I never talked to customers directly at all.",
            "don't really have",
        ),
    ],
)
def test_not_an_answer(text, evidence):
    context = AnswerContext(
        text, [LabelledSentence(text, 0, len(text), "other", 0.5)] if text else []
    )
    (found,) = [f for f in run_checks(context) if f.code == "not-an-answer"]
    assert evidence in found.evidence


def test_a_real_story_is_an_answer():
    assert "not-an-answer" not in _codes(_context(*STORY))


def test_vague_needs_stock_phrases_and_no_numbers():
    vague_story = (
        ("situation", "We had various issues with things in general."),
        ("action", "I worked hard on a lot of stuff and helped out with various things."),
        ("result", "In the end it made things better overall."),
    )
    (found,) = [f for f in run_checks(_context(*vague_story)) if f.code == "vague"]
    assert "“various”" in found.evidence
    assert "vague" not in _codes(_context(*STORY))
