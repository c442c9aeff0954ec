from collections import Counter

import pytest

from starcoach.analysis.dataset import STYLES, load_labelled_answers
from starcoach.analysis.star import SECTIONS, get_labeller, label_text
from starcoach.errors import DataFileError


@pytest.fixture(scope="module")
def labeller(embedder):
    return get_labeller()


def test_labelled_answers_are_many_varied_and_fully_labelled():
    answers = load_labelled_answers()
    assert len(answers) >= 200
    assert set(Counter(a.style for a in answers)) == set(STYLES)
    assert 0.1 < sum(a.is_holdout for a in answers) / len(answers) < 0.3
    for a in answers:
        assert len(a.char_labels) == len(a.text)
        assert {label for label in a.char_labels if label} <= set(SECTIONS)


def test_bad_answer_file_is_rejected(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "- id: x-1\n  question: Q?\n  principles: [ownership]\n  shows_level: senior\n"
        "  style: typed\n  quality: strong\n  flaws: [not-a-code]\n  segments:\n"
        "    - [action, 'I did it.']\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="not-a-code"):
        load_labelled_answers(tmp_path)


def test_an_out_of_order_answer_is_labelled_by_meaning(labeller, embedder):
    # Written for this test: the result comes first, the lesson last.
    text = (
        "We cut the nightly batch from nine hours to forty minutes, and the finance team got "
        "their reports before nine every morning. "
        "This was at a logistics company of about 200 people, where I was one of three data engineers. "
        "My job was to make the nightly reporting pipeline finish before the analysts arrived. "
        "I profiled every stage of the job and found that one join scanned the full shipments table. "
        "I rewrote that join to use incremental partitions and added a test that fails when a stage "
        "reads more than a day of data. "
        "I learned to measure before optimising, and I now profile every pipeline I inherit."
    )
    sentences = label_text(text, labeller, embedder)
    assert [text[s.start : s.end] for s in sentences] == [s.text for s in sentences]
    expected = ["result", "situation", "task", "action", "action", "reflection"]
    got = [s.section for s in sentences]
    assert len(got) == len(expected)
    assert sum(g == e for g, e in zip(got, expected, strict=True)) >= 5, got
