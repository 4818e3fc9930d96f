"""The buttons under an alert (issue 16): "Reageer" and "Niet voor mij" ("Stop berichten": actions/alerts.py).

"Reageer" reuses the chat's own flows: a job seeker applies through the same service as the
"Reageer op nr." button of a search (idempotent, closed vacancies refused politely), an employer's
reaction to an anonymous profile becomes a candidate_proposal lead for the accountmanager, once.
A typed "ik wil reageren" without a button means the newest alert this conversation was shown.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.jobseeker import REGISTER, SEARCH, apply_text
from actions.service_support import capital, channel_of, who, with_db
from placement.alerts import consent
from placement.alerts.models import FEEDBACK_REASONS, Alert, AlertSubscription
from placement.matching.area import region_code_of
from placement.models import Lead, Vacancy
from placement.services.employer import PROPOSAL_TOPIC
from placement.services.jobseeker import apply_for_vacancy
from placement.services.routing import create_lead, routed

GONE = "Dit bericht kan ik niet meer vinden. Zoek gerust opnieuw."
CLOSED = "Deze vacature is helaas niet meer open. U kunt er niet meer op reageren. Zoek gerust verder."
FEEDBACK_TITLES = {"ander_werk": "Ander werk", "te_ver": "Te ver weg", "andere_uren": "Andere uren"}
CLEAR = [SlotSet("alert_id", None), SlotSet("alert_feedback", None)]


def _alert_for(session: Session, sender: str, alert_id: object) -> Alert | None:
    """The alert of the button, or (typed, no id) the newest one this conversation was shown."""
    if consent.parse_alert_id(alert_id) is not None:
        return consent.react(session, sender, alert_id, "geopend")
    newest = session.scalar(select(Alert.id).join(AlertSubscription, AlertSubscription.id == Alert.subscription_id)
                            .where(AlertSubscription.conversation_id == sender, Alert.sent_at.is_not(None))
                            .order_by(Alert.sent_at.desc(), Alert.id.desc()).limit(1))
    return consent.react(session, sender, newest, "geopend") if newest else None


def employer_reaction(session: Session, sender: str, channel: str | None, alert: Alert):
    """A candidate_proposal lead for this profile and vacancy (one per pair while it is open)."""
    vacancy = session.get(Vacancy, alert.vacancy_id)
    topic = f"{PROPOSAL_TOPIC}: kandidaat {alert.candidate_id} voor vacature {alert.vacancy_id} (bericht)"[:200]
    lead = session.scalar(select(Lead).where(Lead.sender_id == sender, Lead.kind == "candidate_proposal",
                                             Lead.topic == topic).limit(1))
    if lead is not None:
        return "already", routed(session, lead)
    intake = session.scalar(select(Lead).where(Lead.vacancy_id == alert.vacancy_id, Lead.kind == "vacancy_intake")
                            .order_by(Lead.id.desc()).limit(1))
    employer = vacancy.employer if vacancy is not None else None
    _lead, route = create_lead(
        session, "candidate_proposal", "accountmanager", region_code_of(vacancy.gemeente_code) if vacancy else None,
        sector=vacancy.sector if vacancy else None, topic=topic, sender_id=sender, channel=channel,
        vacancy_id=alert.vacancy_id, candidate_id=alert.candidate_id, employer_id=vacancy.employer_id if vacancy else None,
        contact_name=(intake.contact_name if intake else None) or (employer.contact_name if employer else None),
        contact_phone=(intake.contact_phone if intake else None) or (employer.contact_phone if employer else None),
        contact_email=(intake.contact_email if intake else None) or (employer.contact_email if employer else None),
        note=f"Werkgever reageerde op een bericht over kandidaat {alert.candidate_id}: {alert.reason}"[:500])
    consent.react(session, sender, alert.id, "gesolliciteerd")
    return "proposed", route


class ActionAlertReact(Action):
    """ "Reageer" under an alert: apply (job seeker) or ask for the candidate (employer)."""

    def name(self) -> str:
        return "action_alert_react"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender, channel, alert_id = tracker.sender_id, channel_of(tracker), tracker.get_slot("alert_id")

        def work(session: Session):
            alert = _alert_for(session, sender, alert_id)
            if alert is None:
                return "gone", None, None
            if alert.subscription.kind == "werkgever":
                outcome, route = employer_reaction(session, sender, channel, alert)
                return outcome, route, alert.vacancy_id
            result = apply_for_vacancy(session, sender_id=sender, channel=channel, vacancy_ref=alert.vacancy_id)
            if result.outcome in ("applied", "already"):
                consent.react(session, sender, alert.id, "gesolliciteerd")
            return "seeker", result, alert.vacancy_id

        done = await with_db(dispatcher, work, writes=True)
        if done is None:
            return CLEAR
        outcome, result, vacancy_id = done
        if outcome == "gone":
            dispatcher.utter_message(text=GONE, buttons=[SEARCH])
        elif outcome in ("proposed", "already"):
            person = who(result.staff_name, "accountmanager", result.region_name)
            first = "Uw vraag over deze kandidaat had ik al doorgegeven." if outcome == "already" else \
                "Dank u. Ik geef door dat u deze kandidaat wilt leren kennen."
            dispatcher.utter_message(text=f"{first} {capital(person)} neemt contact met u op over de kandidaat. "
                                          f"Uw referentienummer is {result.reference}.")
        elif result.outcome == "closed" or result.outcome == "not_found":
            dispatcher.utter_message(text=CLOSED, buttons=[SEARCH])
        elif result.outcome == "not_registered":
            text, _ = apply_text(result)
            dispatcher.utter_message(text=text, buttons=[REGISTER])
            return CLEAR + [SlotSet("vacancy_id", str(vacancy_id))]  # registration then sends the reaction
        else:
            text, buttons = apply_text(result)
            dispatcher.utter_message(text=text, buttons=buttons)
        return CLEAR


def feedback_payload(alert_id: int, reason: str) -> str:
    return "/alert_not_for_me" + json.dumps({"alert_id": str(alert_id), "alert_feedback": reason},
                                            separators=(",", ":"))


def _feedback(tracker: Tracker) -> str | None:
    value = str(tracker.get_slot("alert_feedback") or "").strip().lower().replace(" ", "_")
    if value in FEEDBACK_REASONS:
        return value
    text = ((tracker.latest_message or {}).get("text") or "").lower()
    if "ver" in text or "afstand" in text or "reizen" in text:
        return "te_ver"
    if "uur" in text or "uren" in text or "tijden" in text:
        return "andere_uren"
    if "ander werk" in text or "soort werk" in text or "beroep" in text:
        return "ander_werk"
    return None


class ActionAlertNotForMe(Action):
    """ "Niet voor mij": mark it, then ONE optional question why (with the answer, just thanks)."""

    def name(self) -> str:
        return "action_alert_not_for_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender, alert_id, reason = tracker.sender_id, tracker.get_slot("alert_id"), _feedback(tracker)

        def work(session: Session):
            alert = _alert_for(session, sender, alert_id)
            if alert is None:
                return None
            return consent.react(session, sender, alert.id, "niet_passend", feedback=reason).id

        done = await with_db(dispatcher, lambda s: work(s) or 0, writes=True)
        if done is None:
            return CLEAR
        if not done:
            dispatcher.utter_message(text=GONE, buttons=[SEARCH])
        elif reason:
            dispatcher.utter_message(text="Dank u voor uw antwoord. Daar let ik op bij de volgende berichten.")
        else:
            dispatcher.utter_message(
                text="Goed, deze past niet bij u. Wilt u zeggen waarom? Dat hoeft niet.",
                buttons=[{"title": title, "payload": feedback_payload(done, key)}
                         for key, title in FEEDBACK_TITLES.items()])
        return CLEAR
