"""Printing helpers shared by the commands: JSON, rich consoles, reading input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starcoach.errors import InputError
from starcoach.nlp.text import decode_input

if TYPE_CHECKING:
    from rich.console import Console

MAX_INPUT_BYTES = 5 * 1024 * 1024


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    """One compact JSON document per line, UTF-8 kept readable."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_text_source(source: str, what: str = "input") -> str:
    """Read a file path, or stdin for '-', with size, binary and encoding checks."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"No such file: {source}")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"Cannot read {source}: {exc.strerror}") from exc
        name = f"file {source}"
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"The {name} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB.")
    return decode_input(data, name if what == "input" else f"{what} in {name}")


def bar(score: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, score)) * width)
    return "█" * filled + "░" * (width - filled)


def report_path(given: Path | None, default_name: str, what: str) -> Path:
    """Where to write a report file: ``given`` (a file, or a folder to put it in) or
    HOME/reports/; the folder is created now so a bad path fails before any work."""
    from starcoach.paths import home_dir

    path = home_dir() / "reports" if given is None else given.expanduser()
    if given is None or path.is_dir():
        path = path / default_name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot create the folder {path.parent} for the {what}: {exc}") from None
    if not path.parent.is_dir():
        raise InputError(f"Cannot write the {what} into {path.parent}: it is not a folder.")
    return path
