"""Rasa's per-turn CPU cut without changing a single outcome (README "Scaling out", "One turn, profiled").

`install()` applies each saving; `rasa_addons.run` calls it for every Rasa command unless
WERKPUNT_TURN_SPEEDUPS=0 (Rasa's own code paths, for comparison), and tests/rasa_story_test.py calls it
so the end-to-end stories run through the same code as the server. Each module says what it replaces
and tests/test_turn_savings.py compares each with Rasa's own code.
"""

from __future__ import annotations


def install() -> None:
    from rasa_addons import action_calls, event_types, policy_states, rule_lookup

    action_calls.install()  # action server responses checked by a validator built once
    event_types.install()  # the Event class of a stored event's type name looked up once
    policy_states.install()  # one tracker replay per turn for all policies and predictions
    rule_lookup.install()  # a loaded RulePolicy remembers which rules match a dialogue state
