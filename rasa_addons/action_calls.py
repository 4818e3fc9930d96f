"""Cheaper calls to the action server: the response check without re-checking its schema every call.

Rasa 3.6 checks every action server response with `jsonschema.validate(response, schema)`
(`RemoteAction._validate_action_result`). That function first validates the *schema itself* against
the JSON Schema meta-schema and builds a new validator, on every call: `tools/profile_turn.py
--cprofile` showed it as the largest part of Rasa's CPU per turn (3-4 action calls per turn of the
benchmark conversation, the slot validator included). `install()` builds the validator once (same
validator class, same schema, the schema checked once) and validates each response with it: the
same responses pass, the same ones fail with the same `ValidationError` and message.

A valid response is also accepted faster: Rasa's event schema is a `oneOf` over ~20 event kinds, each
fixed by its `event` name (a `const`), so every event is checked against all of them. An event can
only match the kind its name names, so checking each event against that kind alone (with the common
part) accepts exactly what the `oneOf` accepts. Anything that does not pass this way goes through the
full validator, which gives Rasa's own error.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def _validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.lru_cache(maxsize=1)
def _per_event():
    """(validator of the response without its events' kinds, {event name: validator}), or None when
    Rasa's schema does not have the shape this relies on."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    events = schema.get("properties", {}).get("events", {})
    event = events.get("items", {})
    kinds = event.get("oneOf", [])
    names = [kind.get("properties", {}).get("event", {}).get("const") for kind in kinds]
    if (set(schema) != {"type", "properties"} or set(events) != {"type", "items"} or not kinds
            or not all(isinstance(name, str) for name in names) or len(set(names)) != len(names)):
        return None
    cls = type(_validator())
    common = {key: value for key, value in event.items() if key != "oneOf"}
    top = dict(schema, properties=dict(schema["properties"], events={"type": events["type"]}))
    return cls(top), {name: cls(dict(common, allOf=[kind])) for name, kind in zip(names, kinds)}


def _accepted_fast(result) -> bool:
    parts = _per_event()
    if parts is None or not parts[0].is_valid(result):
        return False
    for event in result.get("events", []) if isinstance(result, dict) else []:
        name = event.get("event") if isinstance(event, dict) else None
        check = parts[1].get(name) if isinstance(name, str) else None
        if check is None or not check.is_valid(event):
            return False
    return True


def validate_action_result(self, result) -> bool:
    """RemoteAction._validate_action_result with a validator built once (see the module docstring)."""
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import DOCS_BASE_URL

    if _accepted_fast(result):
        return True
    error = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
