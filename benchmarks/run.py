"""Latency benchmarks: ``make bench`` runs this and writes docs/benchmarks.md.

Measured on whatever machine runs it; the doc records that machine. Timings are taken
with the cache warm (as a user has it after the first run), in a throwaway
STARCOACH_HOME so the user's own data is never touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark modules
from match_bench import bench_match_in_process
from voice_bench import bench_voice

COLD_RUNS = 7
BATCH_RUNS = 3
"""The batch is timed this many times and the median kept: one run is noisy on 2 cores."""
QUESTION = "Tell me about a time you disagreed with your manager and what happened next."
ANSWER = (
    "At a travel startup I was the engineer on call when our booking API began timing out. "
    "I owned the fix. I traced the slow requests to one query, rewrote it, and load-tested "
    "the change before releasing it to a tenth of traffic. Timeouts fell from 3% to 0.1%. "
    "I learned to measure before I tune anything."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def bench_classify_in_process() -> dict[str, float]:
    from starcoach.knowledge import load_knowledge
    from starcoach.matching.understanding import get_understanding

    understanding = get_understanding()
    questions = [q.text for q in load_knowledge().questions][:300]
    understanding.analyse(questions[0])  # warm-up
    timings = []
    for text in questions:
        start = time.perf_counter()
        understanding.analyse(text)
        timings.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    understanding.analyse_lines(questions)
    batch_ms = (time.perf_counter() - start) * 1000 / len(questions)
    return {
        "n": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 95),
        "batch_ms_per_question": batch_ms,
    }


def bench_critique_in_process() -> dict[str, float]:
    """Answers of about 400 words (350–450) from the project's labelled set, with their
    questions: one at a time, and as one ``--batch``-style call."""
    from starcoach.analysis.critique import Critic, CritiqueRequest
    from starcoach.analysis.dataset import load_labelled_answers
    from starcoach.nlp.sentences import split_sentences

    answers = [a for a in load_labelled_answers() if 350 <= len(a.text.split()) <= 450]
    requests = [CritiqueRequest(a.text, a.question) for a in answers]
    critic = Critic()
    critic.critique_many(requests[:2])  # warm-up
    timings = []
    for request in requests:
        start = time.perf_counter()
        critic.critique_many([request])
        timings.append((time.perf_counter() - start) * 1000)
    batch_walls, batch_cpus = [], []
    for _ in range(BATCH_RUNS):
        start, cpu_start = time.perf_counter(), time.process_time()
        critic.critique_many(requests)
        batch_walls.append((time.perf_counter() - start) * 1000 / len(requests))
        batch_cpus.append((time.process_time() - cpu_start) * 1000 / len(requests))
    # The floor under the figure above: the embedding pass over the same sentences alone.
    texts = [s.text for r in requests for s in split_sentences(r.answer)]
    texts += [r.question for r in requests if r.question]
    embed_walls = []
    for _ in range(BATCH_RUNS):
        start = time.perf_counter()
        critic.embedder.encode(texts)
        embed_walls.append((time.perf_counter() - start) * 1000 / len(requests))
    return {
        "n": len(requests),
        "embedding_ms_per_answer": statistics.median(embed_walls),
        "mean_words": statistics.mean(len(r.answer.split()) for r in requests),
        "p50_ms": statistics.median(timings),
        "batch_ms_per_answer": statistics.median(batch_walls),
        "batch_cpu_ms_per_answer": statistics.median(batch_cpus),
    }


def bench_cold_cli(*args: str) -> dict[str, float]:
    exe = shutil.which("starcoach", path=str(Path(sys.executable).parent)) or "starcoach"
    command = [exe, *args]
    subprocess.run(command, check=True, capture_output=True)  # fills the cache once
    walls = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    return {"runs": COLD_RUNS, "median_s": statistics.median(walls), "max_s": max(walls)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def load_average() -> str:
    """The 1-minute load average: above the core count, other processes were competing."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def render(
    classify: dict[str, float],
    cold: dict[str, float],
    critique: dict[str, float],
    cold_critique: dict[str, float],
    match: dict[str, float],
    voice: dict[str, float],
) -> str:
    ok = lambda good: "✅" if good else "❌"  # noqa: E731 - a tiny formatter
    return f"""# Benchmarks

Generated by `make bench` (`python benchmarks/run.py --write docs/benchmarks.md`) on
{date.today().isoformat()}; machine: {machine()}; load average {load_average()} at the
end of the run. Re-run it to refresh these figures.

## Question understanding (`starcoach classify`)

| measure | figure | goal | |
|---|---|---|---|
| in-process latency, p50 (one question, {classify["n"]} bank questions) | {classify["p50_ms"]:.1f} ms | ≤ 10 ms | {ok(classify["p50_ms"] <= 10)} |
| in-process latency, p95 | {classify["p95_ms"]:.1f} ms | — | |
| batched (`classify -`), per question | {classify["batch_ms_per_question"]:.1f} ms | — | |
| cold `starcoach classify "…" --json`, wall time, median of {cold["runs"]} | {cold["median_s"]:.2f} s | ≤ 1.0 s | {ok(cold["median_s"] <= 1.0)} |
| cold `starcoach classify "…" --json`, slowest run | {cold["max_s"]:.2f} s | — | |

"Cold" is a new process each time, with the optimised question-encoder graph and the
bank's question vectors already in the cache (the first run after installing, or after
the bank changes, builds them once).

## Answer critique (`starcoach critique`)

| measure | figure | goal | |
|---|---|---|---|
| per answer in a batch ({critique["n"]} answers of {critique["mean_words"]:.0f} words on average, with questions), median of {BATCH_RUNS} | {critique["batch_ms_per_answer"]:.1f} ms | ≤ 25 ms | {ok(critique["batch_ms_per_answer"] <= 25)} |
| CPU time per answer in that batch, all threads | {critique["batch_cpu_ms_per_answer"]:.1f} ms | — | |
| of which the embedding pass alone (same sentences and questions), wall | {critique["embedding_ms_per_answer"]:.1f} ms | — | |
| one answer at a time, p50 | {critique["p50_ms"]:.1f} ms | — | |
| cold `starcoach critique FILE --json`, wall time, median of {cold_critique["runs"]} | {cold_critique["median_s"]:.2f} s | ≤ 1.5 s | {ok(cold_critique["median_s"] <= 1.5)} |
| cold `starcoach critique FILE --json`, slowest run | {cold_critique["max_s"]:.2f} s | — | |

Nearly all of the critique's time is the embedding model reading every sentence once
(MiniLM, on the CPU: ~500 tokens for a 400-word answer and its question); labelling,
checks, principles and scoring reuse those vectors. The "int8" model stores its weights
in int8 but computes in float32 (the optimised graph folds the weights back), so the
pass costs about 21 MFLOP per token whatever the runtime settings. A wall figure well
above the CPU figure divided by the cores means other processes shared the machine
during the run.

## Matching stories to a question (`starcoach match`)

| measure | figure | goal | |
|---|---|---|---|
| one question over {match["stories"]:,} stories ({match["sentences"]:,} sentences), p50, in-process | {match["p50_ms"]:.1f} ms | ≤ 20 ms | {ok(match["p50_ms"] <= 20)} |
| the same, p95 | {match["p95_ms"]:.1f} ms | — | |
| of which embedding the question, p50 | {match["embed_p50_ms"]:.1f} ms | — | |
| of which ranking with reasons, p50 | {match["rank_p50_ms"]:.1f} ms | — | |
| building the index from stored vectors | {match["build_stored_s"]:.2f} s | — | |

The stories are the evaluation set's, repeated with small changes to their vectors
(benchmarks/match_bench.py); the index is built once per command from the vectors stored
with each story, so no story is re-encoded.

## Spoken answers (`starcoach[voice]`, Whisper tiny.en)

| measure | figure | goal | |
|---|---|---|---|
| real-time factor, transcribing {voice["audio_seconds"]:.0f} s of espeak-ng speech, median | {voice["rtf_median"]:.2f} | ≤ 0.3 | {ok(voice["rtf_median"] <= 0.3)} |
| real-time factor, best run | {voice["rtf_best"]:.2f} | — | |
| model load, in process | {voice["model_load_seconds"]:.2f} s | — | |
| word error rate of that transcript | {voice["word_error_rate"]:.3f} | — | |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="also write the Markdown report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["STARCOACH_HOME"] = home
        classify = bench_classify_in_process()
        cold = bench_cold_cli("classify", QUESTION, "--json")
        critique = bench_critique_in_process()
        answer = Path(home) / "answer.txt"
        answer.write_text(ANSWER, encoding="utf-8")
        cold_critique = bench_cold_cli("critique", str(answer), "--json")
        match = bench_match_in_process()
        voice = bench_voice()
    report = render(classify, cold, critique, cold_critique, match, voice)
    print(report)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
