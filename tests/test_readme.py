"""Every `starcoach` example in the README runs and exits 0."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SLOW = (
    "--compare",  # trains six learners with cross-validation: `make eval` runs it
    "eval critique",  # ~30 s; test_cli runs it with fewer folds
)


def _examples() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if "starcoach " in line and not line.startswith("make")]


def test_readme_has_examples_for_every_command():
    commands = {
        "classify",
        "critique",
        "principles",
        "questions",
        "eval classify",
        "eval critique",
        "tour",
        "import",
        "story list",
        "story show",
        "export",
        "match",
        "coverage",
        "plan",
        "drill",
        "mock",
        "backup",
        "history",
        "progress",
        "review",
    }
    text = " ".join(_examples()) + README.read_text(encoding="utf-8")
    assert all(f"starcoach {c}" in text for c in commands)


@pytest.mark.parametrize("example", [e for e in _examples() if not any(s in e for s in SLOW)])
def test_readme_example_runs(example, understanding):
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {example}"],
        cwd=README.parent,
        capture_output=True,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (example, result.stderr.decode()[-500:])
    assert result.stdout.strip(), example
