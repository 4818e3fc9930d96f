"""No `action_validate_slot_mappings` call on a turn whose message set no slot.

Rasa 3.6 runs `action_extract_slots` after every user message; when the domain lists
`action_validate_slot_mappings` (domain/context.yml), it then rebuilds the whole tracker from its
events and sends it over HTTP to the action server, on every turn, even when the message filled no
slot at all. Werkpunt's validator (actions/context.py) only looks at the slots set this turn: with none
set, it returns nothing and writes nothing. `tools/profile_turn.py` showed that call as a fixed part of
every turn (see README "Scaling out"), so `install()` lets Rasa skip it when the extraction produced no
SlotSet: exactly the events Rasa would have ended up with, one HTTP round trip and one tracker replay
less. A turn that sets any slot calls the validator as before.

The validator also reads some turns that set no slot (issue 12): a short role statement read as
another intent ("werkgever"), a bare or corrected place NLU found no entity in ("Kampen", "ik bedoel
Deventer"), and the answer to an open place question (`place_question`). So the call is skipped only
when none of those can apply: no slot set, more than SHORT_WORDS words, not a place intent, and no
place question open.
Contract (docs/contracts.md): action_validate_slot_mappings acts on slots set this turn and on those
short / place turns only.
"""

from __future__ import annotations

import functools

SHORT_WORDS = 6  # role statements and bare places are a few words ("ik ben werkgever", "in Kampen")
PLACE_INTENTS = {"correct_place", "inform_place", "deny", "nlu_fallback"}


def needs_validation(extraction_events, tracker) -> bool:
    """True when action_validate_slot_mappings may change something this turn (see the module docstring)."""
    from rasa.shared.core.events import SlotSet

    if any(isinstance(event, SlotSet) for event in extraction_events):
        return True
    message = tracker.latest_message
    text = str(getattr(message, "text", "") or "")
    intent = (getattr(message, "intent", None) or {}).get("name")
    return (len(text.split()) <= SHORT_WORDS or intent in PLACE_INTENTS
            or bool(tracker.get_slot("place_question")))


def install() -> None:
    from rasa.core.actions.action import ActionExtractSlots

    validate = ActionExtractSlots._execute_validation_action

    @functools.wraps(validate)
    async def _execute_validation_action(self, extraction_events, *args, **kwargs):
        if not needs_validation(extraction_events, args[2] if len(args) > 2 else kwargs["tracker"]):
            return []  # what Rasa returns for "no slots" when the validator returns no events
        return await validate(self, extraction_events, *args, **kwargs)

    ActionExtractSlots._execute_validation_action = _execute_validation_action
