"""Voice answers: real speech made with Debian's espeak-ng, transcribed by the real model.

espeak-ng and the voice extra are installed by ``make test`` (scripts/install-system-deps.sh
and the ``dev`` extra); when either is missing these tests fail and say how to fix it.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from starcoach.errors import InputError, StarcoachError
from starcoach.practice import voice

ESPEAK_SPEED = 150
"""espeak-ng -s: words per minute, approximately."""
ANSWER = (
    "Last spring our checkout service failed every Friday evening and customers lost "
    "their orders. I owned the payment code, so I took the problem. I read the logs, found "
    "a slow database query and added an index. I released the fix to 10% of users first. "
    "Failures dropped from 5% to almost zero, and I learned to measure before changing "
    "anything."
)
MAX_WER = 0.2
"""Measured with tiny.en on this answer: 0.03 at -s 130, 0.06 at -s 150, 0.08 at -s 175
("spring" → "bringing", "fix" → "fixed", "failures" → "failure")."""
FIRST = "I owned the payment code, so I took the problem."
SECOND = "I read the logs and found a slow database query."
SILENCE_SECONDS = 3.0


def espeak_wav(text: str, path: Path, speed: int = ESPEAK_SPEED) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail(
            "espeak-ng is missing, so the voice tests cannot make speech: run "
            "`make system-deps` (or apt-get install espeak-ng)."
        )
    subprocess.run(
        [espeak, "-v", "en-us", "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("%", " percent"))


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = tokens(reference), tokens(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(1, len(ref))


@pytest.fixture(scope="module")
def whisper():
    try:
        return voice.load_model()
    except StarcoachError as exc:
        pytest.fail(f"{exc}. `make install` installs it with the dev extra.")


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory) -> Path:
    return espeak_wav(ANSWER, tmp_path_factory.mktemp("voice") / "answer.wav")


@pytest.fixture(scope="module")
def spoken(whisper, answer_wav) -> voice.Transcript:
    return voice.transcribe(answer_wav)


def test_word_error_rate_helper():
    assert word_error_rate("a b c d", "a b c d") == 0
    assert word_error_rate("a b c d", "a x c") == 0.5
    assert word_error_rate("10% of users", "10 % of users") == 0


def test_transcript_recovers_the_words(spoken):
    assert spoken.language == "en"
    assert word_error_rate(ANSWER, spoken.text) <= MAX_WER, spoken.text
    assert len(spoken.words) >= 0.8 * len(tokens(ANSWER))
    starts = [w.start for w in spoken.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= spoken.duration + 0.5 for w in spoken.words)


def test_pace_matches_the_speed_espeak_was_given(spoken):
    metrics = voice.speech_metrics(spoken)
    assert 0.8 * ESPEAK_SPEED <= metrics.words_per_minute <= 1.35 * ESPEAK_SPEED
    assert metrics.pace in ("good", "fast")
    assert metrics.pauses == ()
    assert metrics.fillers == ()
    assert 0 < metrics.real_time_factor < 1
    assert abs(metrics.duration - spoken.duration) < 1e-9


def test_a_silence_is_found_as_a_long_pause(whisper, tmp_path):
    first = voice.load_audio(espeak_wav(FIRST, tmp_path / "first.wav"))
    second = voice.load_audio(espeak_wav(SECOND, tmp_path / "second.wav"))
    gap = np.zeros(int(SILENCE_SECONDS * voice.SAMPLE_RATE), dtype=np.float32)
    samples = np.concatenate([first, gap, second])
    path = voice.write_wav((samples * 32767).astype(np.int16), voice.SAMPLE_RATE, tmp_path)
    metrics = voice.speech_metrics(voice.transcribe(path))
    assert len(metrics.pauses) == 1, metrics.pauses
    pause = metrics.pauses[0]
    assert pause.after.strip(".,").lower() == "problem"
    assert pause.before.strip(".,").lower() == "i"
    assert SILENCE_SECONDS - 0.5 <= pause.seconds <= SILENCE_SECONDS + 1.0
    boundary = first.size / voice.SAMPLE_RATE
    assert boundary - 1.0 <= pause.start <= boundary + 0.5
    assert json.loads(json.dumps(metrics.to_dict()))["pauses"][0]["after"] == pause.after


def test_lexical_fillers_are_counted(whisper, tmp_path):
    """Whisper drops "um"/"uh" but keeps word fillers; the rate counts what it keeps."""
    text = "So, you know, I basically owned the payment code, and, you know, I fixed it."
    metrics = voice.speech_metrics(voice.transcribe(espeak_wav(text, tmp_path / "f.wav")))
    assert metrics.fillers.count("you know") >= 1
    assert "basically" in metrics.fillers
    assert metrics.filler_words_per_minute > 0


def test_voice_answer_critiques_the_transcript(whisper, answer_wav, understanding):
    from starcoach.analysis.critique import Critic

    question = "Tell me about a time you took ownership."
    result = voice.voice_answer(answer_wav, Critic(understanding=understanding), question)
    assert result.critique.sentences
    assert result.critique.text == result.transcript.text
    data = json.loads(json.dumps(result.to_dict()))
    assert data["critique"]["sentences"]
    assert data["speech"]["words_per_minute"] > 0
    assert data["transcript"]["words"][0]["start"] >= 0


def test_silence_only_is_a_clear_error(whisper, tmp_path):
    path = voice.write_wav(np.zeros(3 * voice.SAMPLE_RATE, np.int16), voice.SAMPLE_RATE, tmp_path)
    with pytest.raises(InputError, match="No speech recognised"):
        voice.voice_answer(path, critic=None)  # fails before any critique


def test_missing_and_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="Audio file not found"):
        voice.transcribe(tmp_path / "nope.wav")
    fake = tmp_path / "notes.wav"
    fake.write_text("Situation: this is a text file, not a recording.\n")
    with pytest.raises(InputError, match=r"Cannot read audio from .*notes\.wav: "):
        voice.transcribe(fake)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        voice.transcribe(empty)
    with pytest.raises(InputError, match="not a regular file"):
        voice.transcribe(tmp_path)


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [
        ("mp3", "libmp3lame"),
        ("ogg", "libopus"),
        ("webm", "libopus"),
        ("m4a", "aac"),
        ("flac", "flac"),
    ],
)
def test_common_formats_decode(answer_wav, tmp_path, suffix, codec):
    """What browsers and phones record: the decoder reads them all at the right length."""
    import av

    wav = voice.load_audio(answer_wav)
    path = tmp_path / f"answer.{suffix}"
    rate = 48_000 if codec == "libopus" else voice.SAMPLE_RATE
    pcm = np.interp(
        np.arange(int(wav.size * rate / voice.SAMPLE_RATE)) * voice.SAMPLE_RATE / rate,
        np.arange(wav.size),
        wav,
    )
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            (pcm * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
        )
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    decoded = voice.load_audio(path)
    assert abs(decoded.size - wav.size) / voice.SAMPLE_RATE < 0.2


def test_nothing_touches_the_network(whisper, answer_wav, monkeypatch):
    """The model loads from the installed package and transcribes with no connection."""
    voice.load_model.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("voice tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    try:
        transcript = voice.transcribe(answer_wav)
    finally:
        monkeypatch.undo()
    assert transcript.words
    assert (voice.model_path() / "model.bin").stat().st_size > 50_000_000


def test_without_the_extra_a_clear_message(monkeypatch, tmp_path):
    voice.load_model.cache_clear()
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    path = voice.write_wav(np.zeros(1600, np.int16), voice.SAMPLE_RATE, tmp_path)
    with pytest.raises(StarcoachError, match=re.escape("pip install 'starcoach[voice]'")):
        voice.transcribe(path)
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(StarcoachError, match="voice extra"):
        voice.record(1)
    voice.load_model.cache_clear()


def test_no_microphone_is_a_clear_error_not_a_traceback():
    """On this machine: no PortAudio library, or PortAudio with no input device."""
    with pytest.raises(StarcoachError, match=r"PortAudio|microphone"):
        voice.record(0.5)


class FakeStream:
    def __init__(self, callback, **kwargs):
        self.callback = callback
        self.kwargs = kwargs
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True


def fake_sounddevice(sleep):
    module = types.SimpleNamespace(streams=[])

    def stream(**kwargs):
        module.streams.append(FakeStream(**kwargs))
        return module.streams[-1]

    module.query_devices = lambda device, kind: {"default_samplerate": 16000.0}
    module.InputStream = stream
    module.sleep = lambda ms: sleep(module.streams[-1], ms)
    return module


def test_ctrl_c_stops_recording_and_keeps_the_audio(monkeypatch, tmp_path):
    calls = []

    def sleep(stream, ms):
        calls.append(ms)
        stream.callback(np.full((1600, 1), 1000, np.int16), 1600, None, None)
        if len(calls) == 3:
            raise KeyboardInterrupt

    fake = fake_sounddevice(sleep)
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    path = voice.record(60, folder=tmp_path)
    assert fake.streams[0].closed
    assert path.parent == tmp_path
    with wave.open(str(path)) as recording:
        assert recording.getframerate() == 16000
        assert recording.getnframes() == 3 * 1600
    assert voice.load_audio(path).size == 3 * 1600


def test_recording_stops_on_request_or_at_the_limit(monkeypatch, tmp_path):
    stop = threading.Event()

    def sleep(stream, ms):
        stream.callback(np.zeros((160, 1), np.int16), 160, None, None)
        stop.set()

    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(sleep))
    with wave.open(str(voice.record(60, folder=tmp_path, stop=stop))) as recording:
        assert recording.getnframes() == 160
    with pytest.raises(InputError, match="positive"):
        voice.record(0)


def test_silent_microphone_stream_is_an_input_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(lambda s, ms: None))
    with pytest.raises(InputError, match="recorded nothing"):
        voice.record(0.2, folder=tmp_path)
