"""Job seeker actions: respond to a vacancy, register, application status, beschut werk route."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.alerts import offer_alerts
from actions.promises import application_reply_when
from actions.service_support import DELETE_HINT, STATUS_TEXT, capital, channel_of, slot, unknown_place, who, with_db
from placement.matching.scoring import dutch_date
from placement.services.employer import parse_hours
from placement.services.jobseeker import (
    ApplyResult,
    application_statuses,
    apply_for_vacancy,
    parse_vacancy_ref,
    register_candidate,
)
from placement.services.support import sheltered_work_route

REGISTER = {"title": "Inschrijven", "payload": "/register_jobseeker"}
SEARCH = {"title": "Vacatures zoeken", "payload": "/search_jobs"}
HUMAN = {"title": "Met een medewerker praten", "payload": "/request_human"}


def apply_text(result: ApplyResult) -> tuple[str, list[dict[str, str]]]:
    """What the user hears after responding to a vacancy, and the buttons to offer."""
    nr = f"vacature {result.vacancy_id}" + (f" ({result.title})" if result.title else "")
    if result.outcome == "invalid":
        return ("Welk vacaturenummer bedoelt u? U ziet het nummer achter de vacature, bijvoorbeeld 'nr. 5'.",
                [SEARCH])
    if result.outcome == "not_found":
        return (f"Ik kan vacature nummer {result.vacancy_id} niet vinden. Kijk of het nummer klopt, "
                "of zoek opnieuw.", [SEARCH])
    if result.outcome == "closed":
        return (f"{capital(nr)} is niet meer open. U kunt hier niet meer op reageren. Zoek gerust verder.", [SEARCH])
    if result.outcome == "not_registered":
        return (f"Wilt u reageren op {nr}? Schrijf u dan eerst in. Dat duurt ongeveer een minuut. "
                "Daarna stuur ik uw reactie door.", [REGISTER])
    status = STATUS_TEXT.get(result.status or "", result.status or "")
    if result.outcome == "already":
        since = f" op {dutch_date(result.since.date())}" if result.since else ""
        return f"U heeft al gereageerd op {nr}{since}. De status: {status} U hoeft niets meer te doen.", []
    route = result.routed
    person = who(route.staff_name, "consulent", route.region_name)
    return (f"Uw reactie op {nr} is verstuurd. {capital(person)} bekijkt uw reactie en neemt "
            f"{application_reply_when(route.staff_name)} contact met u op. Daarna hoort u of er een gesprek komt.\n"
            "Wilt u weten hoe het staat? Vraag mij naar de status van uw sollicitatie.", [])


class ActionApplyForVacancy(Action):
    """An application for vacancy_id (idempotent) and a lead for the consulent."""

    def name(self) -> str:
        return "action_apply_for_vacancy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        ref = tracker.get_slot("vacancy_id")
        if parse_vacancy_ref(ref) is None:
            text, buttons = apply_text(ApplyResult("invalid"))
            dispatcher.utter_message(text=text, buttons=buttons)
            return []
        sender, channel = tracker.sender_id, channel_of(tracker)
        result = await with_db(dispatcher, lambda s: apply_for_vacancy(s, sender_id=sender, channel=channel,
                                                                       vacancy_ref=ref), writes=True)
        if result is None:
            return []
        text, buttons = apply_text(result)
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionSubmitRegistration(Action):
    """After registration_form: candidate with consent timestamp; a pending response is sent too."""

    def name(self) -> str:
        return "action_submit_registration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender, channel = tracker.sender_id, channel_of(tracker)
        title, place, hours = slot(tracker, "job_title"), slot(tracker, "location"), tracker.get_slot("hours")
        consent, pending = tracker.get_slot("registration_consent"), tracker.get_slot("vacancy_id")

        def work(session):
            done = register_candidate(session, sender_id=sender, job_title=title, location=place, hours=hours,
                                      consent=consent)
            applied = None
            if done.outcome == "ok" and parse_vacancy_ref(pending) is not None:
                applied = apply_for_vacancy(session, sender_id=sender, channel=channel, vacancy_ref=pending)
            return done, applied

        outcome = await with_db(dispatcher, work, writes=True)
        if outcome is None:
            return []
        done, applied = outcome
        if done.outcome == "no_consent":
            dispatcher.utter_message(text="Zonder uw toestemming schrijf ik u niet in. Er is niets bewaard. "
                                          "U kunt wel vacatures bekijken.", buttons=[SEARCH])
            return []
        if done.outcome == "unknown_gemeente":
            dispatcher.utter_message(text=unknown_place(place or "", done.suggestions))
            return [SlotSet("location", None)]
        known = [f"beroep: {done.occupation}" if done.occupation else None,
                 f"woonplaats: {done.gemeente}" if done.gemeente else None,
                 f"{parse_hours(hours)} uur per week" if parse_hours(hours) else None]
        saved = "; ".join(k for k in known if k)
        text = "U bent ingeschreven." if done.created else "Uw inschrijving is bijgewerkt."
        text += f" Ik bewaar: {saved}. Zo kan ik beter voor u zoeken." if saved else ""
        if title and not done.occupation:
            text += f" Het beroep '{title}' ken ik niet goed; noem bij het zoeken gerust een ander woord."
        dispatcher.utter_message(text=f"{text} {DELETE_HINT}")
        if applied is not None and applied.outcome in ("applied", "already"):
            reply, buttons = apply_text(applied)
            dispatcher.utter_message(text=reply, buttons=buttons)
            return [SlotSet("vacancy_id", None)]
        dispatcher.utter_message(text="Zal ik vacatures voor u zoeken?", buttons=[SEARCH])
        return await offer_alerts(dispatcher, tracker)  # issue 16: match alerts


class ActionCheckApplicationStatus(Action):
    """The real status of the user's applications, in plain words."""

    def name(self) -> str:
        return "action_check_application_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender, ref = tracker.sender_id, tracker.get_slot("vacancy_id")
        result = await with_db(dispatcher, lambda s: application_statuses(s, sender, ref), writes=False)
        if result is None:
            return []
        if not result.registered:
            dispatcher.utter_message(text="Ik vind geen inschrijving bij dit gesprek, dus ook geen reacties. "
                                          "Heeft u via een andere weg gereageerd? Een medewerker kan het voor u "
                                          "nakijken.", buttons=[HUMAN, REGISTER])
            return []
        if not result.items:
            nr = parse_vacancy_ref(ref)
            which = f" op vacature {nr}" if nr else " op een vacature"
            dispatcher.utter_message(text=f"U heeft nog niet gereageerd{which}.", buttons=[SEARCH])
            return []
        lines = ["Zo staat het met uw reacties:"]
        for item in result.items[:10]:
            line = f"- Vacature {item.vacancy_id} ({item.title}): {STATUS_TEXT.get(item.status, item.status)}"
            if item.status in ("ingediend", "in_behandeling") and item.vacancy_status in ("closed", "filled"):
                line += " Let op: de vacature zelf is inmiddels gesloten."
            lines.append(line)
        if result.consulent:
            lines.append(f"Vragen? Uw consulent is {result.consulent}.")
        dispatcher.utter_message(text="\n".join(lines))
        return []


class ActionShelteredWorkRoute(Action):
    """Where to ask for beschut werk in the user's gemeente (gemeente → region → werkgeversservicepunt)."""

    def name(self) -> str:
        return "action_sheltered_work_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        # The home gemeente decides on beschut werk (issue 12): never the place someone searched work in.
        sender, place = tracker.sender_id, slot(tracker, "home_place", 80)
        route = await with_db(dispatcher, lambda s: sheltered_work_route(s, sender, place), writes=False)
        depends = [SlotSet("place_depends", "sheltered_work")]
        if route is None:
            return depends
        if route.outcome == "unknown_gemeente":
            dispatcher.utter_message(text=unknown_place(place or "", route.suggestions))
            return depends + [SlotSet("home_place", None)]
        if route.outcome == "no_location":
            dispatcher.utter_message(text="In welke gemeente woont u? Dan vertel ik waar u beschut werk aanvraagt. "
                                          "Typ bijvoorbeeld: ik woon in Kampen.")
            return depends + [SlotSet("place_question", "home")]  # a bare "Kampen" answers it
        g, wsp = route.gemeente, route.wsp
        lines = [f"U woont in {g.name}. Beschut werk vraagt u aan bij de gemeente {g.name}.",
                 "U kunt ook zelf bij UWV een advies aanvragen. UWV geeft advies, de gemeente beslist.",
                 f"{g.name} hoort bij de arbeidsmarktregio {g.region_name}."]
        if wsp is not None:
            contact = [c for c in (wsp.phone, wsp.email, wsp.website) if c] if not wsp.demo else []
            lines.append(f"Daar helpt het {wsp.name} werkgevers en werkzoekenden"
                         + (f": {', '.join(contact)}." if contact else "."))
        lines.append("Wilt u hulp bij de aanvraag? Een consulent kan u terugbellen.")
        dispatcher.utter_message(text="\n".join(lines), buttons=[
            {"title": "Bel mij terug", "payload": "/request_callback"}, HUMAN])
        return depends
