"""The ``starcoach`` Typer application and its error boundary.

Commands import the core lazily so that ``starcoach --help`` and a cold
``starcoach classify`` stay fast. Every :class:`StarcoachError` becomes a one-line
message on stderr and a non-zero exit; no traceback reaches the user.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from starcoach import __version__
from starcoach.cli import (
    bank,
    classify,
    critique,
    evaluate,
    knowledge,
    practice,
    serve,
    stories,
    tour,
)
from starcoach.cli import review as review_cli
from starcoach.errors import StarcoachError
from starcoach.paths import DB_URL_ENV, HOME_ENV

app = typer.Typer(
    name="starcoach",
    help="A local-first coach for behavioral interviews (STAR, Amazon Leadership Principles).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"starcoach {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help=f"Folder for your data (default: ${HOME_ENV} or the platform's data dir).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database URL, e.g. postgresql+psycopg://… (default: ${DB_URL_ENV} or SQLite "
            "in your data folder).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    if home is not None:
        os.environ[HOME_ENV] = str(home.expanduser())
    if db is not None:
        os.environ[DB_URL_ENV] = db


app.command("classify")(classify.classify_command)
app.command("critique")(critique.critique_command)
app.command("principles")(knowledge.principles_command)
app.command("questions")(knowledge.questions_command)
app.command("tour")(tour.tour_command)
app.add_typer(stories.story_app, name="story")
app.command("import")(bank.import_command)
app.command("export")(bank.export_command)
app.command("match")(bank.match_command)
app.command("coverage")(bank.coverage_command)
app.command("plan")(bank.plan_command)
app.command("drill")(practice.drill_command)
app.command("mock")(practice.mock_command)
app.command("history")(review_cli.history_command)
app.command("progress")(review_cli.progress_command)
app.command("review")(review_cli.review_command)
app.command("serve")(serve.serve_command)
app.command("backup")(bank.backup_command)
app.command("restore-backup")(bank.restore_backup_command)
app.add_typer(evaluate.eval_app, name="eval")


def main() -> None:
    """Console-script entry point: run the app behind the error boundary."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except StarcoachError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. '| head'); nothing to report
        sys.exit(0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(1)
    except Exception as exc:  # click's usage errors and anything unexpected
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        sys.stderr.write(f"error: unexpected {type(exc).__name__}: {exc}\n")
        sys.exit(70)


def _is_usage_error(exc: Exception) -> bool:
    """Click's own errors, from click or from the copy recent Typer versions carry inside."""
    import click

    if isinstance(exc, click.ClickException):
        return True
    return any(
        cls.__name__ == "ClickException" and cls.__module__.endswith("exceptions")
        for cls in type(exc).__mro__
    )
