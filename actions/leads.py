"""Actions that put a person on the case: callback requests and handoff to a staff member."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.promises import callback_when
from actions.service_support import capital, channel_of, slot, who, with_db
from placement.office_hours import describe, next_opening, within_office_hours
from placement.services.employer import submit_callback
from placement.services.routing import recent_leads
from placement.services.support import request_handoff
from settings import get_settings


TOO_MANY_LEADS = ("U heeft het afgelopen uur al een paar keer om contact gevraagd. Dat is goed aangekomen: "
                  "een medewerker neemt contact met u op. U hoeft het niet opnieuw te vragen.")


async def over_lead_limit(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """True (and the user is told) when this conversation made LEADS_PER_HOUR leads in the last hour."""
    sender, limit = tracker.sender_id, get_settings().leads_per_hour
    count = await with_db(dispatcher, lambda s: recent_leads(s, sender), writes=False)
    if count is not None and count >= limit:
        dispatcher.utter_message(text=TOO_MANY_LEADS)
        return True
    return count is None  # the database is away: with_db has already told the user


def _role(tracker: Tracker) -> str | None:
    role = tracker.get_slot("user_role")
    return role if role in ("werkgever", "werkzoekende") else None


def _place(tracker: Tracker) -> str | None:
    """The gemeente whose region gets the lead: a job seeker's home, an employer's work place (issue 10)."""
    from placement.services.context import deciding_place

    home, work = slot(tracker, "home_place", 80), slot(tracker, "location", 80)
    return deciding_place(_role(tracker), home, work) or work


class ActionSubmitCallback(Action):
    """After callback_form: a callback lead (or candidate proposal) for the right staff member."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        phone = slot(tracker, "phone", 30)
        if not phone:
            dispatcher.utter_message(text="Ik heb nog geen telefoonnummer. Op welk nummer kunnen wij u bellen?")
            return []
        if await over_lead_limit(dispatcher, tracker):
            return [SlotSet("callback_topic", None)]
        values = dict(role=_role(tracker), contact_name=slot(tracker, "contact_name"), phone=phone,
                      email=slot(tracker, "email"), preferred_moment=slot(tracker, "preferred_moment", 120),
                      topic=slot(tracker, "callback_topic"), location=_place(tracker),
                      company_name=slot(tracker, "company_name"), job_title=slot(tracker, "job_title"),
                      hours=tracker.get_slot("hours"))
        sender, channel = tracker.sender_id, channel_of(tracker)
        route = await with_db(dispatcher, lambda s: submit_callback(s, sender_id=sender, channel=channel, **values),
                              writes=True)
        if route is None:
            return []
        staff_role = "consulent" if values["role"] == "werkzoekende" else "accountmanager"
        caller = who(route.staff_name, staff_role, route.region_name)
        moment = values["preferred_moment"]
        when = callback_when(route.staff_name, moment)
        dispatcher.utter_message(
            text=f"Dank u wel. {capital(caller)} belt u {when}, op nummer {phone}.\n"
                 f"Uw referentienummer is {route.reference}.\n"
                 "Lukt het op dat moment niet? Dan bellen wij u zo snel mogelijk op een ander moment.")
        return [SlotSet("callback_topic", None)]


class ActionRequestHuman(Action):
    """Handoff lead + conversation.handoff_state = requested, with an honest next step."""

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if await over_lead_limit(dispatcher, tracker):
            return []
        sender, channel, role = tracker.sender_id, channel_of(tracker), _role(tracker)
        location, company = _place(tracker), slot(tracker, "company_name")
        handoff = await with_db(
            dispatcher, lambda s: request_handoff(s, sender_id=sender, channel=channel, role=role, location=location,
                                                  company_name=company), writes=True)
        if handoff is None:
            return []
        route = handoff.routed
        staff_role = route.staff_role or ("consulent" if role == "werkzoekende" else "accountmanager")
        person = who(route.staff_name, staff_role, route.region_name)
        now = dt.datetime.now(dt.UTC)
        spec = get_settings().office_hours
        hours = describe(spec)
        if handoff.repeated:
            first = f"U heeft al om een medewerker gevraagd (referentie {route.reference})."
        else:
            first = f"Ik heb uw vraag doorgezet naar {person}. Uw referentienummer is {route.reference}."
        if not handoff.conversation_found:
            dispatcher.utter_message(
                text=f"{first} {hours} Laat uw telefoonnummer achter, dan bellen wij u terug.",
                buttons=[{"title": "Bel mij terug", "payload": "/request_callback"}])
        elif within_office_hours(spec, now):
            # Nobody named (no staff member for this region): also offer the callback, so no one waits in vain.
            offer = [] if route.staff_name else [{"title": "Bel mij terug", "payload": "/request_callback"}]
            dispatcher.utter_message(
                text=f"{first} {hours} Een medewerker reageert hier in dit gesprek, zo snel als het kan. "
                     "Dat kan even duren."
                     + ("" if route.staff_name else " Liever gebeld worden? Kies 'Bel mij terug'."),
                buttons=offer)
        else:
            day, start = next_opening(spec, now) or ("zo snel mogelijk", None)
            when = f"{day} na {start.hour}.{start.minute:02d} uur" if start else day
            dispatcher.utter_message(
                text=f"{first} {hours} Nu is er niemand aan het werk. Een medewerker reageert hier "
                     f"{when}. Liever gebeld worden? Kies 'Bel mij terug'.",
                buttons=[{"title": "Bel mij terug", "payload": "/request_callback"}])
        return []
