"""Buttons that fit the user's role (issue 12 item 3): once the role is known, never the other role's.

Employers never get "Inschrijven" or "Vacatures zoeken"; job seekers never get "Vacature melden" or
"Kandidaten zoeken". Two places keep that true:

- domain responses with buttons have a variation per role (`condition` on `user_role`) and a neutral
  one; tests/test_conversation_context.py walks every response in domain/;
- buttons built by actions: each action builds its own list for the flow it serves, and
  `RoleAwareExecutor` (the action server's executor, actions/server.py) drops whatever button of the
  other role is left in any action's messages, so a new action cannot slip one through.
`ROLE_INTENTS` names which button payloads belong to which role.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import ActionExecutor

# The payload intents that are a role's own flows (a button "/search_jobs{...}" counts as search_jobs).
ROLE_INTENTS: dict[str, frozenset[str]] = {
    "werkgever": frozenset({"post_vacancy", "find_candidates", "identify_as_employer"}),
    "werkzoekende": frozenset({"search_jobs", "register_jobseeker", "apply_for_vacancy", "identify_as_jobseeker",
                               "check_application_status", "show_more"}),
}
ROLES = tuple(ROLE_INTENTS)


def payload_intent(payload: object) -> str | None:
    """"/search_jobs{"location":"Kampen"}" → "search_jobs"; None for a payload that is typed text."""
    text = str(payload or "")
    if not text.startswith("/"):
        return None
    return text[1:].split("{", 1)[0].strip() or None


def other_role(role: str | None) -> str | None:
    return {"werkgever": "werkzoekende", "werkzoekende": "werkgever"}.get(role or "")


def fits_role(payload: object, role: str | None) -> bool:
    """False for a button of the other role; with the role unknown every button fits."""
    other = other_role(role)
    return other is None or payload_intent(payload) not in ROLE_INTENTS[other]


def for_role(buttons: list[dict[str, Any]] | None, role: str | None) -> list[dict[str, Any]]:
    return [b for b in buttons or [] if fits_role(b.get("payload"), role)]


def role_after(slots: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    """The role once the action's own events are applied (an action may set it)."""
    role = slots.get("user_role")
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "user_role":
            role = event.get("value")
    return role if role in ROLES else None


class RoleAwareExecutor(ActionExecutor):
    """rasa-sdk's executor; every message an action sends keeps only the buttons that fit the role."""

    async def run(self, action_call: dict[str, Any], *args: Any, **kwargs: Any):
        result = await super().run(action_call, *args, **kwargs)
        if result is None:
            return None
        role = role_after((action_call.get("tracker") or {}).get("slots") or {}, result.events)
        if role is not None:
            for message in result.responses:
                if message.get("buttons"):
                    message["buttons"] = for_role(message["buttons"], role)
        return result
