"""Pipeline experiments for issue 12: train an NLU-only model with a given config and score it.

    .venv/app/bin/python -m tools.nlu_experiment CONFIG.yml --name NAME [--test]

Trains `rasa train nlu` (no dialogue: a few minutes faster than `werkpunt.cli train`) into
models/exp/NAME.tar.gz, then parses in ONE model load: every dev file of real questions
(tests/nlu_real/dev*.csv: the dev half and the dev extras, each scored and all combined; their errors
go to reports/nlu_exp_NAME.json, the sets to learn from), the old holdout (intent macro-F1,
and entity F1 per entity with exact spans) and, with `--test`, the frozen test half - of which only
the two macro-F1 figures are printed and nothing per message is kept, so it cannot be tuned on.
`make nlu-eval` (tools/nlu_eval.py) stays the official figure; this is for comparing configs.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from settings import ROOT, get_settings
from tools.nlu_eval import HOLDOUT, REPORTS, dev_errors, dev_sets, holdout_gold, parse, real_gold, score_parsed, tune_fallback
from werkpunt.rasa_env import RASA_BIN, rasa_environ

EXP_MODELS = ROOT / "models" / "exp"
# [text](entity), [text](entity:value) or [text]{"entity": ..., ...}
MARKUP = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|(\{[^}]+\}))")


def train_nlu(config: Path, name: str) -> tuple[Path, float]:
    EXP_MODELS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run([str(RASA_BIN), "train", "nlu", "--config", str(config), "--nlu", "nlu",
                             "--out", str(EXP_MODELS), "--fixed-model-name", name],
                            cwd=ROOT, env=rasa_environ(get_settings()), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"rasa train nlu is mislukt:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return EXP_MODELS / f"{name}.tar.gz", time.monotonic() - started


def annotated(line: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Plain text and gold entity spans (start, end, entity) of one annotated example."""
    text, spans, pos = "", [], 0
    for match in MARKUP.finditer(line):
        text += line[pos:match.start()]
        entity = (match.group(2) or "").split(":")[0] or json.loads(match.group(3))["entity"]
        spans.append((len(text), len(text) + len(match.group(1)), entity))
        text += match.group(1)
        pos = match.end()
    return text + line[pos:], spans


def holdout_entity_gold() -> list[tuple[str, list[tuple[int, int, str]]]]:
    import yaml

    rows = []
    for path in sorted(HOLDOUT.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            rows += [annotated(line.strip()[2:].strip()) for line in block.get("examples", "").splitlines()
                     if line.strip().startswith("- ")]
    return rows


def entity_f1(gold: list[list[tuple[int, int, str]]], parsed: list[dict]) -> dict[str, float]:
    """Entity-level F1 per entity: a found entity counts only with the exact gold span."""
    names = sorted({e for spans in gold for _, _, e in spans})
    scores = {}
    for name in names:
        tp = fp = fn = 0
        for spans, p in zip(gold, parsed):
            want = {(s, e) for s, e, n in spans if n == name}
            got = {(x["start"], x["end"]) for x in p.get("entities", []) if x["entity"] == name}
            tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
        scores[name] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.nlu_experiment")
    parser.add_argument("config", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--test", action="store_true", help="also print the frozen test half's macro-F1")
    parser.add_argument("--reuse", action="store_true", help="reuse models/exp/NAME.tar.gz if it exists")
    args = parser.parse_args(argv)
    model, seconds = EXP_MODELS / f"{args.name}.tar.gz", 0.0
    if not (args.reuse and model.exists()):
        model, seconds = train_nlu(args.config, args.name)
    devs, holdout, ents = dev_sets(), holdout_gold(), holdout_entity_gold()
    dev = [pair for pairs in devs.values() for pair in pairs]
    test = real_gold("test") if args.test else []
    texts = [t for t, _ in dev] + [t for t, _ in holdout] + [t for t, _ in ents] + [t for t, _ in test]
    parsed = parse(model, texts)
    a, b, c = len(dev), len(dev) + len(holdout), len(dev) + len(holdout) + len(ents)
    result = {"config": str(args.config), "nlu_train_seconds": round(seconds),
              "dev": score_parsed([g for _, g in dev], parsed[:a]),
              "holdout": score_parsed([g for _, g in holdout], parsed[a:b]),
              "holdout_entity_f1": entity_f1([s for _, s in ents], parsed[b:c])}
    result["dev"]["errors"] = dev_errors(dev, parsed[:a])
    result["dev_files"], start = {}, 0
    for name, pairs in devs.items():
        result["dev_files"][name] = score_parsed([g for _, g in pairs], parsed[start:start + len(pairs)])
        start += len(pairs)
    print(f"{args.name}: NLU trained in {seconds:.0f}s")
    for key, s in [*((n.removeprefix("real_"), v) for n, v in result["dev_files"].items()),
                   ("dev (all files)", result["dev"]), ("holdout", result["holdout"])]:
        print(f"  {key}: {s['messages']} messages, macro-F1 {s['intent_macro_f1']:.3f} strict {s['strict_macro_f1']:.3f} "
              f"accuracy {s['intent_accuracy']:.3f}, {s['fell_back']} fell back")
    result["dev"]["fallback_tuning"] = tune_fallback([g for _, g in dev], parsed[:a])
    print("  dev fallback grid (strict macro-F1 @ threshold/ambiguity): "
          + ", ".join(f"{f:.3f} @ {t}/{m}" for f, t, m in result["dev"]["fallback_tuning"]))
    print("  dev weakest: " + ", ".join(f"{n} {f:.2f}" for f, n in result["dev"]["weakest_intents"]))
    print("  holdout entity F1 (exact span): " + ", ".join(f"{k} {v:.3f}" for k, v in result["holdout_entity_f1"].items()))
    if test:
        s = score_parsed([g for _, g in test], parsed[c:])
        result["test"] = {"intent_macro_f1": s["intent_macro_f1"], "strict_macro_f1": s["strict_macro_f1"]}
        print(f"  FROZEN test: macro-F1 {s['intent_macro_f1']:.3f} strict {s['strict_macro_f1']:.3f}")
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"nlu_exp_{args.name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
