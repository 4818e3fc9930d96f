"""`make nlu-eval`: how well NLU understands messages it was not trained on.

Three figures (issue 12): (1) the FROZEN test half of real Dutch questions nobody here wrote
(tests/nlu_real/test.csv; scored only, never looked at for tuning), (2) the old hand-written holdout
(tests/nlu_holdout/), (3) cross-validation on the training data (skip with `--no-cv`: it trains
three NLU models). `--dev` also scores the dev files, the ones to learn from: every
tests/nlu_real/dev*.csv (dev.csv, the dev half of the frozen split, and dev_extra_*.csv, real quotes
collected later and never trained on), each on its own and all combined.

Holdout: evaluates the trained model (trained first if the data changed) on the hand-written held-out
messages in tests/nlu_holdout/ - realistic messages that are not in nlu/ (tests/test_nlu_data.py
checks that) - with `rasa test nlu`, and writes Rasa's intent and entity reports to
reports/nlu_holdout/. With `--cv` it also runs 3-fold cross-validation on the training data
(reports/nlu_cv/; trains 3 NLU models, about 9 minutes), reported for information only.

Intent macro-F1 is the mean F1 over the intents of issue 3, as `rasa test nlu` computes it: the
top intent, also when the bot would not trust it. The running bot does not answer those: below the
FallbackClassifier thresholds it offers the two most likely intents instead. So a second, strict
pass parses the held-out messages like the bot does (tools/nlu_parse_rasa.py) and counts a
fallback as a miss; it also says how often the right intent was among the two buttons offered.
Entity F1 is Rasa's token-level F1 per entity of the entity extractor (CRFEntityExtractor). Exits 1
when a target is missed (targets apply to both intent numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from settings import ROOT, get_settings
from tools.nlu_scores import eval_rows, macro_f1
from werkpunt.rasa_env import RASA_BIN, rasa_environ
from werkpunt.training import ensure_model

HOLDOUT = ROOT / "tests" / "nlu_holdout"
REAL = ROOT / "tests" / "nlu_real"
TARGET_REAL_MACRO_F1 = 0.90
TARGET_HOLDOUT_MACRO_F1 = 0.95
REPORTS = ROOT / "reports"

TARGET_ENTITY_F1 = 0.90
TARGET_ENTITIES = ("job_title", "location")
NOT_INTENTS = {"accuracy", "macro avg", "weighted avg", "micro avg", "nlu_fallback"}


def run_rasa(args: list[str]) -> None:
    result = subprocess.run([str(RASA_BIN), *args], cwd=ROOT, env=rasa_environ(get_settings()),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args[:2])} is mislukt:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def summarise(out: Path) -> dict:
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    gold = {name: row for name, row in intents.items() if name not in NOT_INTENTS and isinstance(row, dict)}
    # The entity extractor's report: CRFEntityExtractor since issue 12 (no TensorFlow), DIET before;
    # the newest, as an older run's report of the other extractor may still lie there.
    report = max((p for p in (out / "CRFEntityExtractor_report.json", out / "DIETClassifier_report.json")
                  if p.exists()), key=lambda p: p.stat().st_mtime)
    entities = json.loads(report.read_text(encoding="utf-8"))
    return {
        "messages": sum(row["support"] for row in gold.values()),
        "intent_macro_f1": round(sum(row["f1-score"] for row in gold.values()) / len(gold), 4),
        "intent_accuracy": round(intents.get("accuracy", 0.0), 4),
        "weakest_intents": sorted((round(row["f1-score"], 3), name) for name, row in gold.items())[:5],
        "entity_f1": {name: round(row["f1-score"], 4) for name, row in entities.items()
                      if isinstance(row, dict) and name not in NOT_INTENTS},
    }


def evaluate_holdout(model: Path) -> dict:
    out = REPORTS / "nlu_holdout"
    run_rasa(["test", "nlu", "--model", str(model), "--nlu", str(HOLDOUT), "--out", str(out), "--successes"])
    summary = summarise(out)
    # Per file: mean F1 over intents, from the individual predictions Rasa wrote.
    predictions = [*json.loads((out / "intent_successes.json").read_text(encoding="utf-8")),
                   *json.loads((out / "intent_errors.json").read_text(encoding="utf-8"))]
    summary["per_file_accuracy"] = {}
    for path in sorted(HOLDOUT.glob("*.yml")):
        texts = set(_texts(path))
        hits = [p["intent"] == p["intent_prediction"]["name"] for p in predictions if p["text"] in texts]
        summary["per_file_accuracy"][path.name] = round(sum(hits) / len(hits), 4) if hits else None
    return summary


def _texts_of(block: dict) -> list[str]:
    """The plain message texts of an NLU block (entity annotations removed)."""
    import re

    return [re.sub(r"\[([^\]]+)\](\([^)]+\)|\{[^}]+\})", r"\1", line.strip()[2:].strip())
            for line in block.get("examples", "").splitlines() if line.strip().startswith("- ")]


def _texts(path: Path) -> list[str]:
    import yaml

    return [text for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"] for text in _texts_of(block)]


def parse(model: Path, texts: list[str]) -> list[dict]:
    """Parse texts with the model as the running bot does (tools/nlu_parse_rasa.py, Rasa's env)."""
    result = subprocess.run([str(ROOT / ".venv" / "rasa" / "bin" / "python"), str(ROOT / "tools" / "nlu_parse_rasa.py"),
                             str(model)], input=json.dumps(texts), cwd=ROOT,
                            env=rasa_environ(get_settings()), capture_output=True, text=True)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WERKPUNT_JSON:")), None)
    if line is None:
        raise RuntimeError(f"parsen is mislukt:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return json.loads(line.removeprefix("WERKPUNT_JSON:"))


def score_parsed(gold: list[str], parsed: list[dict]) -> dict:
    """Two readings: the top real intent (as `rasa test nlu` counts), and strict (fallback = miss)."""
    top, per_intent = macro_f1(gold, [p["top2"][0] if p["top2"] else "nlu_fallback" for p in parsed])
    strict, _ = macro_f1(gold, [p["intent"] for p in parsed])
    hits = sum(1 for g, p in zip(gold, parsed) if p["top2"] and p["top2"][0] == g)
    fallbacks = [(g, p) for g, p in zip(gold, parsed) if p["intent"] == "nlu_fallback"]
    return {"messages": len(gold), "intent_macro_f1": top, "intent_accuracy": round(hits / len(gold), 4),
            "strict_macro_f1": strict, "fell_back": len(fallbacks),
            "right_intent_among_buttons": sum(g in p["top2"] for g, p in fallbacks),
            "weakest_intents": sorted((round(f1, 3), name) for name, f1 in per_intent.items())[:8]}


def holdout_gold() -> list[tuple[str, str]]:
    gold: list[tuple[str, str]] = []
    for path in sorted(HOLDOUT.glob("*.yml")):
        gold += _gold(path)
    return gold


def parse_sets(model: Path, sets: dict[str, list[tuple[str, str]]]) -> dict[str, dict]:
    """Score several (text, intent) sets with ONE model load (loading dominates on a busy machine).

    Sets named `real_dev...` are dev files: they also get their errors and, combined as
    `real_dev_all`, the fallback-threshold grid (never the frozen test half)."""
    texts = [text for pairs in sets.values() for text, _ in pairs]
    parsed, start, scores = parse(model, texts), 0, {}
    dev_gold: list[str] = []
    dev_parsed: list[dict] = []
    for name, pairs in sets.items():
        part = parsed[start:start + len(pairs)]
        scores[name] = score_parsed([g for _, g in pairs], part)
        if name.startswith("real_dev"):  # the dev files' misses are what to learn from
            scores[name]["errors"] = dev_errors(pairs, part)
            dev_gold += [g for _, g in pairs]
            dev_parsed += part
        start += len(pairs)
    if dev_gold:
        scores["real_dev_all"] = score_parsed(dev_gold, dev_parsed)
        scores["real_dev_all"]["fallback_tuning"] = tune_fallback(dev_gold, dev_parsed)
    return scores


def dev_errors(pairs: list[tuple[str, str]], parsed: list[dict]) -> list[dict]:
    return [{"text": t, "intent": g, "predicted": p["intent"], "top2": p["top2"],
             "conf": p.get("top2_confidence")} for (t, g), p in zip(pairs, parsed) if p["intent"] != g]


def dev_files() -> list[Path]:
    """Every dev file: tests/nlu_real/dev.csv and the dev extras (dev_extra_*.csv), sorted by name."""
    return sorted(REAL.glob("dev*.csv"))


def dev_sets() -> dict[str, list[tuple[str, str]]]:
    """One (text, intent) set per dev file, named real_dev (dev.csv) or real_dev_<rest of the name>."""
    return {"real_" + path.stem: real_gold(path.stem) for path in dev_files()}


def real_rows(name: str) -> list[dict]:
    """Rows of tests/nlu_real/<name>.csv (the first line is the freeze comment)."""
    return eval_rows(REAL / f"{name}.csv")


def tune_fallback(gold: list[str], parsed: list[dict]) -> list[tuple[float, float, float]]:
    """Strict macro-F1 on the DEV half for FallbackClassifier thresholds (threshold, ambiguity): what
    the bot would experience if config.yml had them. Returns the best five (f1, threshold, ambiguity)."""
    rows = []
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        for ambiguity in (0.0, 0.02, 0.05, 0.1):
            predicted = []
            for p in parsed:
                conf = (p.get("top2_confidence") or []) + [0.0, 0.0]
                unsure = not p["top2"] or conf[0] < threshold or (len(p["top2"]) > 1 and conf[0] - conf[1] < ambiguity)
                predicted.append("nlu_fallback" if unsure else p["top2"][0])
            rows.append((macro_f1(gold, predicted)[0], threshold, ambiguity))
    return sorted(rows, reverse=True)[:5]


def real_gold(name: str) -> list[tuple[str, str]]:
    return [(row["text"], row["intent"]) for row in real_rows(name)]


def _gold(path: Path) -> list[tuple[str, str]]:
    import yaml

    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        texts = [t for t in _texts_of(block)]
        pairs += [(text, block["intent"]) for text in texts]
    return pairs


def evaluate_cross_validation(folds: int) -> dict:
    out = REPORTS / "nlu_cv"
    run_rasa(["test", "nlu", "--nlu", "nlu", "--config", "config.yml", "--cross-validation", "--folds",
              str(folds), "--out", str(out), "--domain", "domain"])
    return summarise(out)


def report_real(title: str, summary: dict, target: float | None) -> bool:
    print(f"{title}: {summary['messages']} berichten")
    print(f"  intent macro-F1 {summary['intent_macro_f1']:.3f}" + (f" (doel {target})" if target else "")
          + f", accuracy {summary['intent_accuracy']:.3f}; zoals de bot het ervaart (nlu_fallback telt als fout): "
          f"macro-F1 {summary['strict_macro_f1']:.3f}, {summary['fell_back']} onzeker, daarvan "
          f"{summary['right_intent_among_buttons']} met de juiste intent bij de twee knoppen")
    print("  zwakste intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in summary["weakest_intents"]))
    return target is None or summary["intent_macro_f1"] >= target


def report(title: str, summary: dict) -> bool:
    entity = summary["entity_f1"]
    ok = summary["intent_macro_f1"] >= TARGET_HOLDOUT_MACRO_F1 and all(
        entity.get(name, 0) >= TARGET_ENTITY_F1 for name in TARGET_ENTITIES)
    print(f"{title}: {summary['messages']} berichten")
    print(f"  intent macro-F1 {summary['intent_macro_f1']:.3f} (doel {TARGET_HOLDOUT_MACRO_F1}), "
          f"accuracy {summary['intent_accuracy']:.3f}")
    print("  entity F1 " + ", ".join(f"{name} {entity.get(name, 0):.3f}" for name in TARGET_ENTITIES)
          + f" (doel {TARGET_ENTITY_F1}); overige: "
          + ", ".join(f"{k} {v:.3f}" for k, v in entity.items() if k not in TARGET_ENTITIES))
    print("  zwakste intents: " + ", ".join(f"{name} {f1:.2f}" for f1, name in summary["weakest_intents"]))
    for name, accuracy in summary.get("per_file_accuracy", {}).items():
        print(f"  {name}: intent accuracy {accuracy:.3f}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.nlu_eval")
    parser.add_argument("--no-cv", dest="cv", action="store_false",
                        help="skip cross-validation on the training data (it trains three NLU models)")
    parser.add_argument("--dev", action="store_true", help="also score the dev half of the real questions")
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args(argv)
    model = ensure_model(get_settings())
    sets = {"real_test": real_gold("test"), "holdout_strict": holdout_gold()}
    dev = dev_sets() if args.dev else {}
    sets.update(dev)
    results = parse_sets(model, sets)
    ok = report_real("Echte vragen, BEVROREN testhelft (tests/nlu_real/test.csv, alleen gescoord)",
                     results["real_test"], TARGET_REAL_MACRO_F1)
    if args.dev:
        for name in dev:
            report_real(f"Echte vragen, {name.removeprefix('real_')}.csv (om van te leren)", results[name], None)
        report_real("Echte vragen, alle dev-bestanden samen", results["real_dev_all"], None)
        print("  fallback-drempels op alle dev-bestanden (strict macro-F1, threshold, ambiguity): "
              + ", ".join(f"{f:.3f} @ {t}/{a}" for f, t, a in results["real_dev_all"]["fallback_tuning"]))
    results["holdout"] = evaluate_holdout(model)
    ok = report("Held-out berichten (tests/nlu_holdout/, nooit getraind)", results["holdout"]) and ok
    strict = results["holdout_strict"]
    print(f"  zoals de bot het ervaart (nlu_fallback telt als fout): intent macro-F1 {strict['strict_macro_f1']:.3f}; "
          f"{strict['fell_back']} berichten onzeker, daarvan {strict['right_intent_among_buttons']} met de "
          "juiste intent bij de twee knoppen")
    ok = ok and results["holdout"]["intent_macro_f1"] >= TARGET_HOLDOUT_MACRO_F1
    if args.cv:
        # For information: each fold lacks a third of the (deliberately all different) phrasings, so
        # this is stricter than the held-out messages; the targets are checked on those.
        results["cross_validation"] = evaluate_cross_validation(args.folds)
        report(f"Cross-validation ({args.folds} folds op nlu/, ter informatie)", results["cross_validation"])
    (REPORTS / "nlu_eval.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Rapporten: {REPORTS.relative_to(ROOT)}/nlu_holdout/ (intent_report.json, CRFEntityExtractor_report.json)"
          + (", nlu_cv/" if args.cv else "") + ", nlu_eval.json")
    if not ok:
        print("Doel niet gehaald.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
