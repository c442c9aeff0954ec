"""``starcoach drill --audio`` / ``--voice``: spoken answers in a drill, end to end.

The speech is made with Debian's espeak-ng (as in test_voice.py) and transcribed by the
real Whisper model in a subprocess; the fallback to typing is checked in-process.
"""

from __future__ import annotations

import json

import pytest

from starcoach.cli import practice as cli_practice
from starcoach.cli.output import console
from test_voice import ANSWER, espeak_wav


def _db(tmp_path):
    return f"sqlite:///{tmp_path / 'voice.db'}"


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory):
    return espeak_wav(ANSWER, tmp_path_factory.mktemp("drill-voice") / "answer.wav")


def test_drill_with_a_recording_reports_delivery_and_saves_it(cli, answer_wav, tmp_path):
    db = _db(tmp_path)
    result = cli("--db", db, "drill", "-p", "ownership", "--seed", "2", "--audio", str(answer_wav))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "Transcript:" in out and "checkout" in out.lower()
    assert "Delivery" in out and "words per minute" in out and "filler words per minute" in out
    assert "Score" in out and "Saved as practice session 1" in out
    assert "(no answer given)" in out  # follow-ups without a terminal are skipped

    history = json.loads(cli("--db", db, "history", "--json").stdout)
    (attempt,) = history["attempts"]
    speech = attempt["speech"]  # the saved critique carries the delivery measures
    assert 100 <= speech["words_per_minute"] <= 220
    assert speech["source"] == "file" and speech["audio"] == str(answer_wav)
    assert "filler_words_per_minute" in speech and isinstance(speech["pauses"], list)
    assert attempt["seconds"] > 10 and "checkout" in attempt["answer"].lower()


def test_drill_with_a_recording_as_json(cli, answer_wav, tmp_path):
    result = cli(
        "--db", _db(tmp_path), "drill", "--seed", "3", "--audio", str(answer_wav), "--json"
    )
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["speech"] == data["critique"]["speech"]
    assert data["speech"]["pace"] in {"slow", "good", "fast"}
    assert data["transcript"] == data["answer"] and data["score"] == data["critique"]["score"]
    assert data["seconds"] == pytest.approx(data["speech"]["duration"], abs=0.2)


@pytest.mark.parametrize(
    ("args", "make", "message"),
    [
        (("--audio", "/no/such/answer.wav"), None, b"audio file not found: /no/such/answer.wav"),
        (("--audio", "{tmp}/notes.wav"), "text", b"cannot read audio from"),
        (("--audio", "{tmp}/empty.mp3"), "empty", b"the file is empty"),
        (("--voice",), None, b"needs a terminal"),
        (("--voice", "--audio", "x.wav"), None, b"choose one"),
        (("--audio", "x.wav", "--answer-file", "a.txt"), None, b"leave out --voice and --audio"),
    ],
)
def test_bad_audio_is_one_clear_line(cli, tmp_path, args, make, message):
    if make == "text":
        (tmp_path / "notes.wav").write_text("Situation: a text file, not a recording.\n")
    elif make == "empty":
        (tmp_path / "empty.mp3").write_bytes(b"")
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    result = cli("--db", _db(tmp_path), "drill", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr.lower()
    assert b"Traceback" not in result.stderr


def test_at_a_terminal_a_bad_recording_falls_back_to_typing(tmp_path, capsys):
    source = cli_practice.AnswerSource(audio=tmp_path / "missing.wav", interactive=True)
    spoken = cli_practice._spoken_answer(console(), source, (120, 180))
    assert spoken is None and not source.spoken  # the drill asks for a typed answer next
    captured = capsys.readouterr()
    assert "Audio file not found" in captured.err and "Type your answer instead" in captured.out


def test_without_a_terminal_a_bad_recording_is_the_commands_error(tmp_path):
    from starcoach.errors import InputError

    source = cli_practice.AnswerSource(audio=tmp_path / "missing.wav", interactive=False)
    with pytest.raises(InputError, match="Audio file not found"):
        cli_practice._spoken_answer(console(), source, (120, 180))
