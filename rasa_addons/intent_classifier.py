"""Rasa's LogisticRegressionClassifier with its regularisation strength C configurable.

Rasa 3.6 fixes C at scikit-learn's default (1.0; class_weight is already "balanced"). With ~2,000
short examples and tens of thousands of sparse n-gram features, C decides how far the classifier
leans on rare exact n-grams (overfits the training phrasings) or on shared ones (generalises to how
real people phrase things). Options `sublinear_tf` and `normalize` (see _create_X). config.yml: `- name: rasa_addons.intent_classifier.TunableLogisticRegression`
with `C:`; the value was chosen on the dev half of tests/nlu_real/ (README "NLU quality").
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from scipy.sparse import csr_matrix

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunableLogisticRegression(LogisticRegressionClassifier):
    """LogisticRegressionClassifier plus a `C` option (inverse regularisation strength)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "sublinear_tf": False,
                "normalize": False}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        # A trained model restores its fitted classifier (C included) in load(); this is for training.
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """Rasa's counts, optionally as log(1 + count) and scaled to unit length per message: a long
        FAQ heading or forum post then weighs as much as a three-word chat message."""
        from sklearn.preprocessing import normalize

        X = csr_matrix(super()._create_X(messages))
        if self.config["sublinear_tf"]:
            X = X.log1p()
        if self.config["normalize"]:
            X = normalize(X)
        return X
