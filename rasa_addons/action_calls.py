"""Cheaper calls to the action server: the response check without re-checking its schema every call.

Rasa 3.6 checks every action server response with `jsonschema.validate(response, schema)`
(`RemoteAction._validate_action_result`). That function first validates the *schema itself* against
the JSON Schema meta-schema and builds a new validator, on every call: `tools/profile_turn.py
--cprofile` showed it as the largest part of Rasa's CPU per turn (3-4 action calls per turn of the
benchmark conversation, the slot validator included). `install()` builds the validator once (same
validator class, same schema, the schema checked once) and validates each response with it: the
same responses pass, the same ones fail with the same `ValidationError` and message.
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


def validate_action_result(self, result) -> bool:
    """RemoteAction._validate_action_result with a validator built once (see the module docstring)."""
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import DOCS_BASE_URL

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
