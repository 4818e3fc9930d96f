"""A Rasa intent classifier on folded text: TF-IDF word and character n-grams + a linear model (issue 12).

    - name: rasa_addons.intent_classifier.FoldedTfidfIntentClassifier
      model: svm            # svm | lr | sgd (see rasa_addons/intent_model.py)
      C: 1.0
      use_pipeline_features: true   # add the pipeline's sentence features (RegexFeaturizer patterns)

The features and the model live in rasa_addons/intent_model.py (no Rasa there, so
tools/nlu_sweep_rasa.py compares variants in seconds). Saved as JSON and NumPy arrays in the model
storage, never as a pickle: loading a model does not run code. scikit-learn is in rasa.lock already.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from scipy.sparse import csr_matrix, vstack

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.intent_model import DEFAULTS, IntentModel

logger = logging.getLogger(__name__)
ARRAYS = "arrays.npz"
META = "meta.json"
RANKING_LENGTH = 10


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FoldedTfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Intent and ranking from rasa_addons.intent_model.IntentModel."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DEFAULTS, "use_pipeline_features": True, "ranking_length": RANKING_LENGTH}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[IntentModel] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource, self.model = model_storage, resource, model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FoldedTfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def _model_config(self) -> Dict[Text, Any]:
        return {key: self.config[key] for key in DEFAULTS}

    def _extra(self, messages: List[Message]) -> Optional[csr_matrix]:
        """The pipeline's sparse sentence features (RegexFeaturizer: lookup and regex patterns)."""
        if not self.config["use_pipeline_features"]:
            return None
        rows = []
        for message in messages:
            sentence = message.get_sparse_features(TEXT)[1]
            rows.append(csr_matrix(sentence.features) if sentence is not None else None)
        if any(row is None for row in rows) or not rows:
            return None
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self.model = IntentModel(self._model_config()).fit(
            [e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples], self._extra(examples))
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or not messages:
            return messages
        probabilities = self.model.predict_proba([m.get(TEXT) or "" for m in messages], self._extra(messages))
        for message, row in zip(messages, probabilities):
            order = np.argsort(-row)
            ranking = [{"name": self.model.classes_[i], "confidence": float(row[i])}
                       for i in order[: self.config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        arrays = self.model.to_arrays()
        meta = {key: arrays.pop(key) for key in ("classes", "config")}
        vocabularies = {key: arrays.pop(key) for key in list(arrays) if key.startswith("vocabulary_")}
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / ARRAYS, **arrays)
            (directory / META).write_text(json.dumps({**meta, **vocabularies}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FoldedTfidfIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META).read_text(encoding="utf-8"))
                with np.load(directory / ARRAYS, allow_pickle=False) as arrays:
                    model = IntentModel.from_arrays({**meta, **{key: arrays[key] for key in arrays.files}})
        except (ValueError, FileNotFoundError):
            logger.debug("No trained intent model in %s; the classifier predicts nothing.", resource.name)
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, model)
