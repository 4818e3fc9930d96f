"""rasa_addons' per-turn savings change no outcome: Rasa's own code paths against the patched ones.

Runs tests/rasa_side/turn_savings_check.py in the Rasa environment: action server responses over HTTP
(`RemoteAction.run`, valid and invalid) give the same events or the same ValidationError with the same
message, with the response schema checked once instead of once per call (rasa_addons/action_calls.py);
every event type name resolves to the same class, unknown names fail or default as in Rasa, and a
tracker read from stored events is the same (rasa_addons/event_types.py); the dialogue states the
policies get, resumed per tracker, equal Rasa's full replay over every story and rule
(tests/rasa_side/policy_states_check.py, rasa_addons/policy_states.py), and so do the loaded
RulePolicy's remembered rule searches (rasa_addons/rule_lookup.py).
"""

from __future__ import annotations

import pytest

from settings import get_settings
from tests.rasa_side_run import run_check
from werkpunt.rasa_env import model_path

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def result() -> dict:
    return run_check("turn_savings_check.py")


def test_action_server_responses_have_the_same_outcome(result):
    stock, patched = result["stock"]["responses"], result["patched"]["responses"]
    assert patched == stock
    assert [e["event"] for e in stock["valid"]] == ["bot", "slot"]  # the check saw real events ...
    assert len(stock["many_kinds"]) == 8
    for invalid in ("responses_not_a_list", "unknown_event", "slot_without_name", "event_name_not_a_string",
                    "slot_name_not_a_string", "bad_timestamp", "not_an_object"):
        assert stock[invalid][0] == "ValidationError", invalid  # ... and real refusals


def test_the_response_schema_is_checked_once_not_per_call(result):
    assert result["stock"]["schema_checks"] == 10  # Rasa: once per response
    assert result["patched"]["schema_checks"] <= 1
    assert result["patched"]["accepted_fast"] == 3  # the valid ones (valid, empty, many_kinds) by event kind


def test_event_classes_and_stored_trackers_are_the_same(result):
    stock, patched = result["stock"], result["patched"]
    assert patched["events"] == stock["events"] == patched["events_again"]
    assert stock["events"]["slot"] == ["SlotSet", "SlotSet"]
    assert stock["events"]["no_such_event"][0] == "ValueError" and stock["events"]["topic"] == [None, None]
    assert patched["tracker"] == stock["tracker"] and stock["tracker"]["slots"]["location"] == "Zwolle"


@pytest.fixture(scope="module")
def states() -> dict:
    model = model_path()
    if not model.exists():
        from werkpunt.training import ensure_model

        ensure_model(get_settings())
    return run_check("policy_states_check.py", str(model), timeout=600)


def test_resumed_policy_states_equal_rasas_full_replay_on_every_story_and_rule(states):
    # rasa_addons/policy_states.py: every training tracker grown event by event, four argument sets
    assert states["trackers"] > 50 and states["rule_trackers"] > 0 and states["compared"] > 1000
    assert states["differences"] == 0, states["first_difference"]


def test_remembered_rule_searches_equal_rasas_scan(states):
    # rasa_addons/rule_lookup.py: the model's RulePolicy, both rule tables, first met and remembered
    rules = states["rule_searches"]
    assert rules["searches"] > 1000 and rules["with_a_matching_rule"] > 100 and rules["remembered"] > 0
    assert rules["differences"] == 0
