"""Parse messages with a trained model, the way the running bot does (FallbackClassifier included).

Runs under the *Rasa* environment (Python 3.10), started by tools/nlu_eval.py:

    .venv/rasa/bin/python tools/nlu_parse_rasa.py MODEL.tar.gz < texts.json

Prints one line `WERKPUNT_JSON:[...]` with, per text, the intent, its confidence and the two
highest-ranked real intents (what the two-stage fallback would offer) and the entities found. Rasa also logs to stdout.
"""

import asyncio
import json
import logging
import sys
import warnings
from pathlib import Path

# Custom pipeline components (rasa_addons/) are found by module path, as `rasa` itself finds them.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    texts = json.load(sys.stdin)
    agent = Agent.load(sys.argv[1])

    async def parse_all() -> list:
        return [await agent.parse_message(text) for text in texts]

    out = []
    for parsed in asyncio.run(parse_all()):
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        out.append({"intent": parsed["intent"]["name"], "confidence": parsed["intent"].get("confidence"),
                    "top2": [r["name"] for r in ranking[:2]],
                    "top2_confidence": [r.get("confidence") for r in ranking[:2]],
                    "entities": [{k: e.get(k) for k in ("entity", "start", "end", "value", "extractor")}
                                 for e in parsed.get("entities", [])]})
    print("WERKPUNT_JSON:" + json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
