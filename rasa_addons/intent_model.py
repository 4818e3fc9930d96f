"""The intent model of rasa_addons/intent_classifier.py, without Rasa: text normalisation, features, model.

Pure scikit-learn / numpy, so tools/nlu_sweep_rasa.py can train and score variants in seconds
without `rasa train`. Runs in the Rasa environment (scikit-learn 1.1.3 from rasa.lock).

Text is folded before any feature: lower case, accents removed ("één" -> "een"), digit runs to
"0" (an hour count or a house number says little about the intent), punctuation to spaces.
Features are TF-IDF with sublinear term frequency over word 1-2-grams and character 1-5-grams
within word boundaries (typos and Dutch compounds share character n-grams with the real word).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack

NON_WORD = re.compile(r"[^a-z0-9 ]+")
DIGITS = re.compile(r"\d+")

DEFAULTS: Dict[str, Any] = {
    "word_ngrams": [1, 2],
    "char_ngrams": [1, 5],
    "sublinear_tf": True,
    "min_df": 1,
    "model": "svm",        # svm (LinearSVC, softmax of its scores), lr (logistic regression), sgd
    "C": 0.5,
    "class_weight": "balanced",
    "softmax_scale": 5.0,  # temperature for the svm's scores -> confidences
    "random_state": 42,
    "fold_register": False,  # "je", "jij", "jou", "jouw" -> "u", "uw" (B1 "u" and informal "je" alike)
}
# Second person in both registers: FAQ headings say "u", chat says "je".
REGISTER = {"je": "u", "jij": "u", "jou": "u", "jouw": "uw", "jullie": "u", "ge": "u", "gij": "u", "uzelf": "u",
            "jezelf": "u", "jullie": "u"}


def fold(text: str, register: bool = False) -> str:
    """Lower case, no accents, digit runs as 0, punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = DIGITS.sub("0", text.replace("'", ""))
    words = NON_WORD.sub(" ", text).split()
    return " ".join(REGISTER.get(w, w) for w in words) if register else " ".join(words)


class IntentModel:
    """Vectorisers + linear classifier; `fit`, then `predict_proba` (rows sum to 1, columns = classes_)."""

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.config = {**DEFAULTS, **(config or {})}
        c = self.config
        self.vectorisers = [
            TfidfVectorizer(analyzer="word", ngram_range=tuple(c["word_ngrams"]), sublinear_tf=c["sublinear_tf"],
                            min_df=c["min_df"], token_pattern=r"(?u)\b\w+\b", lowercase=False),
            TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(c["char_ngrams"]), sublinear_tf=c["sublinear_tf"],
                            min_df=c["min_df"], lowercase=False),
        ]
        self.clf = self._classifier()
        self.classes_: List[str] = []
        self.extra_dims = 0  # width of the extra (pipeline) features seen in training

    def _classifier(self) -> Any:
        c = self.config
        if c["model"] == "lr":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=c["C"], class_weight=c["class_weight"], max_iter=2000,
                                      random_state=c["random_state"])
        if c["model"] == "sgd":
            from sklearn.linear_model import SGDClassifier

            return SGDClassifier(loss="modified_huber", alpha=c["C"], class_weight=c["class_weight"],
                                 max_iter=2000, tol=1e-5, random_state=c["random_state"])
        from sklearn.svm import LinearSVC

        return LinearSVC(C=c["C"], class_weight=c["class_weight"], random_state=c["random_state"], max_iter=5000)

    def features(self, texts: Sequence[str], extra: csr_matrix | None = None, fit: bool = False) -> csr_matrix:
        folded = [fold(t, self.config["fold_register"]) for t in texts]
        parts = [v.fit_transform(folded) if fit else v.transform(folded) for v in self.vectorisers]
        if fit:
            self.extra_dims = 0 if extra is None else extra.shape[1]
        if self.extra_dims:  # the same width as in training, zeros where a message has none
            parts.append(csr_matrix(extra) if extra is not None and extra.shape[1] == self.extra_dims
                         else csr_matrix((len(folded), self.extra_dims)))
        return hstack(parts).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], extra: csr_matrix | None = None) -> "IntentModel":
        self.clf.fit(self.features(texts, extra, fit=True), list(labels))
        self.classes_ = [str(c) for c in self.clf.classes_]
        return self

    def decision(self, texts: Sequence[str], extra: csr_matrix | None = None) -> np.ndarray:
        X = self.features(texts, extra)
        if hasattr(self, "coef_"):  # loaded from arrays (see to_arrays)
            return np.asarray(X @ self.coef_.T) + self.intercept_
        return self.clf.decision_function(X)

    def predict_proba(self, texts: Sequence[str], extra: csr_matrix | None = None) -> np.ndarray:
        """Confidences: the softmax of the linear scores (for "lr" exactly its multinomial probabilities)."""
        scale = 1.0 if self.config["model"] == "lr" else self.config["softmax_scale"]
        scores = self.decision(texts, extra) * scale
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def to_arrays(self) -> Dict[str, Any]:
        """Everything needed to predict, as plain arrays and lists (saved without pickle)."""
        out: Dict[str, Any] = {"classes": list(self.classes_), "config": {**self.config, "extra_dims": self.extra_dims},
                               "coef": self.clf.coef_.astype(np.float32), "intercept": self.clf.intercept_}
        for i, v in enumerate(self.vectorisers):
            vocabulary = sorted(v.vocabulary_, key=v.vocabulary_.get)
            out[f"vocabulary_{i}"], out[f"idf_{i}"] = vocabulary, v.idf_
        return out

    @classmethod
    def from_arrays(cls, arrays: Dict[str, Any]) -> "IntentModel":
        config = dict(arrays["config"])
        extra_dims = int(config.pop("extra_dims", 0))
        model = cls(config)
        model.extra_dims = extra_dims
        for i, v in enumerate(model.vectorisers):
            v.vocabulary_ = {term: n for n, term in enumerate(arrays[f"vocabulary_{i}"])}
            v.idf_ = np.asarray(arrays[f"idf_{i}"])
        model.classes_ = list(arrays["classes"])
        model.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        model.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        return model
