"""Job search for job seekers: five open vacancies at a time, each with a button to respond."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.service_support import CONTRACT_TEXT, bounded_int, hours_text, slot, unknown_place, with_db
from placement.matching import SHORTLIST, SearchResult, search_vacancies
from placement.occupations import label
from placement.queries import find_gemeente, suggest_gemeenten
from placement.services.employer import parse_hours
from placement.services.routing import candidate_for

PAGE_SIZE = 5


@dataclass(frozen=True)
class _Search:
    outcome: str  # "ok", "ask_location"
    result: SearchResult | None = None
    what: str | None = None
    place: str | None = None
    from_profile: bool = False


def apply_payload(vacancy_id: int) -> str:
    return "/apply_for_vacancy" + json.dumps({"vacancy_id": str(vacancy_id)}, separators=(",", ":"))


def _search(session: Session, sender_id: str, title: str | None, place: str | None, hours: int | None,
            page: int) -> _Search:
    """The search with the slots, completed from the job seeker's registration where they are empty."""
    cand = candidate_for(session, sender_id)
    gemeente = find_gemeente(place)
    gemeente_code = gemeente.code if gemeente else (cand.gemeente_code if cand else None)
    if gemeente_code is None:
        return _Search("ask_location")
    what = title or (label(cand.occupation) if cand and cand.occupation else None)
    if hours is None and cand is not None:
        hours = cand.hours_wanted
    result = search_vacancies(session, what, gemeente_code, hours, page=page, page_size=PAGE_SIZE,
                              skills=cand.skills if cand else None)
    return _Search("ok", result, what, result.area.gemeente_name if result.area else None, gemeente is None)


async def show_page(dispatcher: CollectingDispatcher, tracker: Tracker, page: int) -> list[dict[str, Any]]:
    title, place = slot(tracker, "job_title", 80), slot(tracker, "location", 80)
    if place and find_gemeente(place) is None:
        dispatcher.utter_message(text=unknown_place(place, suggest_gemeenten(place)))
        return [SlotSet("location", None)]
    hours = parse_hours(tracker.get_slot("hours"))
    found = await with_db(dispatcher, lambda s: _search(s, tracker.sender_id, title, place, hours, page), writes=False)
    if found is None:
        return []
    if found.outcome == "ask_location":
        dispatcher.utter_message(text="In welke plaats zoekt u werk? Typ de naam van de gemeente.")
        return [SlotSet("search_page", 0.0)]
    result = found.result
    what = result.occupation.label if result.occupation else found.what
    around = f" rond {found.place}" + (" (uit uw inschrijving)" if found.from_profile else "")
    if not result.matches:
        if page > 0:
            dispatcher.utter_message(text="Er zijn geen andere vacatures meer. Zoek gerust op een ander beroep of "
                                          "een andere plaats.")
        else:
            unknown = "" if result.occupation or not found.what else f" Ik ken het beroep '{found.what}' niet goed."
            for_title = f" voor {what}" if what else ""
            dispatcher.utter_message(text=f"Ik vond nu geen open vacatures{for_title}{around}.{unknown} "
                                          "Probeer een ander beroep of een andere plaats.")
        return [SlotSet("search_page", float(page))]
    first = page * PAGE_SIZE + 1
    count = "veel vacatures" if result.total >= SHORTLIST else f"{result.total} vacature" + (
        "s" if result.total != 1 else "")
    for_what = (f" die {'past' if result.total == 1 else 'passen'} bij {what}") if what else ""
    lines = [f"Ik vond {count}{for_what}{around}. Dit zijn nummer {first} tot "
             f"{first + len(result.matches) - 1}:"]
    buttons = []
    for n, match in enumerate(result.matches, start=first):
        contract = CONTRACT_TEXT.get(match.contract_type, match.contract_type)
        lines.append(f"{n}. {match.title} in {match.gemeente}, {hours_text(match.hours_min, match.hours_max)}, "
                     f"{contract} (nr. {match.vacancy_id})\n   Waarom: {match.reason}.")
        buttons.append({"title": f"Reageer op nr. {match.vacancy_id}", "payload": apply_payload(match.vacancy_id)})
    if result.has_more:
        buttons.append({"title": "Meer vacatures", "payload": "/show_more"})
    lines.append("Wilt u reageren? Kies de knop met het nummer van de vacature.")
    dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
    return [SlotSet("search_page", float(page))]


class ActionSearchJobs(Action):
    """First page of open vacancies for job_title, location and hours."""

    def name(self) -> str:
        return "action_search_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        return await show_page(dispatcher, tracker, 0)


class ActionShowMore(Action):
    """The next page of the same search (search_page holds the page shown last)."""

    def name(self) -> str:
        return "action_show_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        try:
            page = bounded_int(tracker.get_slot("search_page"), 0, 1000) + 1
        except (TypeError, ValueError):
            page = 1
        return await show_page(dispatcher, tracker, min(page, 100))
