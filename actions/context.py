"""Who the user is and where: role, home gemeente, and the conversation row staff filter on.

`action_validate_slot_mappings` is Rasa's hook for global slot validation: Rasa 3.6 calls it after
every user message, right after it filled slots from the message (action_extract_slots), with those
new values in the tracker. Werkpunt uses that one call per turn for three things:

- role: an explicit statement ("ik heb een bedrijf", "ik zoek werk", a role button, "vacature
  plaatsen", "inschrijven") sets `user_role`; an ambiguous request ("ik zoek een heftruckchauffeur")
  never overrides a role the user already gave, and with no role yet it leaves the role open, so the
  search actions ask "Zoekt u personeel of zoekt u werk?" (role_question below);
- home place: `home_place` (from "ik woon in Kampen") becomes the official gemeente name;
- the conversation row: when the role or a place changed this turn, role and region go onto
  `conversation` (placement.services.context), so handoffs and callbacks queue per region.
A database failure here is logged and otherwise silent: the user's turn goes on, and the next
change writes again.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.form_values import sane_hours
from actions.place_text import bare_place, corrected_place, looks_like_correction
from placement.db import DatabaseConfigError, engine_for, session_scope
from placement.queries import find_gemeente
from placement.services.context import note_context
from settings import get_settings

log = logging.getLogger(__name__)

# Intents that say the role by themselves; search and candidate requests only do with a clear word.
EXPLICIT_ROLE_INTENTS = {"identify_as_employer", "identify_as_jobseeker", "post_vacancy", "register_jobseeker",
                         "apply_for_vacancy"}
JOBSEEKER_WORDS = re.compile(r"\b(werk|baan|baantje|banen|vacatures?|job|jobs|solliciteren|sollicit\w*|"
                             r"werkloos|uitkering|inschrijven)\b", re.I)
EMPLOYER_WORDS = re.compile(r"\b(personeel|medewerkers?|kandidaten|kandidaat|collega'?s?|mensen|krachten|"
                            r"iemand|werknemers?|bedrijf|zaak|vacature plaatsen|aannemen)\b", re.I)
# Short statements of who the user is (issue 12 item 4), checked against the whole message.
EMPLOYER_STATEMENT = re.compile(r"(?:(?:ik ben|wij zijn|we zijn)\s+(?:een\s+)?)?(?:werkgever|ondernemer|"
                                r"bedrijf|werkgevers)(?:\s+hier)?|(?:wij|we|ik)\s+zoek(?:en)?\s+(?:nieuw\s+)?"
                                r"(?:personeel|medewerkers|mensen|werknemers)|ik heb een (?:eigen )?bedrijf")
JOBSEEKER_STATEMENT = re.compile(r"(?:(?:ik ben|wij zijn|we zijn)\s+(?:een\s+)?)?(?:werkzoekende|werkloos|"
                                 r"op zoek naar werk)|ik zoek (?:een\s+)?(?:werk|baan|baantje)|"
                                 r"ik ben op zoek naar (?:een\s+)?(?:werk|baan)|werk zoeken|(?:een\s+)?baan zoeken")
CONTEXT_SLOTS = ("user_role", "location", "home_place")
PLACE_FORMS = {"vacancy_form", "registration_form"}  # the forms that ask for `location`
HOME_DEPENDS = ("sheltered_work", "referral:")  # place_depends values that used the home gemeente
ROLE_BUTTONS = [{"title": "Ik zoek personeel", "payload": "/find_candidates"},
                {"title": "Ik zoek werk", "payload": "/search_jobs"}]


def _turn_events(tracker: Tracker) -> tuple[list[dict], list[dict]]:
    """(events before the latest user message, events since)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[:last_user + 1], events[last_user + 1:]


def _value_before(earlier: list[dict], name: str) -> Any:
    for event in reversed(earlier):
        if event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


def role_statement(text: str) -> str | None:
    """The role of a short statement of who the user is ("werkgever", "ik ben werkgever", "wij zoeken
    personeel", "ik zoek werk"), whatever intent NLU read; None for anything longer or unclear."""
    words = " ".join(str(text or "").lower().split()).strip(" .!?,")
    if EMPLOYER_STATEMENT.fullmatch(words):
        return "werkgever"
    if JOBSEEKER_STATEMENT.fullmatch(words):
        return "werkzoekende"
    return None


def place_events(tracker: Tracker, earlier: list[dict], changed: set, text: str, intent: str | None) -> list:
    """Which slot a place in this turn fills, from what the conversation did (actions/place_answers.py):

    - a correction ("nee, ik bedoel Deventer"): inside a form its `location`; outside one, the place the
      last place-dependent answer used (`place_depends`: a search → `location`, the beschut werk route or
      a referral → `home_place`);
    - a bare place ("Kampen") after the bot's place question (`place_question`): "home" → `home_place`,
      "search" → `location`.
    A place NLU put into the other slot this turn is set back to what it was.
    """
    asked = tracker.get_slot("place_question")
    events: list = [SlotSet("place_question", None)] if asked else []
    in_form = (tracker.active_loop or {}).get("name") in PLACE_FORMS
    entities = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
                if e.get("entity") == "location" and e.get("value")]
    target, place = None, None
    if intent == "correct_place" or (intent in ("deny", "nlu_fallback") and looks_like_correction(text)):
        place = corrected_place(text, entities)
        depends = str(tracker.get_slot("place_depends") or "")
        target = "location" if in_form or not depends.startswith(HOME_DEPENDS) else "home_place"
    elif (asked in ("home", "search") or intent == "inform_place") and not in_form:
        place = bare_place(text) or (corrected_place(text, entities) if intent == "inform_place" else None)
        depends = str(tracker.get_slot("place_depends") or "")
        home = asked == "home" or (not asked and depends.startswith(HOME_DEPENDS))
        target = "home_place" if home else "location"
    if not place or not target:
        return events
    other = "location" if target == "home_place" else "home_place"
    events.append(SlotSet(target, place))
    if other in changed:
        events.append(SlotSet(other, _value_before(earlier, other)))
    return events


def role_in_text(text: str) -> str | None:
    """The role a request states in words, or None when it could be either."""
    seeker, employer = bool(JOBSEEKER_WORDS.search(text)), bool(EMPLOYER_WORDS.search(text))
    if seeker == employer:
        return None
    return "werkzoekende" if seeker else "werkgever"


def role_question(dispatcher: CollectingDispatcher) -> list:
    """Ask for the role; the buttons repeat the original request, whose slots are still set."""
    dispatcher.utter_message(response="utter_ask_role", buttons=ROLE_BUTTONS)
    return []


class ActionValidateSlotMappings(Action):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        earlier, this_turn = _turn_events(tracker)
        changed = {e.get("name") for e in this_turn if e.get("event") == "slot"}
        message = tracker.latest_message or {}
        text, intent = str(message.get("text") or ""), (message.get("intent") or {}).get("name")
        events: list = []
        role = tracker.get_slot("user_role")
        if "user_role" in changed and intent not in EXPLICIT_ROLE_INTENTS and not text.startswith("/"):
            before = _value_before(earlier, "user_role")
            role = role_statement(text) or before or role_in_text(text)
            events.append(SlotSet("user_role", role))
        elif role_statement(text) and role_statement(text) != role:  # "werkgever", read as another intent
            role = role_statement(text)
            events.append(SlotSet("user_role", role))
            changed.add("user_role")
        if "hours" in changed and tracker.get_slot("requested_slot") != "hours":  # the forms check their own
            hours = sane_hours(tracker.get_slot("hours"))
            if hours != tracker.get_slot("hours"):
                events.append(SlotSet("hours", hours or _value_before(earlier, "hours")))
        home = tracker.get_slot("home_place")
        if "home_place" in changed and home:
            gemeente = find_gemeente(str(home))
            home = gemeente.name if gemeente else None
            events.append(SlotSet("home_place", home))
        place = place_events(tracker, earlier, changed, text, intent)
        events += place
        for event in place:
            changed.add(event["name"])
            home = event["value"] if event["name"] == "home_place" else home
        if changed & set(CONTEXT_SLOTS):
            location = next((e["value"] for e in reversed(place) if e["name"] == "location"),
                            tracker.get_slot("location"))
            await self._note(tracker.sender_id, role, home, location)
        return events

    @staticmethod
    async def _note(sender_id: str, role: str | None, home: str | None, work: str | None) -> None:
        def unit() -> None:
            with session_scope(engine_for(get_settings().database_url)) as session:
                note_context(session, sender_id, role, home, work if isinstance(work, str) else None)

        try:
            await asyncio.to_thread(unit)
        except (SQLAlchemyError, DatabaseConfigError) as exc:
            log.warning("could not note role/region on the conversation: %s", str(exc).splitlines()[0])


def role_route(tracker: Tracker, serves: str) -> str | None:
    """For a search action that serves `serves`: "other" when the user has the other role (an employer's
    "ik zoek een heftruckchauffeur" means candidates), "ask" when a typed request left the role open,
    else None (go ahead)."""
    role = tracker.get_slot("user_role")
    if role in ("werkgever", "werkzoekende"):
        return None if role == serves else "other"
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "ask" if text and not text.startswith("/") else None


def role_detour(dispatcher: CollectingDispatcher, tracker: Tracker, serves: str, other_action: str) -> list | None:
    """Events that replace a search action's own run when the role says so (see role_route), else None."""
    route = role_route(tracker, serves)
    if route == "ask":
        return role_question(dispatcher)
    if route == "other":  # Rasa runs it next; no import between the two flows
        return [FollowupAction(other_action)]
    return None
