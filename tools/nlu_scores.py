"""Scores and file reading shared by the NLU evaluation (tools/nlu_eval.py, app environment) and the fast
model sweep (tools/nlu_sweep_rasa.py, Rasa environment): standard library only, so both can import it."""

from __future__ import annotations

import csv
from pathlib import Path


def macro_f1(gold: list[str], predicted: list[str]) -> tuple[float, dict[str, float]]:
    """Mean F1 over the gold intents (a prediction of another intent lowers that intent's precision)."""
    per_intent = {}
    for intent in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted) if g == intent and p == intent)
        n_predicted = sum(1 for p in predicted if p == intent)
        n_actual = sum(1 for g in gold if g == intent)
        precision, recall = (tp / n_predicted if n_predicted else 0.0), tp / n_actual
        per_intent[intent] = 2 * precision * recall / (precision + recall) if tp else 0.0
    return round(sum(per_intent.values()) / len(per_intent), 4), per_intent


def eval_rows(path: Path) -> list[dict]:
    """Rows of an evaluation CSV in tests/nlu_real/ (its first line is the freeze comment)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader([line for line in lines if not line.startswith("#")]))
