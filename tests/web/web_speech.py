"""Speech for the web tests: a spoken answer made with Debian's espeak-ng, as a WAV file
(what Chromium's fake microphone plays) and as WebM/Opus encoded by PyAV (what browsers'
MediaRecorder uploads), so recorded answers are tested on real audio in the real format.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SPOKEN = "I owned the payment migration, and I cut failed payments by thirty percent."
"""Short and clear: tiny.en gets these words right at espeak-ng's 150 words a minute."""
SPOKEN_WORDS = ("payment", "migration")


def espeak_wav(text: str, path: Path) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail(
            "espeak-ng is missing, so the web tests cannot make speech for the recorded "
            "answers: run `make system-deps` (or apt-get install espeak-ng)."
        )
    subprocess.run(
        [espeak, "-v", "en-us", "-s", "150", "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def webm_of(wav: Path, target: Path) -> Path:
    """Encode a WAV as WebM/Opus at 48 kHz mono, the way Chromium's MediaRecorder does."""
    import av

    with av.open(str(wav)) as source, av.open(str(target), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48_000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in source.decode(audio=0):
            for chunk in resampler.resample(frame):
                for packet in stream.encode(chunk):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target
