"""The Dutch (B1, u-form) texts of match alerts, with the buttons under them.

One alert is one message; a daily digest is one message with several matches and one set of buttons
per match. The reason a match fits is the one the matcher stored (`alert.reason`), built with the same
scoring and wording as the chat search (placement/matching/), so an alert and a search agree.

Employer alerts describe the candidate anonymously: the work they want, their hours and a distance
band ("binnen 10 km"). Never a name, contact details or the exact place (issue 16, privacy).

Button payloads are the contract with the dialogue (docs/contracts.md, "Match alerts"):
"Reageer" /alert_react{"alert_id":"<id>"}, "Niet voor mij" /alert_not_for_me{"alert_id":"<id>"},
"Stop berichten" /alert_stop.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from placement.alerts.models import Alert
from placement.matching.area import gemeente_name
from placement.matching.scoring import span_text
from placement.models import Candidate, Vacancy
from placement.occupation_data import label_of
from placement.occupations import label as old_label

TELEGRAM_MAX = 4000  # Telegram allows 4,096 characters; keep room for the gateway's own additions
CONTRACT_TEXT = {  # the same words as the chat search (actions/service_support.py)
    "vast": "vast contract", "tijdelijk": "tijdelijk contract", "detachering": "detachering",
    "beschut_werk": "beschut werk (alleen met een indicatie)", "proefplaatsing": "proefplaatsing",
    "leerwerk": "leerwerkplek",
}
STOP_BUTTON = {"title": "Stop berichten", "payload": "/alert_stop"}
STOP_HINT = "Wilt u geen berichten meer? Kies 'Stop berichten' of typ 'stop berichten'."


def react_payload(alert_id: int) -> str:
    return "/alert_react" + json.dumps({"alert_id": str(alert_id)}, separators=(",", ":"))


def not_for_me_payload(alert_id: int) -> str:
    return "/alert_not_for_me" + json.dumps({"alert_id": str(alert_id)}, separators=(",", ":"))


def alert_buttons(alert_id: int, *, with_stop: bool = True, numbered: int | None = None) -> list[dict]:
    suffix = f" ({numbered})" if numbered is not None else ""
    buttons = [{"title": "Reageer" + suffix, "payload": react_payload(alert_id)},
               {"title": "Niet voor mij" + suffix, "payload": not_for_me_payload(alert_id)}]
    return buttons + ([dict(STOP_BUTTON)] if with_stop else [])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def occupation_label(uri: str | None, isco: str | None, old_code: str | None) -> str:
    if uri or not old_code:
        return label_of(uri, isco) if (uri or isco) else ""
    return old_label(old_code) or label_of(uri, isco)


def _vacancy_lines(vacancy: Vacancy, reason: str) -> list[str]:
    place = gemeente_name(vacancy.gemeente_code) or "onbekende plaats"
    contract = CONTRACT_TEXT.get(vacancy.contract_type, vacancy.contract_type)
    lines = [f"{vacancy.title} in {place}, {span_text(vacancy.hours_min, vacancy.hours_max)} per week "
             f"({contract}, nr. {vacancy.id})."]
    if reason:
        lines.append(f"Waarom dit bij u past: {_lower_first(reason)}.")
    return lines


def _candidate_lines(candidate: Candidate | None, reason: str) -> list[str]:
    """Anonymous profile: what work, how many hours, how far (band). No name, no place."""
    if candidate is None:
        return ["Er is een nieuwe werkzoekende ingeschreven."]
    work = occupation_label(candidate.esco_uri, candidate.isco_code, candidate.occupation) or "werk"
    hours = f", {candidate.hours_wanted} uur per week" if candidate.hours_wanted else ""
    lines = [f"Een werkzoekende zoekt werk als {_lower_first(work)}{hours} (kandidaat nr. {candidate.id})."]
    if reason:
        lines.append(f"Waarom deze persoon past: {_lower_first(reason)}.")
    return lines


def _match_lines(session: Session, alert: Alert) -> list[str]:
    vacancy = alert.vacancy or session.get(Vacancy, alert.vacancy_id)
    if alert.subscription.kind == "werkgever":
        candidate = alert.candidate or (session.get(Candidate, alert.candidate_id) if alert.candidate_id else None)
        return _candidate_lines(candidate, alert.reason)
    return _vacancy_lines(vacancy, alert.reason)


def alert_message(session: Session, alert: Alert) -> tuple[str, list[dict]]:
    """One alert as (text, buttons)."""
    if alert.subscription.kind == "werkgever":
        vacancy = alert.vacancy or session.get(Vacancy, alert.vacancy_id)
        head = f"Er is een nieuwe kandidaat voor uw vacature {vacancy.title} (nr. {vacancy.id})."
        ask = "Wilt u meer weten over deze kandidaat? Kies 'Reageer'."
    else:
        head = "Er is nieuw werk dat bij u past."
        ask = "Wilt u reageren? Kies 'Reageer'."
    text = "\n".join([head, *_match_lines(session, alert), ask, STOP_HINT])
    return text[:TELEGRAM_MAX], alert_buttons(alert.id)


def digest_message(session: Session, alerts: list[Alert]) -> tuple[str, list[dict]]:
    """Several alerts of one person as ONE message: numbered matches, buttons per number, one stop button."""
    if not alerts:
        return "", []
    if len(alerts) == 1:
        return alert_message(session, alerts[0])
    employer = alerts[0].subscription.kind == "werkgever"
    head = (f"Er zijn {len(alerts)} nieuwe kandidaten voor uw vacature." if employer
            else f"Er is nieuw werk dat bij u past. Hier zijn {len(alerts)} vacatures van vandaag:")
    lines = [head]
    buttons: list[dict] = []
    for n, alert in enumerate(alerts, start=1):
        match = _match_lines(session, alert)
        lines.append(f"{n}. " + " ".join(match))
        buttons += alert_buttons(alert.id, with_stop=False, numbered=n)
    lines.append("Wilt u reageren? Kies de knop met het nummer.")
    lines.append(STOP_HINT)
    text = "\n".join(lines)
    return text[:TELEGRAM_MAX], buttons + [dict(STOP_BUTTON)]
