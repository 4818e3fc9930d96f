"""Match alerts in the dialogue (issue 16): the offer, opting in, changing how often, stopping.

The offer comes at the end of a job search, a registration, an employer's candidate search and a
vacancy intake (`offer_alerts`, one call in each of those actions), only when the person is not
subscribed yet and was not offered it earlier in this conversation. Consent is stored by
placement/alerts/consent.py, for this purpose alone. Reacting to an alert: actions/alert_reactions.py.
What the texts say about delivery is what the code does: web chat users see alerts when they come
back (bot/web_alerts.py); Telegram pushes them outside the quiet hours (placement/alerts/quiet_hours.py,
setting ALERT_QUIET_HOURS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.search_terms import parse_radius
from actions.service_support import channel_of, slot, with_db
from placement.alerts import consent, quiet_hours
from placement.matching.area import gemeente_name
from placement.models import Lead, Vacancy
from placement.occupation_data import label_of
from placement.occupation_normaliser import resolve
from placement.queries import find_gemeente
from placement.services.employer import parse_hours
from placement.services.routing import candidate_for
from settings import get_settings

OFFER_SEEKER = "Wilt u een bericht krijgen als er nieuw werk is dat bij u past?"
OFFER_EMPLOYER = "Wilt u een bericht als er een nieuwe kandidaat is die past?"
OFFER_BUTTONS = [{"title": "Ja, direct", "payload": '/alert_opt_in{"alert_frequency":"direct"}'},
                 {"title": "Ja, één keer per dag", "payload": '/alert_opt_in{"alert_frequency":"dagelijks"}'},
                 {"title": "Nee, dank u", "payload": "/deny"}]
STOP_HINT = "Wilt u geen berichten meer? Typ 'stop berichten'."
ONLY_FOR_THIS = "Uw keuze gebruik ik alleen voor deze berichten."


@dataclass(frozen=True)
class Plan:
    """What a subscription would be: job seeker criteria, or an employer's vacancy."""

    kind: str
    label: str = ""
    place: str = ""
    fields: dict | None = None


def frequency_of(tracker: Tracker) -> str | None:
    """direct | dagelijks from the entity (button payload or typed), else from the words typed."""
    values = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
              if e.get("entity") == "alert_frequency"]
    text = " ".join(str(v) for v in values if v) or (tracker.latest_message or {}).get("text") or ""
    text = text.lower()
    if re.search(r"dagelijks|per dag|elke dag|iedere dag|(één|een|1) keer|digest", text):
        return "dagelijks"
    if any(word in text for word in ("direct", "meteen", "gelijk", "zo snel", "elke keer", "steeds")):
        return "direct"
    return None


def _search_radius(tracker: Tracker) -> int | None:
    """The radius of the last search ("binnen 30 km"), so alerts reach as far as that search did."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and ((event.get("parse_data") or {}).get("intent") or {}).get(
                "name") in ("search_jobs", "show_more"):
            radius = parse_radius(event.get("text") or "")
            return int(radius.km) if radius.asked else None
    return None


def intake_vacancy(session: Session, sender_id: str) -> Vacancy | None:
    """The newest vacancy this conversation reported (intake), while it is concept or open."""
    return session.scalar(select(Vacancy).join(Lead, Lead.vacancy_id == Vacancy.id)
                          .where(Lead.sender_id == sender_id, Lead.kind == "vacancy_intake",
                                 Vacancy.status.in_(("concept", "open")))
                          .order_by(Lead.id.desc()).limit(1))


def plan_for(session: Session, tracker: Tracker, title: str | None) -> Plan | None:
    """The subscription this conversation can have now, or None when there is nothing to match on."""
    sender = tracker.sender_id
    cand = candidate_for(session, sender)
    if tracker.get_slot("user_role") == "werkgever" or (cand is None and tracker.get_slot("user_role") is None
                                                         and intake_vacancy(session, sender) is not None):
        vacancy = intake_vacancy(session, sender)
        if vacancy is None:
            return None
        return Plan("werkgever", vacancy.title, gemeente_name(vacancy.gemeente_code),
                    {"vacancy_id": vacancy.id, "job_title": vacancy.title, "esco_uri": vacancy.esco_uri,
                     "isco_code": vacancy.isco_code, "gemeente_code": vacancy.gemeente_code})
    place = slot(tracker, "location", 80)
    gemeente = find_gemeente(place) if place else None
    gemeente_code = gemeente.code if gemeente else (cand.gemeente_code if cand else None)
    found = resolve(title) if title else None
    if found is not None and found.best is not None and found.confident:
        uri, isco, label = found.best.uri, found.best.isco, found.best.label
    elif cand is not None and cand.isco_code:
        uri, isco, label = cand.esco_uri, cand.isco_code, label_of(cand.esco_uri, cand.isco_code) or "uw beroep"
    else:
        return None
    if gemeente_code is None:
        return None
    hours = parse_hours(tracker.get_slot("hours")) or (cand.hours_wanted if cand else None)
    return Plan("werkzoekende", label, gemeente_name(gemeente_code),
                {"job_title": (title or label)[:200], "esco_uri": uri, "isco_code": isco,
                 "gemeente_code": gemeente_code, "hours": hours, "radius_km": _search_radius(tracker),
                 "candidate_id": cand.id if cand else None})


def _offered_before(tracker: Tracker) -> bool:
    return any(e.get("event") == "bot" and e.get("text") in (OFFER_SEEKER, OFFER_EMPLOYER) for e in tracker.events)


def _job_title(tracker: Tracker, events: list | None) -> str | None:
    for event in reversed(events or []):  # what the action just set beats the slot from before
        if event.get("event") == "slot" and event.get("name") == "job_title":
            return event.get("value")
    return slot(tracker, "job_title", 80)


async def offer_alerts(dispatcher: CollectingDispatcher, tracker: Tracker, events: list | None = None) -> list:
    """Ask once per conversation whether the person wants alerts, when there is something to match on."""
    if _offered_before(tracker):
        return []
    if any(e.get("event") == "slot" and e.get("name") == "job_title" and e.get("value") is None for e in events or []):
        return []  # the search asked which work was meant: one question at a time
    title = _job_title(tracker, events)

    def check(session: Session) -> Plan | None:
        plan = plan_for(session, tracker, title)
        if plan is None:
            return None
        vacancy_id = (plan.fields or {}).get("vacancy_id")
        current = consent.current_subscription(session, tracker.sender_id, plan.kind, vacancy_id)
        return plan if current is None or current.status != "actief" else None

    plan = await with_db(dispatcher, check, writes=False)
    if plan is not None:
        dispatcher.utter_message(text=OFFER_EMPLOYER if plan.kind == "werkgever" else OFFER_SEEKER,
                                 buttons=OFFER_BUTTONS)
    return []


def delivery_text(channel: str | None, frequency: str) -> str:
    """How alerts reach this person, as the code delivers them."""
    if channel != "telegram":
        return "U ziet de berichten hier in de chat als u terugkomt."
    start, end = quiet_hours.parse(get_settings().alert_quiet_hours)
    quiet = f" Tussen {start}.00 en {end}.00 uur stuur ik niets." if start != end else ""
    if frequency == "dagelijks":
        return f"U krijgt hier in Telegram één bericht per dag met het nieuwe werk, om {end}.00 uur."
    return f"U krijgt hier in Telegram een bericht.{quiet}"


class ActionAlertOptIn(Action):
    """Store the consent (or the new frequency) and say exactly what will happen."""

    def name(self) -> str:
        return "action_alert_opt_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        frequency = frequency_of(tracker)
        sender, channel = tracker.sender_id, channel_of(tracker) or "web"
        title = slot(tracker, "job_title", 80)

        def work(session: Session):
            if frequency is not None and consent.is_subscribed(session, sender):  # "liever één keer per dag"
                return "changed", consent.set_frequency(session, sender, frequency), None
            plan = plan_for(session, tracker, title)
            if plan is None:
                return "nothing", 0, None
            fields = {k: v for k, v in (plan.fields or {}).items() if v is not None}
            consent.subscribe(session, conversation_id=sender, channel=channel, kind=plan.kind,
                              frequency=frequency or "direct", **fields)
            return "subscribed", 1, plan

        done = await with_db(dispatcher, work, writes=True)
        if done is None:
            return []
        outcome, _count, plan = done
        freq = frequency or "direct"
        how = delivery_text(channel, freq)
        if outcome == "changed":
            often = "één keer per dag" if freq == "dagelijks" else "meteen als er iets nieuws is"
            dispatcher.utter_message(text=f"Goed. U krijgt de berichten voortaan {often}. {how} {STOP_HINT}")
        elif outcome == "nothing":
            dispatcher.utter_message(
                text="Waar wilt u berichten over krijgen? Zoek eerst naar werk, bijvoorbeeld: 'ik zoek werk als "
                     "schoonmaker in Gouda'. Daarna vraag ik of u berichten wilt.",
                buttons=[{"title": "Vacatures zoeken", "payload": "/search_jobs"}])
        elif plan.kind == "werkgever":
            dispatcher.utter_message(
                text=f"Goed. Is er een nieuwe kandidaat die past bij uw vacature '{plan.label}'? Dan krijgt u een "
                     "bericht, zodra de vacature open staat. U ziet alleen een profiel, zonder naam en zonder "
                     f"woonplaats. {how} {ONLY_FOR_THIS} {STOP_HINT}")
        else:
            dispatcher.utter_message(
                text=f"Goed. Is er nieuw werk als {plan.label} rond {plan.place}? Dan krijgt u een bericht. {how} "
                     f"{ONLY_FOR_THIS} {STOP_HINT}")
        return [SlotSet("alert_frequency", None)]


class ActionAlertStop(Action):
    """Stop every alert subscription of this conversation; polite when there was none."""

    def name(self) -> str:
        return "action_alert_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender = tracker.sender_id
        stopped = await with_db(dispatcher, lambda s: consent.stop_all(s, sender), writes=True)
        if stopped is None:
            return []
        if stopped:
            dispatcher.utter_message(text="Goed. U krijgt geen berichten meer over nieuw werk of nieuwe kandidaten. "
                                          "Wilt u later toch weer berichten? Zeg het gerust.")
        else:
            dispatcher.utter_message(text="U krijgt nu geen berichten van mij over nieuw werk. U hoeft niets te doen.")
        return []
