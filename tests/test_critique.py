"""The whole critique on answers written for these tests: contract, honesty, order."""

from __future__ import annotations

import json

import pytest

from starcoach.analysis.critique import Critic, CritiqueRequest
from starcoach.analysis.findings import FINDING_CODES
from starcoach.errors import InputError

SITUATION = (
    "Last year I was a backend engineer at a grocery delivery startup with about sixty "
    "engineers, and our order service timed out for roughly one customer in fifty during the "
    "Saturday morning peak."
)
TASK = (
    "My manager asked me to own the fix before the holiday season, which gave me five weeks "
    "and no extra people."
)
ACTIONS = (
    "I started by pulling a week of traces and found that most slow requests waited on a "
    "single inventory query that locked a hot table.",
    "I rewrote that query to read from a replica and added a short cache for stock levels, "
    "after checking with the warehouse team how stale a count could safely be.",
    "I load-tested the change at three times the Saturday peak on a staging copy, fixed two "
    "deadlocks the test exposed, and wrote a rollback plan.",
    "I then released it behind a flag to ten percent of stores, watched the error dashboards "
    "for two days, and rolled it out to all stores the following week.",
)
RESULT = (
    "Timeouts fell from 2% of orders to 0.05%, and the holiday weekend processed 180,000 "
    "orders without an incident."
)
REFLECTION = (
    "I learned to measure where the time goes before tuning anything, and I now load-test "
    "every change that touches a hot table."
)
STORY = " ".join((SITUATION, TASK, *ACTIONS, RESULT, REFLECTION))
QUESTION = "Tell me about a time you solved a difficult technical problem under a deadline."


def done_out(done) -> str:
    return done.stdout.decode("utf-8")


def done_err(done) -> str:
    return done.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def critic(understanding) -> Critic:
    return Critic(understanding=understanding)


def test_a_complete_story_scores_well_with_offsets_into_the_input(critic):
    result = critic.critique(STORY, QUESTION)
    data = result.to_dict()
    for field in ("score", "dimensions", "words", "speaking_seconds", "sentences", "findings"):
        assert field in data
    assert data["principles"] and {"id", "name", "score"} <= set(data["principles"][0])
    assert result.score.total >= 75
    assert set(result.score.dimensions) == {
        "structure",
        "ownership",
        "impact",
        "reflection",
        "relevance",
        "delivery",
    }
    for sentence in data["sentences"]:
        assert STORY[sentence["start"] : sentence["end"]] == sentence["text"]
    sections = {s["section"] for s in data["sentences"]}
    assert {"action", "result"} <= sections
    assert {f["code"] for f in data["findings"]} <= set(FINDING_CODES)
    assert data["speaking_seconds"] == round(60 * data["words"] / 150)


def test_offsets_survive_line_breaks_and_bullets(critic):
    text = "\n".join(f"- {part}" for part in (SITUATION, TASK, *ACTIONS, RESULT))
    for sentence in critic.critique(text).to_dict()["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n ",
        "asdf qwer zxcv plmokn uhbygv tfcrdx esz wsxedc rfvtgb yhnujm ikolp qazwsx edcrfv "
        "tgbyhn ujmikl opqaz wsxed crfvt gbyhn ujmik lopqa",
        "Honestly I don't have an example of that.",
    ],
)
def test_non_answers_score_at_most_15_and_get_no_praise(critic, answer):
    result = critic.critique(answer, QUESTION)
    assert result.score.total <= 15
    assert "not-an-answer" in {f.code for f in result.findings}
    assert result.score.strengths == ()


def test_an_answer_about_something_else_scores_at_most_30(critic):
    answer = (
        "My favourite part of engineering is the tooling. I really like Rust because the "
        "compiler catches mistakes, and I think every backend should move to it. Python is "
        "fine for scripts, but I prefer static types. I also think tabs are better than "
        "spaces and that monorepos are the future. I spend weekends reading about new "
        "languages and trying out frameworks, and I would love to use Rust every day."
    )
    result = critic.critique(
        answer, "Tell me about a time you coached a struggling teammate to succeed."
    )
    assert result.score.total <= 30


def test_the_same_facts_told_result_first_score_alike(critic):
    in_order = critic.critique(STORY, QUESTION)
    result_first = critic.critique(
        " ".join((RESULT, SITUATION, TASK, *ACTIONS, REFLECTION)), QUESTION
    )
    assert abs(in_order.score.total - result_first.score.total) <= 5


def test_we_and_no_numbers_cost_points_on_their_dimensions(critic):
    vague = (
        STORY.replace("I ", "we ")
        .replace("2% of orders to 0.05%", "a lot")
        .replace("180,000", "many")
    )
    good, weak = critic.critique(STORY), critic.critique(vague)
    assert weak.score.dimensions["ownership"] < good.score.dimensions["ownership"]
    assert weak.score.dimensions["impact"] < good.score.dimensions["impact"]
    assert weak.score.total < good.score.total
    assert weak.score.fixes and len(weak.score.fixes) <= 3


def test_a_level_adds_the_scope_dimension_and_aliases_resolve(critic):
    result = critic.critique(STORY, level="L7")
    assert result.level == "principal"
    assert "scope" in result.score.dimensions
    assert "scope-below-level" in {f.code for f in result.findings}
    assert "scope-below-level" not in {f.code for f in critic.critique(STORY).findings}


def test_bad_requests_fail_alone_in_a_batch(critic):
    results = critic.critique_many(
        [
            CritiqueRequest(STORY),
            CritiqueRequest(STORY, level="vice-president"),
            CritiqueRequest("x" * 40_000),
            CritiqueRequest(STORY, QUESTION, "senior"),
        ]
    )
    assert not isinstance(results[0], Exception) and not isinstance(results[3], Exception)
    assert isinstance(results[1], InputError) and "level" in str(results[1]).lower()
    assert isinstance(results[2], InputError) and "limit" in str(results[2])


def test_cli_critique_json_and_text_report(cli, tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text(STORY, encoding="utf-8")
    done = cli("critique", str(answer), "--question", QUESTION, "--json")
    assert done.returncode == 0, done_err(done)
    data = json.loads(done_out(done))
    assert data["score"] >= 75 and data["sentences"]
    report = cli("critique", str(answer), "--level", "senior")
    assert report.returncode == 0, done_err(report)
    assert "Score" in done_out(report) and "By STAR section" not in done_err(report)


def test_cli_batch_reports_bad_lines_and_carries_on(cli):
    lines = [
        json.dumps({"answer": STORY, "question": QUESTION}),
        "{not json",
        json.dumps({"question": QUESTION}),
        json.dumps({"answer": STORY, "level": "wizard"}),
        json.dumps({"answer": "um"}),
    ]
    done = cli("critique", "-", "--batch", stdin="\n".join(lines) + "\n")
    assert done.returncode == 1
    out = [json.loads(line) for line in done_out(done).splitlines()]
    assert len(out) == 5
    assert "score" in out[0] and "score" in out[4] and out[4]["score"] <= 15
    assert [o.get("line") for o in out[1:4]] == [2, 3, 4]
    assert all("error" in o for o in out[1:4])
    assert "Traceback" not in done_err(done)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\xff\xfe caf\xe9", "UTF-8"),
        (b"word " * 250_000, "limit"),
    ],
)
def test_cli_bad_input_gives_one_clear_line(cli, tmp_path, content, message):
    path = tmp_path / "answer.txt"
    path.write_bytes(content)
    done = cli("critique", str(path))
    assert done.returncode != 0
    assert message in done_err(done) and "Traceback" not in done_err(done)


def test_cli_unknown_level_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "answer.txt"
    path.write_text(STORY, encoding="utf-8")
    done = cli("critique", str(path), "--level", "wizard")
    assert done.returncode == 2
    assert "level" in done_err(done).lower() and "Traceback" not in done_err(done)
