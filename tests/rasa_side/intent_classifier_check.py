"""Runs in the Rasa environment (tests/test_intent_classifier.py): train, save and load the
FoldedTfidfIntentClassifier through Rasa's own model storage, then classify unseen spellings.

Prints one JSON line with what the test asserts on.
"""

import json
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.intent_classifier import FoldedTfidfIntentClassifier
from rasa_addons.intent_model import IntentModel, fold

EXAMPLES = {
    "ask_wage_subsidy": ["wat is loonkostensubsidie", "krijg ik loonkostensubsidie", "subsidie op de loonkosten",
                         "hoe vraag ik loonkostensubsidie aan", "loonkostensubsidie voor een medewerker"],
    "ask_sheltered_work": ["wat is beschut werk", "kom ik in aanmerking voor beschut werk", "beschutte werkplek",
                           "indicatie beschut werk aanvragen", "beschut werk bij de gemeente"],
    "greet": ["hallo", "goedemorgen", "hoi", "goedemiddag", "hey daar"],
}
UNSEEN = {"Loonkostesubsidie??": "ask_wage_subsidy", "BESCHUT-WERK aanvrágen": "ask_sheltered_work",
          "goeiemorgen": "greet"}


def main() -> int:
    storage = LocalModelStorage(Path(sys.argv[1]))
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    config = {"model": "svm", "C": 1.0, "use_pipeline_features": False}
    trained = FoldedTfidfIntentClassifier.create({**FoldedTfidfIntentClassifier.get_default_config(), **config},
                                                 storage, resource, context)
    data = TrainingData([Message.build(text=t, intent=i) for i, texts in EXAMPLES.items() for t in texts])
    trained.train(data)
    loaded = FoldedTfidfIntentClassifier.load({**FoldedTfidfIntentClassifier.get_default_config(), **config},
                                              storage, resource, context)
    results = {}
    for which, component in (("trained", trained), ("loaded", loaded)):
        messages = component.process([Message.build(text=t) for t in UNSEEN])
        results[which] = [(m.get("intent")["name"], round(m.get("intent")["confidence"], 6),
                           [r["name"] for r in m.get("intent_ranking")]) for m in messages]
    # Pipeline (pattern) features seen in training but missing for a message: zeros, not a crash.
    texts = [t for ts in EXAMPLES.values() for t in ts]
    with_extra = IntentModel({"C": 1.0}).fit(texts, [i for i, ts in EXAMPLES.items() for _ in ts],
                                             csr_matrix(np.ones((len(texts), 2))))
    reloaded = IntentModel.from_arrays(with_extra.to_arrays())
    results["extra_missing"] = [with_extra.classes_[i] for i in reloaded.predict_proba(["goeiemorgen"]).argmax(1)]
    saved = sorted(p.name for p in (Path(sys.argv[1]) / resource.name).rglob("*") if p.is_file())
    print(json.dumps({"expected": list(UNSEEN.values()), "saved_files": saved, "fold": fold("Één  Café-uur 32!"),
                      **results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
