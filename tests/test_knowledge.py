from collections import Counter
from pathlib import Path

import pytest
import yaml

from starcoach.errors import DataFileError, InputError
from starcoach.knowledge import PRINCIPLE_IDS
from starcoach.knowledge.loader import load_principles, load_questions, load_taxonomy

DESIGN_CATEGORIES = {
    "problem-solving": ["invent-and-simplify"],
    "teamwork": ["earn-trust", "hire-and-develop-the-best"],
    "communication": ["earn-trust", "dive-deep"],
    "time-management": ["deliver-results"],
    "decision-making": ["are-right-a-lot", "dive-deep"],
    "achievement": ["deliver-results", "insist-on-the-highest-standards"],
    "initiative": ["bias-for-action"],
    "learning-and-growth": ["learn-and-be-curious"],
    "leadership": ["hire-and-develop-the-best", "ownership"],
    "adaptability": ["learn-and-be-curious", "invent-and-simplify"],
}


def test_sixteen_principles_in_order_with_full_content(kb):
    assert tuple(p.id for p in kb.principles) == PRINCIPLE_IDS
    for p in kb.principles:
        assert p.name and p.name_zh and len(p.summary) > 60 and p.angle
        assert len(p.shows) >= 3 and len(p.fails) >= 3 and len(p.probes) >= 2
        assert len(p.telltale_words) >= 5


def test_categories_follow_the_design_mapping(kb):
    assert {c.id: list(c.principles) for c in kb.categories} == DESIGN_CATEGORIES
    uncategorised = set(PRINCIPLE_IDS) - {p for c in kb.categories for p in c.principles}
    # DESIGN names these four; the two newest principles have no category either.
    assert uncategorised >= {
        "customer-obsession",
        "think-big",
        "frugality",
        "have-backbone-disagree-and-commit",
    }


def test_companies_and_levels(kb):
    assert {"amazon", "meta", "google", "generic"} <= {c.id for c in kb.companies}
    assert kb.level("L6").id == "staff"
    assert kb.level("e3").id == "junior"
    assert kb.level("L7").id == "principal"
    assert kb.level("Senior").id == "senior"
    with pytest.raises(InputError, match="Unknown level"):
        kb.level("wizard")


def test_bank_size_and_per_principle_minimum(kb):
    assert len(kb.questions) >= 500
    primaries = Counter(q.primary for q in kb.questions)
    assert set(primaries) == set(PRINCIPLE_IDS)
    assert min(primaries.values()) >= 30, primaries


def test_every_question_is_fully_tagged(kb):
    for q in kb.questions:
        assert 1 <= len(q.principles) <= 2, q.id
        assert q.categories or q.topics, q.id
        assert q.companies, q.id
        assert 1 <= len(q.follow_ups) <= 3, q.id
        assert q.text.endswith(("?", ".")), q.id


def test_question_texts_are_distinct_strings(kb):
    normalised = Counter(" ".join(q.text.lower().split()) for q in kb.questions)
    assert [t for t, n in normalised.items() if n > 1] == []


def test_bank_is_varied_not_one_template(kb):
    """No four-word opening starts more than a third of a principle's questions, and
    each principle's questions open in at least ten different ways."""
    for pid in PRINCIPLE_IDS:
        texts = [q.text for q in kb.questions if q.primary == pid]
        openings = Counter(" ".join(t.lower().split()[:4]) for t in texts)
        assert openings.most_common(1)[0][1] <= len(texts) / 3, (pid, openings.most_common(3))
        assert len(openings) >= 10, (pid, openings)


def test_filters(kb):
    dive = kb.questions_for(principle="dive-deep", primary_only=True)
    assert dive and all(q.primary == "dive-deep" for q in dive)
    meta = kb.questions_for(company="meta")
    assert meta and all("meta" in q.companies for q in meta)
    staff = kb.questions_for(level="L6")
    assert all(q.level in (None, "staff") for q in staff)
    with pytest.raises(InputError, match="Did you mean 'dive-deep'"):
        kb.questions_for(principle="dive-depp")
    with pytest.raises(InputError, match="Unknown company"):
        kb.questions_for(company="initech")


def test_random_sample_is_repeatable_with_a_seed(kb):
    pool = list(kb.questions)
    assert kb.sample(pool, 5, seed=3) == kb.sample(pool, 5, seed=3)
    assert len(kb.sample(pool, 5)) == 5


# --- the loaders reject broken files with messages that point at the problem ---------


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_broken_yaml_is_a_data_file_error(tmp_path):
    bad = tmp_path / "principles.yaml"
    bad.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid YAML"):
        load_principles(bad)


def test_principles_must_be_the_sixteen(tmp_path):
    data = yaml.safe_load(
        (Path(__file__).parents[1] / "src/starcoach/knowledge/data/principles.yaml").read_text()
    )
    with pytest.raises(DataFileError, match="exactly the 16"):
        load_principles(_write(tmp_path / "p.yaml", data[:-1]))


def _load_one_question(tmp_path, principle: str, record: dict) -> None:
    """Write a one-question bank for ``principle`` and load it with the real taxonomy."""
    categories, topics, companies, _ = load_taxonomy()
    folder = tmp_path / "questions"
    folder.mkdir()
    _write(folder / f"{principle}.yaml", [{"principles": [principle], **record}])
    load_questions(
        [c.id for c in categories], [t.id for t in topics], [c.id for c in companies], folder
    )


def test_question_with_unknown_topic_is_rejected(tmp_path):
    record = {
        "id": "dd-x",
        "text": "Tell me about a bug you chased for a week.",
        "topics": ["not-a-topic"],
        "companies": ["amazon"],
        "follow_ups": ["What was the root cause?"],
    }
    with pytest.raises(DataFileError, match="unknown id 'not-a-topic'"):
        _load_one_question(tmp_path, "dive-deep", record)


def test_untagged_question_is_rejected(tmp_path):
    record = {
        "id": "fru-x",
        "text": "How did you save money?",
        "companies": ["amazon"],
        "follow_ups": ["How much?"],
    }
    with pytest.raises(DataFileError, match="at least one category or topic"):
        _load_one_question(tmp_path, "frugality", record)


def test_question_filed_under_the_wrong_principle_is_rejected(tmp_path):
    record = {
        "id": "fru-y",
        "text": "How did you save money?",
        "principles": ["dive-deep"],
        "topics": ["cost-constraints"],
        "companies": ["amazon"],
        "follow_ups": ["How much?"],
    }
    with pytest.raises(DataFileError, match="does not match the file name"):
        _load_one_question(tmp_path, "frugality", record)
