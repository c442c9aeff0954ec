"""The command line as a user runs it: real subprocesses, real model."""

import json

import pytest

from starcoach.knowledge import PRINCIPLE_IDS


def _no_traceback(result):
    assert b"Traceback" not in result.stderr, result.stderr.decode()


def test_classify_json_contract(cli):
    result = cli("classify", "Tell me about a time you disagreed with your manager.", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"question", "principles", "categories", "angles"} <= data.keys()
    assert [set(p) >= {"id", "name", "score"} for p in data["principles"]] == [True] * 16
    assert {p["id"] for p in data["principles"]} == set(PRINCIPLE_IDS)
    scores = [p["score"] for p in data["principles"]]
    assert scores == sorted(scores, reverse=True)


def test_classify_text_report(cli):
    result = cli("classify", "Describe a time you saved your team money.")
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "Principles" in out and "Angles" in out and "%" in out


def test_classify_stdin_one_json_line_per_input_line(cli):
    lines = [
        "Tell me about a time you failed.",
        "How do you handle a tight deadline?",
        "Describe the best hire you ever made.",
    ]
    result = cli("classify", "-", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [o["question"] for o in out] == lines
    assert all(len(o["principles"]) == 16 for o in out)


def test_classify_stdin_reports_a_bad_line_and_carries_on(cli):
    result = cli(
        "classify",
        "-",
        "--json",
        stdin="Tell me about a failure.\n   \nWhat did you learn last year?\n",
    )
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 3
    assert "error" in out[1] and "principles" in out[2]
    _no_traceback(result)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("classify", ""), None, b"empty"),
        (("classify", "   "), None, b"empty"),
        (("classify", "x" * 100_000), None, b"limit"),
        (("classify", "-"), b"\x00\x01\x02binary\xff", b"binary"),
        (("classify", "-"), "caf\u00e9".encode("latin-1"), b"UTF-8"),
        (("principles", "show", "dive-depp"), None, b"Did you mean 'dive-deep'"),
        (("questions", "--company", "initech"), None, b"Unknown company"),
        (("questions", "--level", "L9"), None, b"Unknown level"),
        (("questions", "--random", "0"), None, b"positive"),
        (("eval", "classify", "/no/such/file.jsonl"), None, b"No such file"),
    ],
)
def test_bad_input_is_one_clear_line_and_non_zero(cli, args, stdin, message):
    result = cli(*args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    _no_traceback(result)


def test_non_english_question_is_marked_low_confidence(cli):
    result = cli("classify", "请讲一个你和同事发生冲突的经历", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["low_confidence"] is True and data["warnings"]


def test_principles_list_and_show(cli):
    listing = cli("principles", "--json")
    assert [p["id"] for p in json.loads(listing.stdout)] == list(PRINCIPLE_IDS)
    shown = cli("principles", "show", "frugality", "--json")
    data = json.loads(shown.stdout)
    assert data["id"] == "frugality" and data["name_zh"] and data["topics"]
    text = cli("principles", "show", "dive-deep")
    assert b"Dive Deep" in text.stdout


def test_questions_filters_and_random(cli):
    data = json.loads(
        cli("questions", "--principle", "think-big", "--company", "amazon", "--json").stdout
    )
    assert data and all("think-big" in q["principles"] and "amazon" in q["companies"] for q in data)
    picked = json.loads(cli("questions", "--random", "4", "--seed", "1", "--json").stdout)
    again = json.loads(cli("questions", "--random", "4", "--seed", "1", "--json").stdout)
    assert len(picked) == 4 and picked == again
    by_category = json.loads(cli("questions", "--category", "teamwork", "--json").stdout)
    assert by_category and all("teamwork" in q["categories"] for q in by_category)


def test_eval_classify_on_a_file(cli, tmp_path):
    path = tmp_path / "qs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "question": "Tell me about a time you cut costs without hurting quality.",
                    "principles": ["frugality"],
                },
                {
                    "question": "When did you dig into metrics to find why a number moved?",
                    "principles": ["dive-deep"],
                },
            ]
        ),
        encoding="utf-8",
    )
    result = cli("eval", "classify", str(path), "--json")
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert report["n"] == 2 and 0.0 <= report["top1"] <= report["top3"] <= 1.0


def test_eval_classify_rejects_a_bad_line_with_its_number(cli, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"question": "ok?", "principles": ["frugality"]}\n{"question": "x", "principles": ["magic"]}\n'
    )
    result = cli("eval", "classify", str(path))
    assert result.returncode != 0 and b":2:" in result.stderr and b"magic" in result.stderr


def test_home_option_and_version(cli, tmp_path):
    assert cli("--version").stdout.startswith(b"starcoach ")
    result = cli("--home", str(tmp_path / "h"), "classify", "Tell me about a failure.", "--json")
    assert result.returncode == 0
    assert list((tmp_path / "h" / "cache").glob("question-vectors-*.npz"))


def test_tour_runs_without_a_terminal(cli):
    result = cli("tour", "--seed", "2", stdin=b"")
    assert result.returncode == 0, result.stderr
    assert b"Principles" in result.stdout


def test_eval_critique_reports_labelling_and_checks(cli):
    result = cli("eval", "critique", "--folds", "2", "--json", timeout=600)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    tiers = data["scores"]["by_quality"]
    assert tiers["strong"]["mean"] > tiers["poor"]["mean"]
    assert 0.0 <= data["scope"]["within_one"] <= 1.0
    assert [r["name"] for r in data["labelling"]] == ["held-out fifth", "2-fold CV"]
    assert all(0.0 <= r["char_accuracy"] <= 1.0 for r in data["labelling"])
    codes = {c["code"] for c in data["checks"]}
    assert {"we-heavy", "no-metrics", "too-long"} <= codes
