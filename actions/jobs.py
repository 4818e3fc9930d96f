"""Job search for job seekers: five open vacancies at a time, each with a reason and a button to respond.

An uncertain job title is never replaced silently: the user chooses from the top 2-3 occupations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.alerts import offer_alerts
from actions.search_terms import (
    choice_payload,
    job_words,
    km_text,
    search_radius,
    wanted_instrument,
    wider_payload,
)
from actions.service_support import CONTRACT_TEXT, bounded_int, capital, slot, unknown_place, with_db
from placement.matching import SHORTLIST, SearchResult, Target, search_vacancies
from placement.matching.distance import MAX_RADIUS_KM
from placement.occupation_data import label_of
from placement.occupation_normaliser import resolve
from placement.queries import find_gemeente, suggest_gemeenten
from placement.services.employer import parse_hours
from placement.services.routing import candidate_for

PAGE_SIZE = 5


@dataclass(frozen=True)
class _Search:
    outcome: str  # "ok", "ask_location", "ask_title", "unknown_title", "choose"
    result: SearchResult | None = None
    place: str | None = None
    from_profile: bool = False
    options: tuple = ()


def apply_payload(vacancy_id: int) -> str:
    return "/apply_for_vacancy" + json.dumps({"vacancy_id": str(vacancy_id)}, separators=(",", ":"))


def _search(session: Session, sender_id: str, what: str | None, place: str | None, hours: int | None,
            page: int, radius_km: float, instrument: str | None = None) -> _Search:
    """The search with the slots, completed from the job seeker's registration where they are empty."""
    cand = candidate_for(session, sender_id)
    gemeente = find_gemeente(place)
    gemeente_code = gemeente.code if gemeente else (cand.gemeente_code if cand else None)
    if gemeente_code is None:
        return _Search("ask_location")
    target = None
    if not (what or "").strip():
        if cand is None or not cand.isco_code:
            return _Search("ask_title")
        target = Target(cand.esco_uri, cand.isco_code, label_of(cand.esco_uri, cand.isco_code) or "uw beroep")
    else:
        found = resolve(what)
        if found.best is None:
            return _Search("unknown_title")
        if not found.confident:
            return _Search("choose", options=tuple(found.options(3)))
        target = Target.of(found.best)
    if hours is None and cand is not None:
        hours = cand.hours_wanted
    result = search_vacancies(session, None, gemeente_code, hours, page=page, page_size=PAGE_SIZE,
                              skills=cand.skills if cand else None, radius_km=radius_km, target=target,
                              instrument=instrument)
    return _Search("ok", result, result.place, gemeente is None)


def _no_results(dispatcher: CollectingDispatcher, result: SearchResult, around: str) -> None:
    """Say what was understood and offer honest next steps: a wider radius, registering, a callback."""
    label = result.target.label
    buttons = []
    if result.radius_km < MAX_RADIUS_KM:
        wider = min(MAX_RADIUS_KM, max(result.radius_km * 2, result.radius_km + 20))
        buttons.append({"title": f"Zoek binnen {km_text(wider)} km", "payload": wider_payload(label, wider)})
    buttons += [{"title": "Inschrijven als werkzoekende", "payload": "/register_jobseeker"},
                {"title": "Bel mij terug", "payload": "/request_callback"}]
    dispatcher.utter_message(
        text=f"Ik zocht naar {label}{around}, binnen {km_text(result.radius_km)} km. Ook verwant werk heb ik "
             "bekeken. Ik vond nu geen open vacatures. U kunt verder weg zoeken of een ander beroep typen. U kunt "
             "zich ook inschrijven, of kiezen voor 'Bel mij terug'.", buttons=buttons)


async def show_page(dispatcher: CollectingDispatcher, tracker: Tracker, page: int,
                    typed_title: bool = True) -> list[dict[str, Any]]:
    """One page of the search. `typed_title=False`: keep the job title of the slot (a place correction
    redoes the same search; its words are no job)."""
    title, place = slot(tracker, "job_title", 80), slot(tracker, "location", 80)
    if place and find_gemeente(place) is None:
        dispatcher.utter_message(text=unknown_place(place, suggest_gemeenten(place)))
        return [SlotSet("location", None)]
    hours = parse_hours(tracker.get_slot("hours"))
    radius = search_radius(tracker)
    what = title
    if page == 0 and typed_title:  # a new search: a job typed now beats the slot left by an earlier search
        tagged = any(e.get("entity") == "job_title" for e in (tracker.latest_message or {}).get("entities") or [])
        typed = job_words(tracker, place)
        if not tagged and typed and resolve(typed).best is not None:
            what = typed
    instrument = wanted_instrument(tracker)
    found = await with_db(dispatcher, lambda s: _search(s, tracker.sender_id, what, place, hours, page, radius.km,
                                                        instrument), writes=False)
    if found is None:
        return []
    if found.outcome == "ask_location":
        dispatcher.utter_message(text="In welke plaats zoekt u werk? Typ de naam van de gemeente.")
        return [SlotSet("search_page", 0.0), SlotSet("job_title", title), SlotSet("place_question", "search")]
    if found.outcome in ("ask_title", "unknown_title"):
        first = "Ik herken dit niet als beroep. " if found.outcome == "unknown_title" else ""
        dispatcher.utter_message(text=f"{first}Welk werk zoekt u? Typ een beroep of een vakgebied, bijvoorbeeld "
                                      "'groenvoorziening', 'schoonmaak' of 'magazijnmedewerker'.")
        return [SlotSet("search_page", 0.0), SlotSet("job_title", None)]
    if found.outcome == "choose":
        buttons = [{"title": capital(o.label), "payload": choice_payload(o, radius.km if radius.asked else None)}
                   for o in found.options]
        dispatcher.utter_message(text="Ik weet niet zeker welk werk u bedoelt. Kies het beroep dat het beste past. "
                                      "Staat het er niet bij? Typ het dan in andere woorden.", buttons=buttons)
        return [SlotSet("search_page", 0.0), SlotSet("job_title", None)]
    result = found.result
    if radius.note and page == 0:
        dispatcher.utter_message(text=radius.note)
    around = f" rond {found.place}" + (" (uit uw inschrijving)" if found.from_profile else "")
    events = [SlotSet("search_page", float(page)), SlotSet("job_title", result.target.label),
              SlotSet("place_depends", "search:jobs")]  # a place correction redoes this search
    if not result.matches:
        if page > 0:
            dispatcher.utter_message(text="Er zijn geen andere vacatures meer. Zoek gerust op een ander beroep of "
                                          "een andere plaats.")
        else:
            _no_results(dispatcher, result, around)
        return events
    first = page * PAGE_SIZE + 1
    count = "veel vacatures" if result.total >= SHORTLIST else f"{result.total} vacature" + (
        "s" if result.total != 1 else "")
    lines = [f"Ik zocht naar {result.target.label}{around}, binnen {km_text(result.radius_km)} km. Ik vond {count}. "
             f"Dit zijn nummer {first} tot {first + len(result.matches) - 1}:"]
    buttons = []
    for n, match in enumerate(result.matches, start=first):
        contract = CONTRACT_TEXT.get(match.contract_type, match.contract_type)
        lines.append(f"{n}. {match.title} — {match.reason[:1].lower() + match.reason[1:]} ({contract}, "
                     f"nr. {match.vacancy_id})")
        buttons.append({"title": f"Reageer op nr. {match.vacancy_id}", "payload": apply_payload(match.vacancy_id)})
    if result.has_more:
        buttons.append({"title": "Meer vacatures", "payload": "/show_more"})
    lines.append("Wilt u reageren? Kies de knop met het nummer van de vacature.")
    dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
    return events


class ActionSearchJobs(Action):
    """First page of open vacancies for job_title, location and hours."""

    def name(self) -> str:
        return "action_search_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        from actions.context import role_detour  # issue 12: the role decides what "ik zoek" means

        detour = role_detour(dispatcher, tracker, "werkzoekende", "action_find_candidates")
        if detour is not None:
            return detour
        events = await show_page(dispatcher, tracker, 0)
        return events + await offer_alerts(dispatcher, tracker, events)  # issue 16: match alerts


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
