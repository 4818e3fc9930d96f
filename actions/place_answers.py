"""Corrections of a place and bare place names (issue 12 items 1, 2 and 4): confirm, then redo.

The per-turn hook (actions/context.py, `place_events`) has already put the place into the right slot
before these actions run; they say what changed and redo what depended on it:

- `action_correct_place` ("nee, ik bedoel in Deventer", "liever in de buurt van Ede", "niet Zwolle maar
  Kampen"): after a search "Ik zoek nu in Deventer." and the same search again with the same job title
  (vacancies for a job seeker, candidates for an employer); after the beschut werk route or a referral
  the home gemeente is corrected and that answer is redone (action_home_place_changed). Inside a form
  the validator corrects the form's location instead (actions/forms.py).
- `action_place_answer` (a bare "Kampen"): the answer to the place question the bot asked last
  (`place_question`), or, with no question open, a correction of the last search; with nothing to
  redo it asks what the place is for.
What was done last is in `place_depends`: "search:jobs", "search:candidates", "sheltered_work",
"referral:<intent>" (set by the actions that used a place). `action_home_place_changed` ("(nee,) ik woon in
Kampen", issue 12 item 4) lives here too: it redoes the route or referral that used the home gemeente.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import HOME_DEPENDS, _turn_events, _value_before, role_question
from actions.place_text import bare_place, corrected_place
from actions.service_support import unknown_place
from placement.queries import suggest_gemeenten

ASK_PLACE = "Welke plaats bedoelt u? Typ alleen de naam van de gemeente, bijvoorbeeld Deventer."


def _location_entities(tracker: Tracker) -> list[str]:
    return [str(e.get("value")) for e in (tracker.latest_message or {}).get("entities") or []
            if e.get("entity") == "location" and e.get("value")]


def _text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def search_kind(tracker: Tracker) -> str | None:
    """"candidates" or "jobs": what the last search was, else what the role searches; None if unknown."""
    depends = str(tracker.get_slot("place_depends") or "")
    if depends.startswith("search:"):
        return depends.split(":", 1)[1]
    role = tracker.get_slot("user_role")
    return {"werkgever": "candidates", "werkzoekende": "jobs"}.get(role)


async def redo_search(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
    """The last search again with the slots as they are now (the place just changed, the job title kept)."""
    from actions.employer import ActionFindCandidates
    from actions.jobs import show_page

    kind = search_kind(tracker)
    if kind == "candidates":
        return await ActionFindCandidates().run(dispatcher, tracker, domain)
    if kind == "jobs":
        return await show_page(dispatcher, tracker, 0, typed_title=False)
    return role_question(dispatcher)


def _not_understood(dispatcher: CollectingDispatcher, tracker: Tracker, asked: str) -> list:
    """No known gemeente in the message: say so, keep the old place, and ask again."""
    earlier, _ = _turn_events(tracker)
    raw = next(iter(_location_entities(tracker)[-1:]), None)
    if raw:
        dispatcher.utter_message(text=unknown_place(raw, suggest_gemeenten(raw)))
    else:
        dispatcher.utter_message(text=ASK_PLACE)
    return [SlotSet("location", _value_before(earlier, "location")), SlotSet("place_question", asked)]


class ActionCorrectPlace(Action):
    def name(self) -> str:
        return "action_correct_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        home = str(tracker.get_slot("place_depends") or "").startswith(HOME_DEPENDS)
        place = corrected_place(_text(tracker), _location_entities(tracker))
        if place is None:
            return _not_understood(dispatcher, tracker, "home" if home else "search")
        if home:
            return await ActionHomePlaceChanged().run(dispatcher, tracker, domain)
        dispatcher.utter_message(text=f"Ik zoek nu in {place}.")
        return [SlotSet("location", place)] + await redo_search(dispatcher, tracker, domain)


class ActionPlaceAnswer(Action):
    def name(self) -> str:
        return "action_place_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        earlier, _ = _turn_events(tracker)
        asked = _value_before(earlier, "place_question")
        depends = str(tracker.get_slot("place_depends") or "")
        place = bare_place(_text(tracker)) or corrected_place(_text(tracker), _location_entities(tracker))
        if place is None:
            return _not_understood(dispatcher, tracker, asked or "search")
        if asked == "home" or (not asked and depends.startswith(HOME_DEPENDS)):
            return await ActionHomePlaceChanged().run(dispatcher, tracker, domain)
        if asked == "search":
            return [SlotSet("location", place)] + await redo_search(dispatcher, tracker, domain)
        if depends.startswith("search:"):
            dispatcher.utter_message(text=f"Ik zoek nu in {place}.")
            return [SlotSet("location", place)] + await redo_search(dispatcher, tracker, domain)
        return self._what_for(dispatcher, tracker, place)

    @staticmethod
    def _what_for(dispatcher: CollectingDispatcher, tracker: Tracker, place: str) -> list:
        """A place out of the blue: does the user live there, or search there? (buttons fit the role)"""
        role = tracker.get_slot("user_role")

        def payload(intent: str) -> str:
            return f"/{intent}" + json.dumps({"location": place}, ensure_ascii=False, separators=(",", ":"))

        buttons = [{"title": f"Ik woon in {place}", "payload": payload("inform_home_place")}]
        if role != "werkzoekende":
            buttons.append({"title": f"Ik zoek personeel in {place}", "payload": payload("find_candidates")})
        if role != "werkgever":
            buttons.append({"title": f"Ik zoek werk in {place}", "payload": payload("search_jobs")})
        dispatcher.utter_message(text=f"U noemt {place}. Wat wilt u daar? Kies een knop, of typ uw vraag.",
                                 buttons=buttons)
        return [SlotSet("location", place)]


class ActionHomePlaceChanged(Action):
    """"ik woon in Kampen" / "nee, ik woon in Kampen": confirm, then redo what depended on it."""

    def name(self) -> str:
        return "action_home_place_changed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        from actions.jobseeker import ActionShelteredWorkRoute
        from actions.referrals import WHERE_DO_YOU_LIVE, refer

        earlier, _ = _turn_events(tracker)
        text = str((tracker.latest_message or {}).get("text") or "")
        if _value_before(earlier, "place_question") == "search" and bare_place(text):
            # A bare "Kampen" NLU read as "ik woon in": it answers the search's place question.
            return await ActionPlaceAnswer().run(dispatcher, tracker, domain)
        home = tracker.get_slot("home_place")
        if not home:
            dispatcher.utter_message(text="Die gemeente ken ik niet. " + WHERE_DO_YOU_LIVE)
            return [SlotSet("place_question", "home")]
        dispatcher.utter_message(text=f"Genoteerd: u woont in {home}.")
        depends = str(tracker.get_slot("place_depends") or "")
        if depends == "sheltered_work":
            return await ActionShelteredWorkRoute().run(dispatcher, tracker, domain)
        if depends.startswith("referral:"):
            return refer(dispatcher, tracker, depends.split(":", 1)[1])
        return []
