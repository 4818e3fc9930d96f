"""The intent classifier of the pipeline (rasa_addons/intent_classifier.py, issue 12): trained, saved
and loaded through Rasa's model storage (in the Rasa environment, tests/rasa_side/intent_classifier_check.py),
it gives the same ranking after loading, saves no pickle, and reads typos, case and accents as the word.
"""

from __future__ import annotations


import pytest

from werkpunt.rasa_env import RASA_PYTHON
from tests.rasa_side_run import run_check

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment (.venv/rasa) is missing")


def test_classifier_round_trips_through_model_storage_and_reads_variants(tmp_path):
    result = run_check("intent_classifier_check.py", str(tmp_path), timeout=300)
    assert result["loaded"] == result["trained"]  # same intents, confidences and rankings after loading
    assert [intent for intent, _, _ in result["loaded"]] == result["expected"]
    assert all(len(ranking) == 3 for _, _, ranking in result["loaded"])
    assert result["saved_files"] == ["arrays.npz", "meta.json"]  # arrays and JSON, no pickle
    assert result["fold"] == "een cafe uur 0"
    assert result["extra_missing"] == ["greet"]
