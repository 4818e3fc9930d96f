"""Fast intent-model comparison for issue 12 (no `rasa train`): scikit-learn only, seconds per variant.

Runs under the *Rasa* environment (scikit-learn is there, not in the app environment):

    .venv/rasa/bin/python tools/nlu_sweep_rasa.py [VARIANT ...]

Trains each variant of rasa_addons/intent_model.py on the intent examples in nlu/ and prints intent
macro-F1 on every dev file (tests/nlu_real/dev*.csv, each and combined), the old holdout
(tests/nlu_holdout/) and 3-fold stratified cross-validation on nlu/. `current` approximates the
configured pipeline (raw counts, word 1-2 and char_wb 2-4 on lower case, logistic regression,
balanced). The frozen test half is never read here. Confirm a winner with tools.nlu_experiment.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from rasa_addons.intent_model import IntentModel, fold  # noqa: E402
from tools import nlu_scores as scores  # noqa: E402

MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def nlu_pairs(folder: Path) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(folder.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                pairs += [(MARKUP.sub(r"\1", line.strip()[2:].strip()), block["intent"])
                          for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    return pairs


def dev_pairs() -> dict[str, list[tuple[str, str]]]:
    out = {}
    for path in sorted((ROOT / "tests" / "nlu_real").glob("dev*.csv")):
        out[path.stem] = [(r["text"], r["intent"]) for r in scores.eval_rows(path)]
    return out


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    return scores.macro_f1(gold, predicted)[0]


def strict(probas: np.ndarray, classes: list[str], threshold: float, ambiguity: float) -> list[str]:
    out = []
    for row in probas:
        top = np.argsort(-row)[:2]
        unsure = row[top[0]] < threshold or row[top[0]] - row[top[1]] < ambiguity
        out.append("nlu_fallback" if unsure else classes[top[0]])
    return out


VARIANTS = {
    "current": {"vectoriser": "count", "model": "lr", "C": 1.0},
    "lr_tfidf": {"model": "lr", "C": 10.0},
    "lr_tfidf_c30": {"model": "lr", "C": 30.0},
    "svm_c0.5": {"model": "svm", "C": 0.5},
    "svm_c1": {"model": "svm", "C": 1.0},
    "svm_c0.2": {"model": "svm", "C": 0.2},
    "sgd": {"model": "sgd", "C": 1e-4},
    "svm_char25": {"model": "svm", "C": 0.5, "char_ngrams": [2, 5]},
    "svm_char24": {"model": "svm", "C": 0.5, "char_ngrams": [2, 4]},
    "svm_char26": {"model": "svm", "C": 0.5, "char_ngrams": [1, 6]},
    "svm_word1": {"model": "svm", "C": 0.5, "word_ngrams": [1, 1]},
    "svm_nobal": {"model": "svm", "C": 0.5, "class_weight": None},
}


def build(config: dict) -> IntentModel:
    config = dict(config)
    if config.pop("vectoriser", None) == "count":  # the configured pipeline, approximately
        from sklearn.feature_extraction.text import CountVectorizer

        model = IntentModel(config)
        model.vectorisers = [CountVectorizer(ngram_range=(1, 2), lowercase=False, token_pattern=r"(?u)\b\w+\b"),
                             CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False)]
        import rasa_addons.intent_model as im

        model.features = lambda texts, extra=None, fit=False, m=model: _count_features(m, texts, fit)
        return model
    return IntentModel(config)


def _count_features(model: IntentModel, texts, fit: bool):
    from scipy.sparse import hstack

    lowered = [" ".join(t.lower().split()) for t in texts]
    return hstack([v.fit_transform(lowered) if fit else v.transform(lowered) for v in model.vectorisers]).tocsr()


def cross_validation(config: dict, pairs: list[tuple[str, str]], folds: int = 3) -> float:
    from sklearn.model_selection import StratifiedKFold

    texts, labels = np.array([t for t, _ in pairs], dtype=object), np.array([g for _, g in pairs])
    gold, predicted = [], []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=42).split(texts, labels):
        model = build(config).fit(list(texts[train]), list(labels[train]))
        probas = model.predict_proba(list(texts[test]))
        predicted += [model.classes_[i] for i in probas.argmax(axis=1)]
        gold += list(labels[test])
    return macro_f1(gold, predicted)


def main(argv: list[str]) -> int:
    names = argv or list(VARIANTS)
    train = nlu_pairs(ROOT / "nlu")
    sets = {**dev_pairs(), "holdout": nlu_pairs(ROOT / "tests" / "nlu_holdout")}
    sets["dev_all"] = [p for name, pairs in sets.items() if name.startswith("dev") for p in pairs]
    print(f"training {len(train)} examples; " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    results = {}
    for name in names:
        config = VARIANTS[name] if name in VARIANTS else json.loads(name)
        started = time.monotonic()
        model = build(config).fit([t for t, _ in train], [g for _, g in train])
        row = {}
        for set_name, pairs in sets.items():
            probas = model.predict_proba([t for t, _ in pairs])
            gold = [g for _, g in pairs]
            row[set_name] = round(macro_f1(gold, [model.classes_[i] for i in probas.argmax(axis=1)]), 3)
            if set_name == "dev_all":
                grid = [(round(macro_f1(gold, strict(probas, model.classes_, t, a)), 3), t, a)
                        for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5) for a in (0.0, 0.02, 0.05, 0.1)]
                row["dev_all_strict_best"] = max(grid)
        row["cv3"] = round(cross_validation(config, train), 3)
        row["seconds"] = round(time.monotonic() - started, 1)
        results[name] = row
        print(name, json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
