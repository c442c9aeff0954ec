"""Fixtures of the web tests: the spoken answer (see web_speech.py), made once."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_speech import SPOKEN, espeak_wav, webm_of


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> Path:
    return espeak_wav(SPOKEN, tmp_path_factory.mktemp("speech") / "answer.wav")


@pytest.fixture(scope="session")
def speech_webm(speech_wav, tmp_path_factory) -> bytes:
    path = webm_of(speech_wav, tmp_path_factory.mktemp("speech-webm") / "answer.webm")
    data = path.read_bytes()
    assert data[:4] == b"\x1a\x45\xdf\xa3"  # the EBML magic of a Matroska/WebM file
    return data
