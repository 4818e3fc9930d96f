"""Dialogue-only actions: the first step of the two-stage fallback, and the session start.

Two-stage fallback (Rasa's `action_two_stage_fallback` loop, rule in nlu/rules.yml):
1. NLU is unsure (FallbackClassifier → nlu_fallback): `action_default_ask_affirmation` below offers
   the two most likely intents as buttons, plus "Iets anders" (= out_of_scope, Rasa's "no").
2. The user picks "Iets anders": Rasa sends `utter_ask_rephrase`.
3. Still unclear: Rasa runs `action_default_fallback`, which sends `utter_default` (a person or a
   callback).
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ROLE_BUTTONS
from actions.privacy import NOTICE_SLOTS, notice_values
from actions.role_buttons import fits_role

# Button labels for "Bedoelt u ...?" (B1 Dutch, from the user's point of view).
INTENT_LABELS: dict[str, str] = {
    "greet": "Hallo zeggen",
    "goodbye": "Het gesprek afsluiten",
    "thank": "Bedankt zeggen",
    "bot_challenge": "Vragen of ik een computer ben",
    "help": "Weten wat ik kan",
    "request_human": "Met een medewerker praten",
    "request_callback": "Teruggebeld worden",
    "ask_contact_details": "Adres en telefoonnummer",
    "ask_privacy": "Wat er met uw gegevens gebeurt",
    "request_data_deletion": "Uw gegevens laten wissen",
    "identify_as_employer": "Ik ben werkgever",
    "post_vacancy": "Een vacature melden",
    "find_candidates": "Kandidaten zoeken",
    "ask_wage_subsidy": "Loonkostensubsidie",
    "ask_no_risk_policy": "No-riskpolis (ziekte)",
    "ask_wage_cost_benefit": "Loonkostenvoordeel (LKV)",
    "ask_jobs_agreement": "Banenafspraak en doelgroepregister",
    "ask_secondment": "Detachering",
    "ask_job_carving": "Jobcarving (werk anders verdelen)",
    "ask_trial_placement": "Proefplaatsing",
    "ask_job_coach": "Jobcoach",
    "identify_as_jobseeker": "Ik zoek werk",
    "search_jobs": "Vacatures zoeken",
    "apply_for_vacancy": "Reageren op een vacature",
    "register_jobseeker": "Inschrijven als werkzoekende",
    "ask_sheltered_work": "Beschut werk",
    "ask_training": "Cursus of opleiding",
    "ask_benefits_impact": "Werk en uw uitkering",
    "check_application_status": "Status van uw sollicitatie",
    "show_more": "Meer vacatures zien",
}
# Intents that make no sense as "Bedoelt u ...?" (they need a question before them).
NOT_OFFERED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "stop"}
TELEGRAM_PAYLOAD_LIMIT = 64  # bytes of callback_data; longer payloads lose their entities
SLOT_ENTITIES = ("job_title", "location", "hours", "vacancy_id")
# "ik zoek een heftruckchauffeur in Tilburg": NLU often cannot tell these two apart, and only the role
# can. With no role known the question is the role question (the slots of the request stay set, so the
# chosen button repeats it); with a role, fits_role below keeps only that role's search.
EITHER_SEARCH = {"search_jobs", "find_candidates"}


def _payload(intent: str, entities: list[dict[str, Any]]) -> str:
    """`/intent{"entity": "value"}` so the chosen meaning keeps what the user typed (place, job)."""
    values = {e["entity"]: e["value"] for e in entities if e.get("entity") in SLOT_ENTITIES and e.get("value")}
    payload = f"/{intent}"
    if values:
        with_entities = payload + json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        if len(with_entities.encode()) <= TELEGRAM_PAYLOAD_LIMIT:
            payload = with_entities
    return payload


class ActionDefaultAskAffirmation(Action):
    """Offers the two most likely meanings of an unclear message as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        message = tracker.latest_message or {}
        ranking = message.get("intent_ranking") or []
        role = tracker.get_slot("user_role")  # never a meaning of the other role (issue 12)
        top_two = [r.get("name") for r in ranking if r.get("name") not in NOT_OFFERED][:2]
        if not role and set(top_two) == EITHER_SEARCH:
            # The chosen button carries the job and place: the fallback's undo keeps only the button's message.
            found = {e["entity"]: e["value"] for e in message.get("entities") or []
                     if e.get("entity") in SLOT_ENTITIES and e.get("value")}
            suffix = json.dumps(found, ensure_ascii=False, separators=(",", ":")) if found else ""
            dispatcher.utter_message(response="utter_ask_role", buttons=[
                {"title": b["title"], "payload": b["payload"] + suffix} for b in ROLE_BUTTONS])
            return []
        options = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS and r["name"] not in NOT_OFFERED
                   and fits_role("/" + r["name"], role)][:2]
        entities = message.get("entities") or []
        buttons = [{"title": INTENT_LABELS[name], "payload": _payload(name, entities)} for name in options]
        buttons.append({"title": "Iets anders", "payload": "/out_of_scope"})
        if options:
            text = "Ik weet niet zeker wat u bedoelt. Gaat het over een van deze onderwerpen?"
        else:
            text = "Ik weet niet zeker wat u bedoelt. Kiest u 'Iets anders'? Dan kunt u het anders zeggen."
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionSessionStart(Action):
    """Every new session starts with the privacy notice (what is kept, how long, how to remove it)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # The privacy texts name the current settings (organisation, contact, retention periods);
        # settings are checked when the stack starts, so reading them here cannot fail.
        values = notice_values()
        events: list[EventType] = [SessionStarted()]
        # Carry over what the user told us (session_config.carry_over_slots_to_new_session), but not
        # the bookkeeping of a form that was left half-way: a new session starts outside any form.
        skip = {"requested_slot", "form_errors", "session_started_metadata", *NOTICE_SLOTS}
        events += [SlotSet(name, value) for name, value in tracker.slots.items()
                   if value is not None and name not in skip]
        events += [SlotSet(name, values[name]) for name in NOTICE_SLOTS]
        dispatcher.utter_message(response="utter_privacy_notice", **values)
        events.append(ActionExecuted("action_listen"))
        return events
