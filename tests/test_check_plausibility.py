"""The `implausible-claim` check: each rule fires on impossible figures, and stays silent
on the honest, specific numbers that strong answers are full of."""

import pytest

from answer_contexts import make_context as _context
from starcoach.analysis.checks import REGISTRY, run_checks
from starcoach.analysis.checks.plausibility import (
    implausible_claim,
    organisation_size,
    parse_number,
)
from starcoach.analysis.context import AnswerContext


def _story(*sentences: str) -> AnswerContext:
    return _context(*(("action", s) for s in sentences))


def _found(*sentences: str) -> list:
    return implausible_claim(_story(*sentences))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9,000", 9000),
        ("1.2M", 1.2e6),
        ("2.5 million", 2.5e6),
        ("40k", 40e3),
        ("3bn", 3e9),
        ("three", 3),
        ("twenty-five", 25),
        ("a dozen", 12),
        ("two-million", 2e6),
        ("a billion", 1e9),
        ("three hundred", 300),
        ("1,250.5", 1250.5),
    ],
)
def test_numbers_parse_in_digits_words_and_scales(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_not_a_number():
    assert parse_number("someone") is None


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("I joined a three-person startup in Leeds.", 3),
        ("It was a company of about 12 people.", 12),
        ("We were a small trading firm with 15 employees.", 15),
        ("At our startup we had only eight engineers.", 8),
        ("I worked at a 1,200-person insurance company.", 1200),
        ("I was on a 6-person team at a large bank.", None),
    ],
)
def test_organisation_size(text, size):
    assert organisation_size(text) == size


# --- each rule: positives ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "I cut checkout latency by 150% in the second sprint.",
        "After the rewrite our cloud costs went down 200%.",
        "The new linter gave us a 300% reduction in production bugs.",
        "Build failures dropped by three hundred percent.",
    ],
)
def test_a_cut_of_more_than_100_percent(sentence):
    (found,) = _found(sentence)
    assert "reduction" in found.message and sentence in found.evidence


@pytest.mark.parametrize(
    "sentence",
    [
        "I grew revenue 1000x in a week by redesigning the pricing page.",
        "Signups increased by 20,000% after my change to the landing page.",
        "My feature drove a 1,000x increase in active users.",
        "Sales went up tenfold in one weekend after I fixed the cart.",
        "Our profit rose by 600% within the first month of my launch.",
        "Within three days the team's productivity had gone up 20 times.",
    ],
)
def test_enormous_or_sudden_growth(sentence):
    (found,) = _found(sentence)
    assert "hard to believe" in found.message


def test_sudden_growth_from_a_real_baseline():
    (found,) = _found("Daily users went from 5,000 to 2 million within a week of my release.")
    assert "×400" in found.message and "a week" in found.message


@pytest.mark.parametrize(
    "sentences",
    [
        ("I was the second engineer at a 3-person startup.", "I led a 200-person task force."),
        (
            "It was a company of 12 people that sold scheduling software.",
            "I managed a team of 50 engineers to rebuild the scheduler.",
        ),
        (
            "I was a founding engineer at a twelve-person studio.",
            "I rallied a hundred engineers to fix the release.",
        ),
        (
            "We were a seed-stage startup building a notes app.",
            "I set up a 300-person working group to review every screen.",
        ),
    ],
)
def test_a_group_larger_than_its_organisation(sentences):
    (found,) = _found(*sentences)
    assert "cannot sit in" in found.message and sentences[1] in found.evidence


@pytest.mark.parametrize(
    "sentence",
    [
        "I worked 30 hours a day for two weeks to hit the date.",
        "I was on call eight days a week during the launch.",
        "For three months I put in 120-hour weeks on the migration.",
        "I pulled 26-hour days until the audit was done.",
    ],
)
def test_time_that_does_not_exist(sentence):
    (found,) = _found(sentence)
    assert sentence in found.evidence


@pytest.mark.parametrize(
    "sentence",
    [
        "Within a month 120% of our customers had switched to the new plan.",
        "The new model reached an accuracy of 140% on the holdout set.",
        "We achieved 105% uptime for the whole quarter.",
        "I pushed test coverage to 130% before the release.",
    ],
)
def test_a_share_above_the_whole(sentence):
    (found,) = _found(sentence)
    assert "more than the whole" in found.message


def test_code_beyond_one_person():
    (found,) = _found("I rewrote all 80,000 lines of the billing service by hand in three days.")
    assert "80,000 lines" in found.message and "three days" in found.message


@pytest.mark.parametrize(
    "sentences",
    [
        (
            "At our 10-person startup I moved the batch jobs to spot instances.",
            "That saved $300 million a year.",
        ),
        (
            "I was the tech lead of a 15-person company selling ticketing software.",
            "My checkout feature generated $2 million a day in revenue.",
        ),
    ],
)
def test_money_beyond_what_the_organisation_can_have(sentences):
    (found,) = _found(*sentences)
    assert "organisation of" in found.message


# --- near misses that must stay silent --------------------------------------------------

HONEST = [
    "Errors fell from 2.3% to 0.04% and the sale processed $1.2M without an incident.",
    "Support tickets about exports dropped by 58% over the next quarter.",
    "The nightly job went from 45 minutes to 14.",
    "Revenue grew 150% year over year after I rebuilt the onboarding.",
    "Signups grew 180% in the month after the launch.",
    "I closed 150% of my quota that quarter, the best on the team.",
    "We reached 130% of target for the second year running.",
    "We had 2,300 customers, a 40-person startup, and 12 teams depending on the API.",
    "Query latency dropped from 1.2 seconds to 40 ms, a 30x speedup.",
    "I made the export 200 times faster in one afternoon by batching the writes.",
    "After the change we could deploy up to 50 times a day.",
    "I paged the vendor 30 times that week before they answered.",
    "The tool saved the support team 300 hours a week across 40 agents.",
    "Together the builds used 30 hours a day of compute on the farm.",
    "Over four years the platform grew from 3 pilot users to 2 million users.",
    "We grew from 50 to 5,000 customers over three years.",
    "I worked 60-hour weeks for the last month of the migration.",
    "A codemod I wrote migrated 400,000 lines of code over a weekend.",
    "I deleted about 6,000 lines of dead Python in a day.",
    "At a 3,000-person bank I led a 40-person working group.",
    "At a 12-person startup I ran a 4-person task force for the audit.",
    "Finance estimated the fix saved $19 million a year in retained revenue.",
    "At a 40-person startup I cut our cloud bill by $400K a year.",
    "As a 60-person startup we processed $2 billion in payments that year.",
    "GPU utilisation rose to 150% of the old baseline.",
    "Peak CPU dropped to 120% on the eight-core box, from 650%.",
    "We kept 99.99% availability against 99.7% before.",
    "Accuracy improved from 86% to 94% on the clean split.",
    "The A/B test showed a 4.1% increase in reading time per user.",
    "Signups tripled in launch week.",
    "Traffic spiked 10x during the Black Friday sale and p99 stayed under 200 ms.",
    "Daily users went from 200 to 1,500 in the week after the launch.",
    "Our app had grown 4x in a year, from 1 million to 4 million users.",
    "The fix removed about 9,000 failed page loads a day.",
    "It processed around 2 million card transactions a day.",
    "Conversion rose from 3.0% to 3.5% within a month.",
    "I paired with her for an hour a day in week one, then twice a week.",
    "The team spent between two and four hours a month fixing tax codes.",
    "Seven out of eight people preferred the new format.",
    "Costs fell by €3.5 million, a 40% reduction.",
    "Retention of the pilot cohort went up by 150% compared with the control group.",
    "I followed up 100 times with the vendor before they fixed it.",
    "I asked for a review more than 100 times that month.",
    "The service ingested 30 hours a day of recorded calls.",
    "We grew to 140% of the users we had in January.",
    "I raised deployment frequency 100x, from weekly to 15 times a day.",
    "We went from 10 deploys a month to 400 deploys a month within a month.",
    "Our storage went from 20 GB to 4 TB in a week.",
    "In one week we went from 0 to 3,000 waitlist signups.",
    "Error rates had spiked 50x within an hour, which is when I was paged.",
    "The migration moved 4 billion rows in a weekend.",
    "I rewrote the 12,000-line parser over a weekend.",
]


@pytest.mark.parametrize(
    "sentences",
    [
        (
            "In 2019 I joined a 5-person startup.",
            "By 2022 we were 200 people and I led a 30-person org.",
        ),
        (
            "I worked at a 10-person consultancy.",
            "I was embedded with the client's 300-person engineering department.",
        ),
        ("I was at a 20-person consultancy.", "My proposal saved our client $150M a year."),
        ("I was a quant at a 30-person trading firm.", "My model made $200M in profit that year."),
        ("I joined a seed-stage startup.", "We ran a beta with 2,000 users."),
    ],
)
def test_organisations_that_grew_or_belong_to_others_stay_silent(sentences):
    assert _found(*sentences) == []


@pytest.mark.parametrize("sentence", HONEST)
def test_honest_numbers_stay_silent(sentence):
    assert _found(sentence) == []


def test_a_whole_strong_story_stays_silent():
    story = _context(
        ("situation", "Last spring I was the on-call lead for payments at a 40-person startup."),
        ("task", "I owned getting checkout errors under our 0.1% target before the sale."),
        ("action", "I traced a retry storm in the gateway logs and added jittered backoff."),
        ("action", "I load-tested it from 500 to 50,000 requests per second in a day."),
        ("result", "Errors fell from 2.3% to 0.04% and the sale processed $1.2M."),
        ("result", "We went from 12 to 19 enterprise customers that quarter."),
    )
    assert implausible_claim(story) == []


# --- the finding itself ------------------------------------------------------------------


def test_finding_is_registered_and_says_what_to_do():
    story = _story(
        "I was a mid-level engineer at a 5-person startup.",
        "My redesign made revenue go up 500 times in a single week.",
    )
    (found,) = [f for f in run_checks(story) if f.code == "implausible-claim"]
    assert found.severity == REGISTRY["implausible-claim"].severity == "warning"
    assert REGISTRY["implausible-claim"].dimension == "impact"
    assert "Check the figure" in found.message and "baseline" in found.message
    assert found.evidence == "“My redesign made revenue go up 500 times in a single week.”"


def test_one_finding_per_sentence_and_at_most_two():
    one_sentence = _found("Revenue went up 500 times and profit went up 900 times in one week.")
    assert len(one_sentence) == 1 and ";" in one_sentence[0].message
    many = _found(*(f"Revenue went up {n}00 times in week {n}." for n in range(1, 7)))
    assert len(many) == 2


def test_long_sentences_are_quoted_around_the_figure():
    padding = "and then I spoke with the product team about the plan " * 6
    (found,) = _found(f"So {padding}and in the end revenue went up 400 times in a week {padding}")
    assert "400 times" in found.evidence and "…" in found.evidence
    assert len(found.evidence) < 260


def test_no_sentences_falls_back_to_the_text():
    text = "I cut latency by 150%."
    assert implausible_claim(AnswerContext(text, []))


def test_skipping_rules_by_their_words_never_changes_the_claims(monkeypatch):
    """`find_claims` skips a rule when a sentence holds none of the words its pattern needs;
    the word lists must keep up with the patterns, so on every example of this file (each
    rule's implausible cases and the honest ones), every labelled answer, and upper-cased
    copies, the claims equal those of running every rule on every sentence."""
    from starcoach.analysis.checks import plausibility
    from starcoach.analysis.dataset import load_labelled_answers

    stories = [[a.text] for a in load_labelled_answers()] + _parametrized_stories()
    stories += [[s.upper() for s in story] for story in stories]
    filtered = [plausibility.find_claims(_story(*story)) for story in stories]
    monkeypatch.setattr(plausibility, "_could_hold", lambda lowered, words: True)
    unfiltered = [plausibility.find_claims(_story(*story)) for story in stories]
    assert filtered == unfiltered
    assert sum(map(len, unfiltered)) >= 30  # every rule's cases are there to be found


def _parametrized_stories() -> list[list[str]]:
    """The sentences of every parametrized test above, one story per case."""
    stories = []
    for test in list(globals().values()):
        for mark in getattr(test, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            for case in mark.args[1]:
                parts = case if isinstance(case, tuple | list) else (case,)
                story = [p for p in parts if isinstance(p, str)]
                if story:
                    stories.append(story)
    return stories + [[s] for s in HONEST]
