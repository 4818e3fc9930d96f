"""End-to-end test stories against a trained model. Runs under the *Rasa* environment (Python 3.10):

    .venv/rasa/bin/python tests/rasa_story_test.py MODEL.tar.gz STORIES_DIR OUT_DIR

Does what `rasa test core --e2e --fail-on-prediction-errors` does (the same function,
`rasa.core.test.test`), but loads the model once for two jobs: it first fills in the intent and
entities of form answers (user steps without `intent:`, see tests/stories/test_forms.yml) from the
model's own parse, writes the completed stories to OUT_DIR/stories, then tests them.
A user text `<unclear>` (intent nlu_fallback) becomes the next message from
tests/unclear_messages.txt that the model is unsure about now, so the fallback stories do not
depend on one retrain's confidence for one sentence.
Prints `WERKPUNT_RESULT:{json}` and exits 1 on the first wrong prediction.
"""

import asyncio
import json
import logging
import sys
import warnings
from pathlib import Path

# Custom pipeline components (rasa_addons/) are found by module path, as `rasa` itself finds them.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))


class Quoted(str):
    """A user text, always written quoted: Rasa reads YAML 1.2, where a bare 0612345678 is a number."""


def annotate(text, entities):
    """Story text with the entities the model found, e.g. `[Zwolle]{"entity": "location", ...}`."""
    out, last = [], 0
    for e in sorted(entities, key=lambda e: e["start"]):
        label = json.dumps({"entity": e["entity"], "value": e["value"]}, ensure_ascii=False)
        out += [text[last:e["start"]], f"[{text[e['start']:e['end']]}]{label}"]
        last = e["end"]
    return "".join(out) + text[last:]


UNCLEAR = "<unclear>"


async def unclear_messages(agent) -> list:
    """Messages from tests/unclear_messages.txt that the model answers with nlu_fallback."""
    path = Path(__file__).parent / "unclear_messages.txt"
    candidates = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()[:1] not in ("", "#")]
    return [text for text in candidates if (await agent.parse_message(text))["intent"]["name"] == "nlu_fallback"]


async def complete_stories(agent, source: Path, target: Path) -> int:
    import yaml

    yaml.SafeDumper.add_representer(
        Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"'))
    count, unclear, used = 0, await unclear_messages(agent), 0
    for path in sorted(source.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for story in doc["stories"]:
            count, used = count + 1, 0
            for step in story["steps"]:
                if "user" not in step:
                    continue
                text = step["user"].strip()
                if text == UNCLEAR:  # the same unclear messages in every story, in order
                    if used >= len(unclear):
                        raise SystemExit("too few unclear messages fall back: add some to tests/unclear_messages.txt")
                    text, used = unclear[used], used + 1
                if "intent" not in step:  # a form answer: its intent does not matter to the dialogue
                    parsed = await agent.parse_message(text)
                    # str(): the logistic regression classifier returns numpy strings
                    text, step["intent"] = annotate(text, parsed["entities"]), str(parsed["intent"]["name"])
                step["user"] = Quoted(text)
        (target / path.name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return count


async def main(model: str, source: Path, out: Path) -> int:
    import os

    from rasa.core.agent import Agent
    from rasa.core.test import WrongPredictionException, test

    if os.environ.get("WERKPUNT_TURN_SPEEDUPS") != "0":  # the server's per-turn savings (rasa_addons/savings.py)
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from rasa_addons.savings import install

        install()
    agent = Agent.load(model)
    stories = out / "stories"
    stories.mkdir(parents=True, exist_ok=True)
    count = await complete_stories(agent, source, stories)
    try:
        result = await test(str(stories), agent, out_directory=str(out), fail_on_prediction_errors=True,
                            e2e=True, disable_plotting=True)
    except WrongPredictionException as exc:
        print("WERKPUNT_RESULT:" + json.dumps({"stories": count, "failure": str(exc)}))
        return 1
    print("WERKPUNT_RESULT:" + json.dumps({"stories": count, "actions": len(result["actions"]),
                                           "accuracy": result["accuracy"]}))
    return 0


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("rasa.core.test").setLevel(logging.INFO)  # "Evaluating n stories", "Correct: n / n"
    sys.exit(asyncio.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
