from collections import Counter

import numpy as np
import pytest

from starcoach.analysis.dataset import STYLES, load_labelled_answers
from starcoach.analysis.star import (
    CONTEXT_WEIGHT,
    CUES,
    POSITION_BINS,
    SECTIONS,
    _feature_rows,
    cue_features,
    get_labeller,
    label_text,
    reordered,
)
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


def test_feature_rows_hold_each_sentence_its_neighbours_cues_and_position():
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    cues = [np.full(len(CUES), i / 10) for i in range(3)]
    rows = _feature_rows(vectors, cues)
    dim = 4
    assert rows.shape == (3, 3 * dim + len(CUES) + 3 + POSITION_BINS)
    assert np.array_equal(rows[:, :dim], vectors)
    # Each neighbour has its own weighted block; a missing one counts as zero.
    previous, following = rows[:, dim : 2 * dim], rows[:, 2 * dim : 3 * dim]
    assert not previous[0].any() and not following[2].any()
    assert np.allclose(previous[1:], CONTEXT_WEIGHT * vectors[:-1])
    assert np.allclose(following[:-1], CONTEXT_WEIGHT * vectors[1:])
    assert np.array_equal(rows[:, 3 * dim : 3 * dim + len(CUES)], np.array(cues))
    position = rows[:, 3 * dim + len(CUES) :]
    assert position[:, :3].tolist() == [[0.0, 1.0, 0.0], [0.5, 0.0, 0.0], [1.0, 0.0, 1.0]]
    # First, middle and last sentence of three sit in the first, third and last fifth.
    assert position[:, 3:].argmax(axis=1).tolist() == [0, 2, 4]
    assert position[:, 3:].sum(axis=1).tolist() == [1.0, 1.0, 1.0]


def test_reordered_features_recompute_context_and_position():
    vectors = np.eye(4, dtype=np.float32)
    cues = [np.full(len(CUES), i / 10) for i in range(4)]
    order = [3, 0, 1, 2]
    assert np.array_equal(
        reordered(_feature_rows(vectors, cues), order),
        _feature_rows(vectors[order], [cues[i] for i in order]),
    )


def test_feature_rows_of_one_sentence_and_of_none():
    one = _feature_rows(np.ones((1, 4), dtype=np.float32), [np.zeros(len(CUES))])
    assert one[0, -POSITION_BINS - 3 : -POSITION_BINS].tolist() == [0.0, 1.0, 1.0]
    assert not one[0, 4:12].any()
    width = 3 * 4 + len(CUES) + 3 + POSITION_BINS
    assert _feature_rows(np.zeros((0, 4)), []).shape == (0, width)


def test_cue_counts_do_not_depend_on_case_and_stop_at_three():
    plain = cue_features("so i learned that we cut costs by 40% in two weeks")
    assert np.array_equal(plain, cue_features("So I LEARNED that We cut costs by 40% in two WEEKS"))
    assert plain[list(CUES).index("lesson")] == pytest.approx(1 / 3)
    assert cue_features("um um um um um")[list(CUES).index("filler")] == 1.0
    # A dotless i only matches "i" case-insensitively; the count must still see it.
    assert cue_features("\u0131")[list(CUES).index("first_person")] == pytest.approx(1 / 3)
