"""Voice benchmark: cold model load and real-time factor of offline transcription.

Speech is made with Debian's espeak-ng (about 60 seconds of a STAR answer), so the figure
can be reproduced anywhere; the goal is a real-time factor of at most 0.3 on two cores.
Run alone with ``python benchmarks/voice_bench.py``; ``benchmarks/run.py`` may import
:func:`bench_voice`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ESPEAK_SPEED = 150
RUNS = 3
ANSWER = (
    "Last spring our checkout service failed every Friday evening, and customers lost their "
    "orders. I was the engineer who owned the payment code, so I took the problem on myself. "
    "First I read a week of logs and found one slow database query that locked the orders "
    "table. I rewrote the query, added an index, and tested the change under twice the peak "
    "load. Then I released it to 10% of users, watched the error rate for two days, and "
    "rolled it out to everyone. Two other teams had the same pattern in their services, so "
    "I showed them the query plan and helped them fix theirs the same week. Failed checkouts dropped from 5% to almost zero, which saved "
    "about 40,000 dollars a month. I also wrote a runbook and taught the on-call team to use "
    "it. I learned to measure before I change anything, and to ship risky fixes in small "
    "steps that I can undo."
)
"""About 180 words: a minute of speech at espeak-ng's -s 150."""


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("%", " percent").replace(",", ""))


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(1, len(ref))


def bench_voice() -> dict[str, float]:
    """Cold model load (seconds, in this process) and the real-time factor of transcribing
    a ~60 s espeak-ng answer (best and median of a few runs, file decoding included)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is missing: run `make system-deps`")
    from starcoach.practice import voice

    with tempfile.TemporaryDirectory(prefix="starcoach-voice-bench-") as folder:
        path = Path(folder) / "answer.wav"
        subprocess.run(
            [espeak, "-v", "en-us", "-s", str(ESPEAK_SPEED), "-w", str(path), ANSWER],
            check=True,
            capture_output=True,
        )
        voice.load_model.cache_clear()
        start = time.perf_counter()
        voice.load_model()
        load_seconds = time.perf_counter() - start
        transcripts = [voice.transcribe(path) for _ in range(RUNS)]
    factors = sorted(voice.speech_metrics(t).real_time_factor for t in transcripts)
    last = transcripts[-1]
    return {
        "audio_seconds": last.duration,
        "model_load_seconds": load_seconds,
        "rtf_best": factors[0],
        "rtf_median": factors[len(factors) // 2],
        "word_error_rate": word_error_rate(ANSWER, last.text),
        "words_per_minute": voice.speech_metrics(last).words_per_minute,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    print(json.dumps({k: round(v, 3) for k, v in bench_voice().items()}, indent=2))
