"""Regenerate docs/checks.md from the check registry."""

from pathlib import Path

from starcoach.analysis.checks import render_markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "checks.md"

if __name__ == "__main__":
    TARGET.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")
