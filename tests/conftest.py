"""Shared fixtures: an isolated STARCOACH_HOME and the real model, loaded once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def starcoach_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test writes its caches and data under one throwaway home."""
    home = tmp_path_factory.mktemp("home")
    os.environ["STARCOACH_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def kb():
    from starcoach.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def embedder():
    from starcoach.nlp.embedding import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def understanding(kb, embedder):
    from starcoach.matching.understanding import get_understanding

    return get_understanding()


@pytest.fixture(scope="session")
def cli(understanding):
    """Run the real entry point in a subprocess, as a user would (cache already warm)."""

    def run(
        *args: str,
        stdin: bytes | str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return subprocess.run(
            [sys.executable, "-m", "starcoach", *args],
            input=data,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
            check=False,
        )

    return run
