"""Dutch lemmas for the NLU pipeline (issue 12): `rasa_addons.dutch_lemmas.DutchLemmas`.

Real questions inflect what the training data says in another form ("ontslagen" / "ontslag",
"solliciteerde" / "solliciteren", "uitkeringen" / "uitkering"). This component runs right after the
tokenizer and sets each token's `lemma` from simplemma's offline Dutch data (no download, no
spaCy). Rasa's CountVectorsFeaturizer reads `token.lemma` when its `use_lemma` option is on, so a
featurizer with `use_lemma: true` sees lemmas and one with `use_lemma: false` the words as typed:
the lemmas are an extra sparse feature, not a replacement. Only the user text is touched; entity
extraction reads `token.text` and is unaffected.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    import simplemma

    # greedy=True also strips longer Dutch suffixes when the word is not in the dictionary
    # (typos, compounds), which is what helps on unseen phrasings.
    return simplemma.lemmatize(word.lower(), lang="nl", greedy=True).lower()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class DutchLemmas(GraphComponent):
    """Sets token.lemma of the user text to its Dutch lemma (simplemma)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["simplemma"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DutchLemmas":
        return cls()

    def _set_lemmas(self, message: Message) -> None:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.lemma = lemma(token.text)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._set_lemmas(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._set_lemmas(message)
        return messages
