import numpy as np
import pytest

from starcoach.errors import InputError
from starcoach.knowledge import PRINCIPLE_IDS
from starcoach.matching.understanding import (
    QuestionUnderstanding,
    is_holdout,
    principle_texts,
    training_questions,
)


def test_scores_cover_all_sixteen_and_sum_to_one(understanding):
    result = understanding.analyse("Tell me about a time you found the root cause of a bug.")
    ids = [p.id for p in result.principles]
    assert sorted(ids) == sorted(PRINCIPLE_IDS)
    scores = [p.score for p in result.principles]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 1e-3


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Wordings written for this test, not taken from the bank.
        (
            "Walk me through the nastiest production bug you had to trace to its source.",
            "dive-deep",
        ),
        ("You had half the budget you asked for. What did you cut and how?", "frugality"),
        (
            "Tell me about someone junior you helped grow into a stronger engineer.",
            "hire-and-develop-the-best",
        ),
        (
            "When did you push back on your director and still commit once the call was made?",
            "have-backbone-disagree-and-commit",
        ),
    ],
)
def test_unseen_wordings_rank_the_right_principle_high(understanding, question, expected):
    ranked = [p.id for p in understanding.analyse(question).principles]
    assert expected in ranked[:3], ranked[:5]


def test_conflict_question_names_angles_and_clarifications(understanding):
    result = understanding.analyse("Tell me about a conflict you had with a coworker.")
    assert any(t.id.startswith("conflict") for t in result.topics) or any(
        c.id == "teamwork" for c in result.categories
    )
    assert len(result.angles) >= 3
    assert len({a.principle for a in result.angles}) == len(result.angles)
    assert result.clarify


def test_gibberish_and_foreign_text_are_low_confidence(understanding):
    for text in (
        "asdf qwer zxcv uiop hjkl",
        "请介绍一下你处理冲突的经历",
        "¿Cuál fue tu mayor fracaso profesional y qué aprendiste?",
    ):
        result = understanding.analyse(text)
        assert result.low_confidence, text
        assert result.warnings


def test_bad_questions_are_input_errors(understanding):
    with pytest.raises(InputError, match="empty"):
        understanding.analyse("   \n\t ")
    with pytest.raises(InputError, match="limit"):
        understanding.analyse("why " * 30_000)
    with pytest.raises(InputError, match="control characters"):
        understanding.analyse("tell me\x00\x01\x02 about")


def test_holdout_is_a_stable_tenth_never_trained_on(kb, understanding):
    held = [q for q in kb.questions if is_holdout(q.id)]
    assert 0.05 < len(held) / len(kb.questions) < 0.15
    trained_ids = {q.id for q in training_questions(kb)}
    assert not trained_ids & {q.id for q in held}
    assert understanding.bank_embeddings.shape[0] == len(trained_ids)


def test_shipped_classifier_learns_from_bank_and_principle_texts(kb, understanding):
    """Shipping and evaluation share one recipe: questions plus the principles' texts."""
    expected = len(training_questions(kb)) + len(principle_texts(kb))
    assert understanding.classifier.bank.shape[0] == expected


def test_second_load_comes_from_the_cache(kb, embedder, understanding, starcoach_home):
    assert understanding.classifier is not None  # the frozen head is built on first use
    cached = list((starcoach_home / "cache").glob("classifier-*.npz"))
    assert len(cached) == 1
    again = QuestionUnderstanding.load(kb, embedder)
    vector = embedder.encode(["Describe a time you simplified a process."])
    assert np.allclose(
        again.principle_probabilities(vector), understanding.principle_probabilities(vector)
    )


def test_damaged_cache_is_rebuilt(kb, embedder, understanding, starcoach_home):
    assert understanding.classifier is not None
    (entry,) = (starcoach_home / "cache").glob("classifier-*.npz")
    entry.write_bytes(b"not a zip")
    rebuilt = QuestionUnderstanding.load(kb, embedder)
    assert rebuilt.classifier.weights.shape == (384, 16)
    assert entry.stat().st_size > 1000


def test_classifying_loads_only_the_question_encoder(kb):
    """Cold `starcoach classify` pays for one model: the base model loads on first use."""
    fresh = QuestionUnderstanding.load(kb)
    result = fresh.analyse("Tell me about a time you cut costs without hurting quality.")
    assert result.principles[0].id == "frugality"
    assert result.similar and result.topics
    assert fresh._embedder is None and fresh._frozen is None


def test_reading_stories_loads_only_the_base_model(kb, embedder):
    """Critique and matching use base-model vectors: the question encoder stays unloaded."""
    fresh = QuestionUnderstanding.load(kb, embedder)
    vector = embedder.encode(["I cut our cloud bill by 30% in a quarter."])
    assert fresh.principle_probabilities(vector).shape == (1, 16)
    assert fresh.bank_embeddings.shape[0] == len(fresh.bank)
    assert fresh._question_encoder is None and fresh._question_vectors is None


def test_questions_use_the_question_encoder_and_stories_keep_the_frozen_head(
    understanding, embedder
):
    question = "Tell me about a time you disagreed with your manager and committed anyway."
    from_text = understanding.question_probabilities([question])
    analysed = understanding.analyse(question)
    assert analysed.principles[0].id == PRINCIPLE_IDS[int(np.argmax(from_text[0]))]
    story = embedder.encode(["I argued against the rewrite, lost, then shipped it on time."])
    frozen = understanding.principle_probabilities(story)
    assert frozen.shape == (1, 16) and abs(frozen.sum() - 1.0) < 1e-6
    assert understanding.bank_embeddings.shape == understanding.question_vectors.shape


def test_question_vectors_come_from_the_cache(kb, understanding, starcoach_home):
    assert len(list((starcoach_home / "cache").glob("question-vectors-*.npz"))) == 1
    again = QuestionUnderstanding.load(kb)
    assert np.array_equal(again.question_vectors, understanding.question_vectors)
