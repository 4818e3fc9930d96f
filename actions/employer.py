"""Employer actions: vacancy intake after vacancy_form, and anonymous candidate profiles."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.alerts import offer_alerts
from actions.promises import callback_when
from actions.search_terms import km_text, search_radius
from actions.service_support import capital, channel_of, region, slot, unknown_place, who, with_db
from placement.matching import CandidateProfile, Target, candidates_for_request
from placement.occupation_normaliser import resolve
from placement.queries import find_gemeente, suggest_gemeenten
from placement.services.employer import PROPOSAL_TOPIC, parse_hours, submit_vacancy

CALL_ME = {"title": "Ja, bel mij terug", "payload": "/request_callback"}
NO_THANKS = {"title": "Nee, dank u", "payload": "/deny"}


class ActionSubmitVacancy(Action):
    """After vacancy_form: employer (found or new), concept vacancy, lead for the accountmanager."""

    def name(self) -> str:
        return "action_submit_vacancy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        values = {name: slot(tracker, name) for name in
                  ("company_name", "job_title", "location", "hours", "contact_name", "phone", "email")}
        missing = [name for name in ("company_name", "job_title", "location") if not values[name]]
        if missing:
            dispatcher.utter_message(text="Ik mis nog gegevens om uw vacature door te geven. "
                                          "Zullen we het formulier opnieuw doen?")
            return []
        sender, channel = tracker.sender_id, channel_of(tracker)
        intake = await with_db(dispatcher, lambda s: submit_vacancy(s, sender_id=sender, channel=channel, **values),
                               writes=True)
        if intake is None:
            return []
        if intake.outcome == "unknown_gemeente":
            dispatcher.utter_message(text=unknown_place(values["location"], intake.suggestions))
            return [SlotSet("location", None)]
        route = intake.routed
        caller = who(route.staff_name, "accountmanager", route.region_name)
        dispatcher.utter_message(
            text=f"Dank u wel. Uw vacature '{values['job_title']}' staat bij ons als concept.\n"
                 f"Uw referentienummer is {route.reference}.\n"
                 f"{capital(caller)} belt u {callback_when(route.staff_name)} om de vacature door te nemen. "
                 "Daarna zetten wij de vacature open.",
            buttons=[{"title": "Kandidaten bekijken", "payload": "/find_candidates"}])
        return [SlotSet("vacancy_id", None)] + await offer_alerts(dispatcher, tracker)  # issue 16: match alerts


def profile_text(n: int, profile: CandidateProfile) -> str:
    hours = f"{profile.hours} uur per week" if profile.hours else "uren nog niet bekend"
    lines = [f"Kandidaat {n}: {profile.occupation}, {region(profile.region)}, {hours}, {profile.availability}."]
    if profile.skills:
        lines.append("   Kan: " + ", ".join(profile.skills) + ".")
    if profile.interests:
        lines.append("   Werkt graag: " + ", ".join(profile.interests) + ".")
    lines.append(f"   Waarom: {profile.reason}.")
    return "\n".join(lines)


class ActionFindCandidates(Action):
    """Up to five anonymous profiles for job_title (+ location, hours), with reasons."""

    def name(self) -> str:
        return "action_find_candidates"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        from actions.context import role_detour  # issue 12: a job seeker's "ik zoek" = vacancies

        detour = role_detour(dispatcher, tracker, "werkgever", "action_search_jobs")
        if detour is not None:
            return detour
        title, place = slot(tracker, "job_title", 80), slot(tracker, "location", 80)
        if not title:
            dispatcher.utter_message(text="Voor welk beroep zoekt u iemand? Bijvoorbeeld: magazijnmedewerker.")
            return []
        gemeente = find_gemeente(place)
        if place and gemeente is None:
            dispatcher.utter_message(text=unknown_place(place, suggest_gemeenten(place)))
            return [SlotSet("location", None)]
        resolution = resolve(title)
        where = f" rond {gemeente.name}" if gemeente else ""
        if resolution.best is None:
            dispatcher.utter_message(
                text="Ik herken dit niet als beroep. Een accountmanager kan samen met u zoeken. "
                     "Wilt u teruggebeld worden?", buttons=[CALL_ME, NO_THANKS])
            return [SlotSet("callback_topic", f"Kandidaten gezocht: {title}{where}"[:200])]
        if not resolution.confident:  # never a silent guess: the employer picks the occupation
            buttons = [{"title": capital(o.label), "payload": "/find_candidates" + json.dumps(
                {"job_title": o.label}, separators=(",", ":"), ensure_ascii=False)} for o in resolution.options(3)]
            dispatcher.utter_message(text="Ik weet niet zeker welk beroep u bedoelt. Kies het beroep dat het beste "
                                          "past. Staat het er niet bij? Typ het dan in andere woorden.",
                                     buttons=buttons)
            return [SlotSet("job_title", None)]
        occ = Target.of(resolution.best)
        radius = search_radius(tracker)
        hours = parse_hours(tracker.get_slot("hours"))
        found = await with_db(
            dispatcher, lambda s: candidates_for_request(s, occ, gemeente.code if gemeente else None, hours,
                                                        radius_km=radius.km),
            writes=False)
        if found is None:
            return []
        done = [SlotSet("place_depends", "search:candidates")]  # a place correction redoes this search
        if not gemeente:
            done.append(SlotSet("place_question", "search"))  # a bare place next narrows it
        if not found:
            dispatcher.utter_message(
                text=f"Ik vond nu geen passende kandidaten voor {occ.label}{where}. Een accountmanager kan breder "
                     "zoeken, bijvoorbeeld naar mensen die het vak willen leren. Wilt u teruggebeld worden?",
                buttons=[CALL_ME, NO_THANKS])
            return done + [SlotSet("callback_topic", f"Kandidaten gezocht: {occ.label}{where}"[:200])]
        within = f", binnen {km_text(radius.km)} km" if gemeente else ""
        intro = (f"Ik vond {len(found)} kandidaten die passen bij {occ.label}{where}{within}. "
                 "Namen en contactgegevens deel ik hier niet.")
        if not gemeente:
            intro += " Noem een plaats, dan zoek ik dichterbij."
        text = "\n".join([intro, *(profile_text(n, p) for n, p in enumerate(found, start=1))])
        dispatcher.utter_message(text=text + "\nZal een accountmanager deze kandidaten aan u voorstellen?",
                                 buttons=[CALL_ME, NO_THANKS])
        return done + [SlotSet("callback_topic", f"{PROPOSAL_TOPIC}: {occ.label}{where}"[:200])] + await offer_alerts(
            dispatcher, tracker)  # issue 16: match alerts for the vacancy this conversation reported
