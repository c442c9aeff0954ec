"""``starcoach eval``: accuracy on the project's labelled data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from starcoach.cli.output import console, print_json

if TYPE_CHECKING:
    from starcoach.evaluation.classify import ClassifyReport

eval_app = typer.Typer(help="Measure accuracy on labelled data.", no_args_is_help=True)


@eval_app.command("classify")
def eval_classify_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help='JSON lines {"question", "principles"}; default: the held-out tenth of the bank.'
        ),
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Compare the candidate learners by cross-validation.")
    ] = False,
    folds: Annotated[
        int, typer.Option("--folds", min=2, max=20, help="Folds for cross-validation.")
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Top-1 / top-3 accuracy, calibration and confusions of question understanding."""
    from starcoach.evaluation.classify import (
        compare_variants,
        cross_validate,
        embed_bank,
        load_labelled,
        score_questions,
    )
    from starcoach.matching.understanding import SETTINGS, get_understanding

    labelled = load_labelled(file) if file is not None else None
    understanding = get_understanding()
    embedder = understanding.embedder
    extra = None
    if labelled is not None:
        extra = (
            embedder.encode([item.question for item in labelled]),
            [item.principles for item in labelled],
        )

    if compare:
        rows = compare_variants(embed_bank(understanding.kb, embedder), extra, folds)
        if as_json:
            print_json(
                [
                    {k: (v.to_dict() if hasattr(v, "to_dict") else v) for k, v in r.items()}
                    for r in rows
                ]
            )
        else:
            _print_comparison(rows, has_extra=extra is not None)
        return

    reports: list[ClassifyReport] = []
    if labelled is not None:
        questions = [item.question for item in labelled]
        labels = [item.principles for item in labelled]
        reports.append(score_questions(str(file), understanding, questions, labels))
    else:
        split = embed_bank(understanding.kb, embedder)
        reports.append(
            score_questions(
                "bank held-out tenth", understanding, split.holdout_texts, split.holdout_labels
            )
        )
        reports.append(
            cross_validate(split, SETTINGS, folds, name=f"{folds}-fold CV, frozen-encoder head")
        )
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    for report in reports:
        _print_report(report)


def _print_report(report: ClassifyReport) -> None:
    out = console()
    out.print(f"[bold]{report.name}[/bold]  ({report.n} questions)")
    out.print(
        f"  top-1 {report.top1:.3f}   top-3 {report.top3:.3f}   "
        f"primary top-1 {report.primary_top1:.3f}   ECE {report.ece:.3f}"
    )
    weakest = sorted(report.per_principle_recall.items(), key=lambda kv: kv[1])[:4]
    out.print("  weakest principles: " + ", ".join(f"{p} {r:.2f}" for p, r in weakest))
    if report.confusions:
        out.print("  most common confusions (expected → predicted):")
        for expected, predicted, count in report.confusions:
            out.print(f"    {count:>3} × {expected} → {predicted}")
    out.print()


def _print_comparison(rows: list[dict[str, object]], has_extra: bool) -> None:
    from rich.table import Table

    columns = ["variant", "CV top-1", "CV top-3", "held-out top-1", "held-out top-3"]
    if has_extra:
        columns += ["file top-1", "file top-3"]
    table = Table(*columns, box=None)
    for row in rows:
        cells = [str(row["variant"])]
        for key in ("cv", "holdout", "extra") if has_extra else ("cv", "holdout"):
            report = row[key]
            cells += [f"{report.top1:.3f}", f"{report.top3:.3f}"]  # type: ignore[attr-defined]
        table.add_row(*cells)
    console().print(table)


@eval_app.command("critique")
def eval_critique_command(
    folds: Annotated[
        int, typer.Option("--folds", min=2, max=20, help="Folds for cross-validation.")
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """STAR labelling, per-check recall / false alarms, score ordering and level calibration."""
    from starcoach.evaluation.critique import evaluate_critique
    from starcoach.nlp.embedding import get_embedder

    evaluation = evaluate_critique(get_embedder(), folds)
    labelling, checks = evaluation.labelling, evaluation.checks
    if as_json:
        print_json(
            {
                "labelling": [r.to_dict() for r in labelling],
                "checks": [r.to_dict() for r in checks],
                "scores": evaluation.scores.to_dict(),
                "scope": evaluation.scope.to_dict(),
            }
        )
        return
    out = console()
    for report in labelling:
        styles = ", ".join(f"{s} {a:.2f}" for s, a in report.by_style.items())
        out.print(f"[bold]STAR labelling, {report.name}[/bold] ({report.answers} answers)")
        out.print(f"  character accuracy {report.char_accuracy:.3f}   by style: {styles}")
    out.print(
        "\n[bold]Checks[/bold] (recall on answers written with the flaw; false alarms on clean answers)"
    )
    for r in checks:
        recall = "—" if r.recall is None else f"{r.recall:.2f}"
        out.print(
            f"  {r.code:<18} recall {recall:>4} of {r.written_with_flaw:>3}   "
            f"false alarms {r.false_alarm_rate:.2f} of {r.clean_answers}"
        )
    scores = evaluation.scores
    out.print("\n[bold]Scores by quality tier[/bold] (as the answers' authors graded them)")
    for tier, figures in scores.by_quality.items():
        out.print(
            f"  {tier:<9} {figures['answers']:>3.0f} answers   mean {figures['mean']:5.1f}   "
            f"p10 {figures['p10']:5.1f}   p90 {figures['p90']:5.1f}"
        )
    for pair, share in scores.pairwise.items():
        out.print(f"  ordered correctly, {pair}: {share:.2f}")
    ok, total = scores.non_answers_at_most_15
    out.print(f"  non-answers scoring ≤ 15: {ok} of {total}")
    ok, total = scores.off_topic_at_most_30
    out.print(f"  off-topic answers scoring ≤ 30: {ok} of {total}")
    out.print("\n[bold]Level calibration[/bold]")
    for key, value in evaluation.scope.to_dict().items():
        if not isinstance(value, dict | list):
            out.print(f"  {key}: {value}")
