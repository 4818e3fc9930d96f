"""A user turn that sets no slot does not call action_validate_slot_mappings (rasa_addons/slot_validation.py);
a turn that sets one still does, and the validator's events still reach the tracker.

Runs Rasa's own action_extract_slots over the project's domain inside the Rasa environment
(tests/rasa_side/slot_validation_check.py), against a small HTTP action server that records its calls.
The same check without the addon shows Rasa calling the validator on every turn.
"""

from __future__ import annotations

import pytest

from tests.rasa_side_run import run_check

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def result() -> dict:
    return run_check("slot_validation_check.py")


def test_a_turn_without_slots_skips_the_validator_and_a_turn_with_one_calls_it(result):
    result = result["patched"]
    assert result["calls_after_idle_turn"] == [] and result["idle_events"] == []
    assert result["calls_after_home"] == ["action_validate_slot_mappings"]
    assert ["home_place", "Kampen"] in result["home_events"]  # the validator's answer, not the raw entity


def test_a_short_statement_without_slots_still_reaches_the_validator(result):
    # "ik ben werkgever" read as another intent: the validator sets the role from the text (issue 12).
    assert result["patched"]["calls"] == ["action_validate_slot_mappings"] * 2


def test_stock_rasa_calls_the_validator_on_every_turn(result):
    assert result["stock"]["calls"] == ["action_validate_slot_mappings"] * 3
