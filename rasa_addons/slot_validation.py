"""No `action_validate_slot_mappings` call on a turn whose message set no slot.

Rasa 3.6 runs `action_extract_slots` after every user message; when the domain lists
`action_validate_slot_mappings` (domain/context.yml), it then rebuilds the whole tracker from its
events and sends it over HTTP to the action server, on every turn, even when the message filled no
slot at all. Werkpunt's validator (actions/context.py) only looks at the slots set this turn: with none
set, it returns nothing and writes nothing. `tools/profile_turn.py` showed that call as a fixed part of
every turn (see README "Scaling out"), so `install()` lets Rasa skip it when the extraction produced no
SlotSet: exactly the events Rasa would have ended up with, one HTTP round trip and one tracker replay
less. A turn that sets any slot calls the validator as before.
Contract (docs/contracts.md): action_validate_slot_mappings must act only on the slots set this turn.
"""

from __future__ import annotations

import functools


def install() -> None:
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import SlotSet

    validate = ActionExtractSlots._execute_validation_action

    @functools.wraps(validate)
    async def _execute_validation_action(self, extraction_events, *args, **kwargs):
        if not any(isinstance(event, SlotSet) for event in extraction_events):
            return []  # what Rasa returns for "no slots" when the validator returns no events
        return await validate(self, extraction_events, *args, **kwargs)

    ActionExtractSlots._execute_validation_action = _execute_validation_action
