"""``starcoach drill`` and ``starcoach mock``: timed practice, follow-ups, saved attempts.

The commands parse options, drive :mod:`starcoach.practice` (which owns the rules, the
clock accounting and the report) and handle the terminal: a live countdown while the
answer is typed, ``/pause``, Ctrl-D or two empty lines to finish, and Ctrl-C that keeps
what was typed. ``--answer-file`` and ``--answers`` run the same code without a terminal,
for scripts and tests. Every session is saved to the database (``--db``).
"""

from __future__ import annotations

import codecs
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from starcoach.cli.output import console, print_json, read_text_source, report_path
from starcoach.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.knowledge.models import Question
    from starcoach.practice.drill import DrillResult
    from starcoach.practice.followups import FollowUpEngine
    from starcoach.practice.mock import MockReport, MockSession, ScriptedAnswer
    from starcoach.storage.store import StoryStore

END_HINT = "Finish with two empty lines or Ctrl-D · /pause on its own line pauses · Ctrl-C stops"
FOLLOW_UP_TARGET = (30, 90)
"""Seconds: a follow-up answer is short."""

PrincipleOption = Annotated[
    str | None, typer.Option("--principle", "-p", help="A principle id, e.g. dive-deep.")
]
LevelOption = Annotated[
    str | None,
    typer.Option("--level", "-l", help="Target level: junior…principal, or L4–L7 / E3–E7."),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", help="Pick the same questions every time.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AnswerFileOption = Annotated[
    Path | None,
    typer.Option(
        "--answer-file",
        help="Answer from a file instead of typing: plain text, or a .json object "
        '{"answer", "seconds"?, "follow_ups"?: [answers]}.',
    ),
]


# -- drill ------------------------------------------------------------------------------


def drill_command(
    principle: PrincipleOption = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="amazon, meta, google, bank…")
    ] = None,
    level: LevelOption = None,
    seed: SeedOption = None,
    as_json: JsonOption = False,
    answer_file: AnswerFileOption = None,
    audio: Annotated[
        Path | None,
        typer.Option(
            "--audio",
            help="Answer with a recording (wav, mp3, m4a, ogg, opus, webm, flac): it is "
            "transcribed offline and its pace, filler words and pauses are measured.",
        ),
    ] = None,
    voice: Annotated[
        bool,
        typer.Option("--voice", help="Answer out loud: record from the microphone (Enter stops)."),
    ] = False,
) -> None:
    """Drill one question against the clock: answer, critique, then one or two follow-ups."""
    from starcoach.knowledge import load_knowledge
    from starcoach.practice.drill import pick_question

    knowledge = load_knowledge()
    question = pick_question(knowledge, principle, company, level, seed=seed)
    source = answer_source(answer_file, audio, voice)
    out = console(stderr=as_json)
    engine = _engine(knowledge)
    with _open_store() as store:
        critic = _critic(out, source.interactive)
        outcome = run_drill(
            out,
            knowledge,
            question,
            critic,
            engine,
            source,
            level=level,
            company=company,
            as_json=as_json,
        )
        session_id = store.practice.save_drill(outcome.result)
    if as_json:
        print_json({**outcome.to_dict(), "session_id": session_id})
    else:
        out.print(f"\n[green]Saved as practice session {session_id}.[/green]")


@dataclass
class AnswerSource:
    """Where a drill's answers come from: prepared (in order), a recording, the microphone,
    or the keyboard. ``interactive``: a person is at the terminal, so a failed recording
    falls back to typing instead of ending the session."""

    scripted: list[ScriptedAnswer] = field(default_factory=list)
    audio: Path | None = None
    voice: bool = False
    interactive: bool = False

    @property
    def spoken(self) -> bool:
        return self.voice or self.audio is not None

    def next_scripted(self) -> ScriptedAnswer | None:
        return self.scripted.pop(0) if self.scripted else None


def answer_source(
    answer_file: Path | None,
    audio: Path | None = None,
    voice: bool = False,
    *,
    many: bool = False,
) -> AnswerSource:
    """Check the answer options together, and read prepared or piped answers up front."""
    from starcoach.practice.mock import ScriptedAnswer

    if voice and audio is not None:
        raise InputError(
            "Choose one: --voice records from the microphone, --audio FILE reads a recording."
        )
    if answer_file is not None and (voice or audio is not None):
        raise InputError("--answer-file gives a written answer; leave out --voice and --audio.")
    tty = sys.stdin.isatty()
    if voice and not tty:
        raise InputError(
            "--voice records from the microphone and needs a terminal; "
            "pass a recording with --audio FILE instead."
        )
    if answer_file is not None:
        return AnswerSource(scripted=_answer_file(answer_file, many=many))
    if audio is not None:
        if not tty:
            _check_audio_file(audio)  # fail before the model loads; at a terminal: type instead
        return AnswerSource(audio=audio.expanduser(), interactive=tty)
    if voice:
        return AnswerSource(voice=True, interactive=True)
    if tty:
        return AnswerSource(interactive=True)
    piped = read_text_source("-", "answer")
    if not piped.strip():
        raise InputError("The answer on standard input is empty.")
    return AnswerSource(scripted=[ScriptedAnswer(piped)])


def _check_audio_file(path: Path) -> None:
    path = path.expanduser()
    if not path.exists():
        raise InputError(f"Audio file not found: {path}")
    if not path.is_file():
        raise InputError(f"Not an audio file: {path} is not a regular file")
    if path.stat().st_size == 0:
        raise InputError(f"Cannot read audio from {path}: the file is empty")


@dataclass
class DrillOutcome:
    """A finished drill and, for a spoken answer, its delivery measures and transcript."""

    result: DrillResult
    speech: dict[str, Any] | None = None
    transcript: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        if self.speech is not None:
            data["speech"] = self.speech
            data["transcript"] = self.transcript
        return data


def run_drill(
    out: Console,
    knowledge: KnowledgeBase,
    question: Question,
    critic: Critic,
    engine: FollowUpEngine,
    source: AnswerSource,
    *,
    level: str | None = None,
    company: str | None = None,
    as_json: bool = False,
) -> DrillOutcome:
    """One drill from question to follow-ups (shared by ``drill`` and ``review``)."""
    from starcoach.practice.drill import TARGET_SECONDS, Drill

    drill = Drill(question, critic, engine, level=level, company=company)
    names = ", ".join(knowledge.principle(p).name for p in question.principles)
    out.print(f"\n[bold]{question.text}[/bold]")
    out.print(f"[dim]{names} · target 2–3 minutes[/dim]")
    scripted = source.next_scripted()
    spoken = None
    stop = False
    if scripted is not None:
        result = drill.answer(scripted.answer, scripted.seconds)
    else:
        spoken = _spoken_answer(out, source, TARGET_SECONDS) if source.spoken else None
        if spoken is not None:
            result = drill.answer(spoken.text, spoken.seconds)
            result.critique["speech"] = spoken.speech  # saved with the attempt
        else:
            typed = AnswerReader(out).read(TARGET_SECONDS)
            result = drill.answer(typed.text, typed.seconds, typed.interrupted)
            stop = typed.interrupted
    _note(result.follow_up_note)
    if not as_json:
        from starcoach.cli.critique import render_critique

        if spoken is not None:
            out.print(f"\n[bold]Transcript:[/bold] {spoken.text}")
        render_critique(result.critique)
        if spoken is not None:
            render_speech(out, spoken.speech)
    for index, item in enumerate(result.follow_ups):
        if stop:
            break
        out.print(f"\n[bold cyan]Follow-up:[/bold cyan] [bold]{item.followup.text}[/bold]")
        out.print(f"[dim]why: {_why(item.followup.reason)}[/dim]")
        if scripted is not None:
            if index >= len(scripted.follow_ups):
                out.print("[dim](no answer given)[/dim]")
                continue
            text, seconds = scripted.follow_ups[index]
            done = drill.answer_follow_up(index, text, seconds)
        elif not source.interactive:
            out.print("[dim](no answer given)[/dim]")
            continue
        else:
            said = _spoken_answer(out, source, FOLLOW_UP_TARGET) if source.voice else None
            if said is not None:
                done = drill.answer_follow_up(index, said.text, said.seconds)
                if done.critique is not None:
                    done.critique["speech"] = said.speech
            else:
                typed = AnswerReader(out).read(FOLLOW_UP_TARGET)
                done = drill.answer_follow_up(index, typed.text, typed.seconds, typed.interrupted)
                stop = typed.interrupted
        if done.critique is not None:
            _brief(out, done.critique)
    result = drill.finish()
    speech = spoken.speech if spoken else None
    return DrillOutcome(result, speech, spoken.text if spoken else None)


def _answer_file(path: Path, *, many: bool = False) -> list[ScriptedAnswer]:
    """Plain text (one answer), or .json/.jsonl objects like the lines of ``mock --answers``.

    A drill takes exactly one answer; a review (``many``) takes one per drill, in order.
    """
    from starcoach.practice.mock import ScriptedAnswer, parse_scripted_answers

    text = read_text_source(str(path), "answer")
    if path.suffix.lower() in (".json", ".jsonl"):
        answers = parse_scripted_answers(text, str(path))
        if not answers:
            raise InputError(f"The answer file {path} holds no answer.")
        if len(answers) != 1 and not many:
            raise InputError(f"{path} holds {len(answers)} answers; a drill takes one.")
        return answers
    if not text.strip():
        raise InputError(f"The answer file {path} is empty.")
    return [ScriptedAnswer(text)]


# -- spoken answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spoken:
    text: str
    seconds: float
    speech: dict[str, Any]
    """Delivery measures (``SpeechMetrics.to_dict()``) and where the audio came from."""


def _spoken_answer(out: Console, source: AnswerSource, target: tuple[int, int]) -> Spoken | None:
    """Record or read the answer, transcribe it, measure it. At a terminal a failure (no
    microphone, no voice extra, an unreadable file) says why and returns None, so the
    caller asks for a typed answer; without one it is the command's error."""
    from starcoach.errors import StarcoachError
    from starcoach.practice import voice

    recorded: Path | None = None
    try:
        if source.voice:
            recorded = _record(out, target)
            path = recorded
        else:
            assert source.audio is not None
            path = source.audio
        if source.interactive:
            with out.status("Transcribing your answer…"):
                transcript = voice.transcribe(path)
        else:
            transcript = voice.transcribe(path)
        if not transcript.words:
            raise InputError(
                f"No speech recognised in {path} ({transcript.duration:.1f} s of audio). "
                "Check the microphone and speak in English."
            )
    except StarcoachError as exc:
        if not source.interactive:
            raise
        _warn(f"{exc}")
        out.print("[yellow]Type your answer instead.[/yellow]")
        source.voice = False  # no second attempt at a broken microphone
        source.audio = None
        return None
    finally:
        if recorded is not None:
            _remove_recording(recorded)
    metrics = voice.speech_metrics(transcript)
    speech = {
        **metrics.to_dict(),
        "source": "microphone" if source.voice else "file",
        "audio": None if source.voice else str(path),
    }
    if source.audio is not None:
        source.audio = None  # one recording answers the main question; follow-ups are typed
    return Spoken(transcript.text, round(transcript.duration, 1), speech)


def _record(out: Console, target: tuple[int, int]) -> Path:
    """Record until Enter, Ctrl-C or the time limit; the recording runs in a thread so
    the terminal stays free to hear Enter."""
    import select
    import tempfile
    import threading

    from starcoach.practice import voice

    voice._sounddevice()  # no PortAudio or no extra: say so before "Recording" is shown
    stop = threading.Event()
    box: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="starcoach-voice-"))

    def work() -> None:
        try:
            box["path"] = voice.record(folder=folder, stop=stop)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="starcoach-record", daemon=True)
    out.print(
        f"[bold red]● Recording[/bold red] — answer out loud, about {target[1] // 60} minutes. "
        "[dim]Press Enter to stop.[/dim]"
    )
    started = time.monotonic()
    thread.start()
    try:
        while thread.is_alive():
            ready, _, _ = select.select([sys.stdin], [], [], 0.2)
            if ready:
                sys.stdin.readline()
                stop.set()
    except KeyboardInterrupt:
        stop.set()
    thread.join()
    if "error" in box:
        _remove_folder(folder)
        raise box["error"]
    out.print(f"[dim]Recorded {_mmss(time.monotonic() - started)}.[/dim]")
    return Path(box["path"])


def _remove_recording(path: Path) -> None:
    """Recordings of private stories are not kept once transcribed."""
    path.unlink(missing_ok=True)
    _remove_folder(path.parent)


def _remove_folder(folder: Path) -> None:
    import contextlib

    if folder.name.startswith("starcoach-voice-"):
        with contextlib.suppress(OSError):
            folder.rmdir()


def render_speech(out: Console, speech: dict[str, Any]) -> None:
    """Delivery: pace, filler words and long pauses of a spoken answer."""
    from collections import Counter

    wpm = speech.get("words_per_minute") or 0
    pace = speech.get("pace")
    pace_note = f" ({pace})" if pace else ""
    out.print("\n[bold]Delivery[/bold]")
    out.print(
        f"  pace        {wpm:.0f} words per minute{pace_note} [dim]· target about 150 "
        "(110–180)[/dim]"
    )
    fillers = Counter(speech.get("fillers") or [])
    listed = ", ".join(f"{word} ×{n}" for word, n in fillers.most_common(5))
    out.print(
        f"  fillers     {speech.get('filler_words_per_minute', 0):.1f} filler words per minute"
        + (f" [dim]({listed})[/dim]" if listed else "")
    )
    pauses = speech.get("pauses") or []
    if pauses:
        shown = "; ".join(f"{p['seconds']:.1f} s after “{p['after']}”" for p in pauses[:4]) + (
            " …" if len(pauses) > 4 else ""
        )
        out.print(
            f"  pauses      {len(pauses)} long pause(s) of {speech.get('long_pause_seconds', 2)}"
            f" s or more: {shown}"
        )
    else:
        out.print("  pauses      no long pauses")
    out.print("[dim]  Whisper drops most “um”/“uh”, so the filler count is a lower bound.[/dim]")


# -- mock -------------------------------------------------------------------------------


def mock_command(
    company: Annotated[
        str, typer.Option("--company", "-c", help="amazon, meta, google, bank or generic.")
    ] = "amazon",
    minutes: Annotated[
        int, typer.Option("--minutes", "-m", help="Length of the interview (20–180).")
    ] = 60,
    level: LevelOption = None,
    seed: SeedOption = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help='Run unattended from JSON lines {"answer", "seconds"?, "follow_ups"?: '
            "[answers]} ('-' for stdin).",
        ),
    ] = None,
    report_html: Annotated[
        Path | None,
        typer.Option(
            "--report-html", help="Where to write the HTML report (default: HOME/reports/)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A timed mock interview: 6–8 questions with follow-ups, then a report (terminal + HTML)."""
    from starcoach.knowledge import load_knowledge
    from starcoach.practice.mock import (
        ManualClock,
        MockSession,
        mock_report,
        parse_scripted_answers,
        plan_mock,
        render_report_html,
        run_scripted,
    )

    knowledge = load_knowledge()
    plan = plan_mock(knowledge, company, minutes, level, seed)
    scripted = None
    if answers is not None:
        source = str(answers)
        scripted = parse_scripted_answers(read_text_source(source, "answers"), source)
    elif not sys.stdin.isatty():
        raise InputError(
            "A mock interview needs a terminal to type in; use --answers FILE.jsonl to run "
            "it from prepared answers."
        )
    html_path = _report_path(report_html)
    out = console(stderr=as_json)
    engine = _engine(knowledge)
    with _open_store() as store:
        critic = _critic(out, scripted is None)
        if scripted is not None:
            clock = ManualClock()
            session = MockSession(
                plan, critic, engine, company=company, minutes=minutes, level=level, clock=clock
            )
            run_scripted(session, scripted, clock)
            if len(scripted) > len(session.answers):
                extra = len(scripted) - len(session.answers)
                _warn(f"{extra} prepared answer(s) not used: the interview ended first.")
        else:
            session = MockSession(
                plan, critic, engine, company=company, minutes=minutes, level=level
            )
            _run_interactive(out, knowledge, session)
        for note in dict.fromkeys(a.follow_up_note for a in session.answers if a.follow_up_note):
            _note(note)
        report = mock_report(session)
        session_id = store.practice.save_mock(session, report)
    _write_report(html_path, render_report_html(report))
    if as_json:
        print_json({**report.to_dict(), "session_id": session_id, "report_html": str(html_path)})
        return
    render_mock_report(out, report)
    out.print(f"\n[green]Saved as practice session {session_id}.[/green] Report: {html_path}")


def _run_interactive(out: Console, knowledge: KnowledgeBase, session: MockSession) -> None:
    from starcoach.practice.drill import TARGET_SECONDS
    from starcoach.practice.mock import format_seconds

    firm = knowledge.company(session.company)
    out.print(
        f"\n[bold]Mock interview · {firm.name} · {session.minutes} minutes · "
        f"{len(session.plan)} questions[/bold]"
    )
    out.print(f"[dim]{END_HINT}. Nobody cuts you off: finish your answer.[/dim]")
    reader = AnswerReader(out, session=session)
    session.start()
    while (item := session.next_question()) is not None:
        name = knowledge.principle(item.principle).name
        out.print(
            f"\n[bold]Question {item.index} of {len(session.plan)}[/bold] [dim]· {name} · "
            f"{format_seconds(session.time_left)} left[/dim]"
        )
        out.print(f"[bold]{item.question.text}[/bold]")
        typed = reader.read(TARGET_SECONDS)
        session.record_answer(typed.text, typed.interrupted)
        if typed.interrupted:
            session.finish("stopped by you")
            break
        while (followup := session.next_follow_up()) is not None:
            out.print(f"\n[bold cyan]Follow-up:[/bold cyan] [bold]{followup.text}[/bold]")
            typed = reader.read(FOLLOW_UP_TARGET)
            session.record_follow_up(typed.text, typed.interrupted)
            if typed.interrupted:
                session.finish("stopped by you")
                break
        if session.state != "finished" and session.time_left < 0:
            out.print("[yellow]Time is up; let's wrap up here.[/yellow]")
    out.print(f"\n[bold]That's the interview ({session.end_reason}).[/bold] Writing the report…")


def render_mock_report(out: Console, report: MockReport) -> None:
    """The terminal report: summary, per-answer table, patterns, principle coverage."""
    from rich.table import Table

    from starcoach.practice.mock import format_seconds

    average = "–" if report.average_score is None else str(report.average_score)
    out.print(
        f"\n[bold]Mock interview report · {report.company_name}[/bold]  average score "
        f"[bold]{average}[/bold] · {len(report.answers)}/{report.questions_planned} questions"
        f" · {format_seconds(report.interview_seconds)} interview time"
    )
    table = Table(title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("principle")
    table.add_column("score", justify="right")
    table.add_column("time", justify="right")
    table.add_column("follow-ups", justify="right")
    table.add_column("findings")
    for a in report.answers:
        table.add_row(
            str(a.index),
            a.principle_name,
            str(a.score),
            ("[red]" if a.over_budget else "") + format_seconds(a.seconds),
            str(len(a.follow_ups)) if a.follow_ups else "–",
            ", ".join(a.findings[:4]) + (" …" if len(a.findings) > 4 else ""),
        )
    out.print(table)
    if report.patterns:
        out.print("[bold]Patterns across answers[/bold]")
        for p in report.patterns:
            out.print(f"  • [bold]{p.message}[/bold] — {p.advice}")
    else:
        out.print("[bold]Patterns across answers:[/bold] no weakness recurs.")
    missing = [c.name for c in report.coverage if c.company_principle and not c.asked]
    asked = [f"{c.name} ({c.score})" for c in report.coverage if c.asked]
    out.print(f"[bold]Principles covered:[/bold] {', '.join(asked) or '–'}")
    if missing:
        out.print(f"[dim]Not asked this time: {', '.join(missing)}[/dim]")


def _report_path(given: Path | None) -> Path:
    """The HTML report's path (HOME/reports/mock-STAMP.html unless given)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return report_path(given, f"mock-{stamp}.html", "report")


def _write_report(path: Path, html: str) -> None:
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the report to {path}: {exc.strerror or exc}") from None


# -- shared -----------------------------------------------------------------------------


def _open_store() -> StoryStore:
    from starcoach.storage import open_store

    return open_store()


def _critic(out: Console, interactive: bool) -> Critic:
    from starcoach.analysis.critique import Critic

    if not interactive:
        return Critic()
    from starcoach.paths import cache_dir

    first_run = not any(cache_dir().glob("classifier-*"))
    note = " (first run: building caches, about a minute, once)" if first_run else ""
    with out.status(f"Loading the coach…{note}"):
        return Critic()


def _engine(knowledge: KnowledgeBase) -> FollowUpEngine:
    from starcoach.practice.followups import FollowUpEngine
    from starcoach.practice.llm import provider_from_env

    return FollowUpEngine(knowledge, provider_from_env())


_NOTED: set[str] = set()


def _note(note: str | None) -> None:
    """Say once, on stderr, why the LLM's follow-ups were not used."""
    if note and note not in _NOTED:
        _NOTED.add(note)
        _warn(f"LLM follow-ups unavailable: {note}. Using the built-in follow-ups.")


def _warn(message: str) -> None:
    console(stderr=True).print(f"[yellow]warning:[/yellow] {message}")


def _why(reason: str) -> str:
    if reason == "question":
        return "a usual follow-up to this question"
    if reason.startswith("probe:"):
        return f"a deep-dive probe for {reason.removeprefix('probe:')}"
    if reason == "llm":
        return "proposed by the LLM"
    return f"your answer: {reason}"


def _brief(out: Console, critique: dict[str, Any]) -> None:
    """One line after a follow-up reply: what it changed (or, for older data, its score)."""
    judged = critique.get("follow_up")
    if judged:
        style = {True: "green", False: "yellow"}.get(judged["closed"], "default")
        out.print(f"[{style}]{judged['note']}[/{style}]")
        return
    steps = critique.get("next_steps") or []
    tip = f" — {steps[0]}" if steps else ""
    out.print(f"[bold]Score {critique['score']}/100[/bold][dim]{tip}[/dim]")


# -- typing an answer -------------------------------------------------------------------


def _drain_typed(fd: int, decoder: codecs.IncrementalDecoder, editor: LineEditor) -> None:
    """Feed the editor what was typed before Ctrl-C but not read yet (a fast paste)."""
    import os
    import select

    while select.select([fd], [], [], 0)[0]:
        data = os.read(fd, 4096)
        if not data:
            return
        for char in decoder.decode(data):
            if editor.feed(char) == "end":
                return


@dataclass(frozen=True)
class Typed:
    text: str
    seconds: float
    interrupted: bool


class Stopwatch:
    """Answer time with pauses taken out."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.paused_total = 0.0
        self.paused_since: float | None = None

    def pause(self) -> None:
        if self.paused_since is None:
            self.paused_since = time.monotonic()

    def resume(self) -> None:
        if self.paused_since is not None:
            self.paused_total += time.monotonic() - self.paused_since
            self.paused_since = None

    def elapsed(self) -> float:
        end = self.paused_since if self.paused_since is not None else time.monotonic()
        return end - self.start - self.paused_total


class AnswerReader:
    """Reads one multi-line answer with a live countdown (or plain lines off a terminal).

    Ends on two empty lines or Ctrl-D; ``/pause`` alone on a line pauses (and pauses the
    mock's clock) until Enter; Ctrl-C ends the answer *keeping* what was typed.
    """

    def __init__(self, out: Console, session: MockSession | None = None) -> None:
        self.out = out
        self.session = session

    def read(self, target: tuple[int, int]) -> Typed:
        try:
            import termios  # noqa: F401  (POSIX only)
        except ImportError:
            return self._read_lines(target)
        if not sys.stdin.isatty():
            return self._read_lines(target)
        return self._read_live(target)

    # the clock
    def _pause(self, watch: Stopwatch) -> None:
        watch.pause()
        if self.session is not None:
            self.session.pause()

    def _resume(self, watch: Stopwatch) -> None:
        watch.resume()
        if self.session is not None:
            self.session.resume()

    def _read_lines(self, target: tuple[int, int]) -> Typed:
        self.out.print(f"[dim]Target {target[1] // 60}:{target[1] % 60:02d}. {END_HINT}.[/dim]")
        watch = Stopwatch()
        lines: list[str] = []
        interrupted = False
        try:
            while True:
                line = input()
                if line.strip() == "/pause":
                    self._pause(watch)
                    input("Paused. Press Enter to resume. ")
                    self._resume(watch)
                    continue
                lines.append(line)
                if len(lines) >= 3 and lines[-1] == lines[-2] == "" and any(lines):
                    break
        except EOFError:
            pass
        except KeyboardInterrupt:
            interrupted = True
        self._resume(watch)
        return Typed("\n".join(lines).strip(), watch.elapsed(), interrupted)

    def _read_live(self, target: tuple[int, int]) -> Typed:
        import os
        import select
        import termios
        import tty

        from rich.live import Live

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        editor = LineEditor()
        watch = Stopwatch()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        interrupted = False
        render = self._renderer(editor, watch, target)
        live = Live(
            get_renderable=render,
            console=self.out,
            refresh_per_second=4,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # keep what was typed ahead (no flush)
            mode = termios.tcgetattr(fd)
            mode[3] |= termios.NOFLSH  # Ctrl-C must not discard keystrokes not yet read
            termios.tcsetattr(fd, termios.TCSANOW, mode)
            with live:
                done = False
                while not done:
                    ready, _, _ = select.select([fd], [], [], 0.25)
                    if not ready:
                        continue
                    data = os.read(fd, 4096)
                    if not data:
                        break
                    for char in decoder.decode(data):
                        event = editor.feed(char)
                        if event == "end":
                            done = True
                            break
                        if event == "pause":
                            self._pause(watch)
                        elif event == "resume":
                            self._resume(watch)
                    live.refresh()
        except KeyboardInterrupt:
            interrupted = True
            _drain_typed(fd, decoder, editor)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            self._resume(watch)
        text = editor.text.strip()
        seconds = watch.elapsed()
        words = len(text.split())
        mark = " [yellow](stopped with Ctrl-C; your text is kept)[/yellow]" if interrupted else ""
        self.out.print(
            f"[dim]Answer recorded: {words} words in {int(seconds) // 60}:"
            f"{int(seconds) % 60:02d}.[/dim]{mark}"
        )
        return Typed(text, seconds, interrupted)

    def _renderer(
        self, editor: LineEditor, watch: Stopwatch, target: tuple[int, int]
    ) -> Callable[[], RenderableType]:
        from rich.console import Group
        from rich.text import Text

        def render() -> RenderableType:
            elapsed = watch.elapsed()
            low, high = target
            if elapsed < low:
                style, note = "green", f"{_mmss(high - elapsed)} left of {_mmss(high)}"
            elif elapsed <= high:
                style, note = "yellow", f"{_mmss(high - elapsed)} left of {_mmss(high)}"
            else:
                style, note = "bold red", f"{_mmss(elapsed - high)} over {_mmss(high)}; wrap up"
            clock = Text(f"⏱ {_mmss(elapsed)}  ·  {note}", style=style)
            if self.session is not None:
                clock.append(f"  ·  interview: {_mmss(self.session.time_left)} left", style="dim")
            if editor.paused:
                clock.append("  ·  PAUSED — press Enter to resume", style="bold magenta")
            width = max(20, self.out.width - 2)
            lines: list[str] = []
            for raw in editor.text.split("\n"):
                lines.extend(textwrap.wrap(raw, width) or [""])
            room = max(3, self.out.height - 5)
            shown = lines[-room:]
            body = Text("\n".join(shown))
            body.append("▌", style="blink")
            return Group(clock, body, Text(END_HINT, style="dim"))

        return render


def _mmss(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(int(abs(seconds)), 60)
    return f"{sign}{minutes}:{secs:02d}"


class LineEditor:
    """The keystroke rules of the answer box, apart from the terminal so tests can feed it.

    Enter, Backspace, Ctrl-U (clear line), Ctrl-W (delete word), Ctrl-D (finish); escape
    sequences (arrow keys) are ignored; leading empty lines are dropped; a line that is
    just ``/pause`` pauses and is not part of the answer.
    """

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.paused = False
        self._escape = 0

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def feed(self, char: str) -> str | None:
        """Apply one character; returns ``end``, ``pause``, ``resume`` or None."""
        if self._escape:
            if self._escape == 1:
                self._escape = 2 if char in "[O" else 0
            elif "@" <= char <= "~":
                self._escape = 0
            return None
        if char == "\x1b":
            self._escape = 1
            return None
        if self.paused:
            if char in "\r\n":
                self.paused = False
                return "resume"
            return None
        if char == "\x04":
            return "end"
        if char in "\r\n":
            return self._newline()
        if char in "\x7f\x08":
            if self.chars:
                self.chars.pop()
        elif char == "\x15":
            while self.chars and self.chars[-1] != "\n":
                self.chars.pop()
        elif char == "\x17":
            while self.chars and self.chars[-1] == " ":
                self.chars.pop()
            while self.chars and self.chars[-1] not in " \n":
                self.chars.pop()
        elif char == "\t":
            self.chars.append(" ")
        elif char >= " ":
            self.chars.append(char)
        return None

    def _newline(self) -> str | None:
        text = self.text
        start = text.rfind("\n") + 1
        if text[start:].strip() == "/pause":
            del self.chars[start:]
            self.paused = True
            return "pause"
        if not text.strip():
            self.chars.clear()  # no leading empty lines
            return None
        self.chars.append("\n")
        if self.text.endswith("\n\n\n"):
            del self.chars[-3:]
            return "end"
        return None
