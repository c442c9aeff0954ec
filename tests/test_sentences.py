import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starcoach.nlp.sentences import MAX_WORDS, _segmenter, _sentence_spans, split_sentences


def test_typed_prose_splits_on_sentences_not_abbreviations():
    text = "I met Dr. Smith at 9 a.m. on Monday. We fixed it! Then I wrote the e.g. section."
    assert [s.text for s in split_sentences(text)] == [
        "I met Dr. Smith at 9 a.m. on Monday.",
        "We fixed it!",
        "Then I wrote the e.g. section.",
    ]


def test_bullets_are_units_of_their_own():
    text = "Notes:\n- Situation: the db was slow\n- I rewrote the cache (saving 40%)\n1. Result: p99 halved"
    texts = [s.text for s in split_sentences(text)]
    assert "- Situation: the db was slow" in texts and "1. Result: p99 halved" in texts


def test_transcripts_without_punctuation_are_cut_at_discourse_markers():
    text = (
        "so um i was the lead on the billing migration and we had this outage on a friday "
        "and then i looked at the logs for hours and found the cache was wrong so i fixed the "
        "cache keys and after that latency dropped by half and i learned to check caches first"
    )
    spans = split_sentences(text)
    assert len(spans) >= 4
    assert all(len(s.text.split()) <= MAX_WORDS for s in spans)


def test_spoken_steps_starting_with_so_or_and_um_are_units_of_their_own():
    # Written for this test: a transcript whose steps start with "so the…", "and um…".
    text = (
        "okay so this was at a payments startup where i was one of four backend engineers "
        "so the checkout api kept timing out every friday evening for about an hour or so "
        "and um my manager asked me to own the fix before the holiday sale started "
        "so the first thing i did was pull a week of traces so that i could see which calls "
        "were slow and um it turned out one query scanned the whole orders table "
        "so the fix went out on monday and timeouts dropped from three percent to almost zero"
    )
    starts = [s.text.split()[:3] for s in split_sentences(text)]
    assert ["and", "um", "my"] in starts
    assert ["so", "the", "fix"] in starts
    # "or so" and "so that" are phrases, not new steps.
    assert not any(s[0] == "so" and s[1] == "that" for s in starts)
    assert all(not s.text.endswith(" or") for s in split_sentences(text))


def test_sentence_spans_equal_pysbds_own_search():
    import pysbd

    text = "I did it.  Then I did it again.\n\nI did it. Done!  "
    sentences = ["I did it.", "Then I did it again.", "I did it.", "Done!"]
    reference = pysbd.Segmenter(language="en", clean=False)
    reference.original_text = text
    expected = [(t.sent, t.start, t.end) for t in reference.sentences_with_char_spans(sentences)]
    assert [tuple(t) for t in _sentence_spans(sentences, text)] == expected
    assert [t.start for t in _sentence_spans(sentences, text)] == [0, 11, 33, 43]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab .\n\u00a0"), max_size=60),
    st.lists(st.text(alphabet=st.sampled_from("ab .\u00a0"), max_size=6), max_size=6),
)
def test_sentence_spans_equal_pysbds_own_search_on_any_text(text, sentences):
    """Repeated, overlapping, missing and empty sentences, odd whitespace: the string
    search keeps exactly pysbd's regex spans."""
    import pysbd

    reference = pysbd.Segmenter(language="en", clean=False)
    reference.original_text = text
    expected = [(t.sent, t.start, t.end) for t in reference.sentences_with_char_spans(sentences)]
    assert [tuple(t) for t in _sentence_spans(sentences, text)] == expected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc xyz.!?\n-1,"), max_size=400))
def test_offsets_always_index_the_input_in_order(text):
    spans = split_sentences(text)
    previous_end = 0
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text.strip() == span.text and span.text
        assert span.start >= previous_end
        previous_end = span.end


def _stock_segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


ABBREVIATION_HEAVY = [
    "I met Dr. Smith at 9 a.m. on Monday. We fixed it! Then I wrote the e.g. section.",
    "See No. 5 and fig. 2 in the doc. We shipped it on Jan. 3 and it worked.",
    "I ate an egg. then we left. The U.S. team agreed. Mr. Lee approved it vs. the plan.",
    "Our dept. grew approx. 40% in the U.K. last year, i.e. faster than the rest of the co.",
    "ſt. Paul's team asked. İ was there. K. Jones said no. Then st. louis.",
    "I joined Acme Inc. in 2019. Ph.D. holders led the work, etc. and so on.",
]


@pytest.mark.parametrize("text", ABBREVIATION_HEAVY)
def test_the_quick_abbreviation_pass_splits_as_pysbd_does(text):
    assert _segmenter().segment(text) == _stock_segmenter().segment(text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "I",
                "we",
                "no",
                "No.",
                "not",
                "a.",
                "i.e",
                "e.g.",
                "egg.",
                "Dr.",
                "st.",
                "St.",
                "co.",
                "Inc.",
                "U.S.",
                "fig.",
                "9",
                "a.m.",
                "40%",
                "shipped.",
                "it!",
                "why?",
                "ſt.",
                "İ",
                "K.",
                "Jan.",
                "vs.",
                "approx.",
                "dept.",
                "etc.",
                "3.5",
                "(",
                ")",
                "\n",
                "-",
                "1.",
            ]
        ),
        max_size=40,
    )
)
def test_the_quick_abbreviation_pass_splits_as_pysbd_does_on_any_mix(words):
    text = " ".join(words)
    assert _segmenter().segment(text) == _stock_segmenter().segment(text)
