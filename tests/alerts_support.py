"""Rows for the alert engine tests: an employer, vacancies, candidates and subscriptions by job title."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import delete

from placement.alerts.events import emit_candidate_registered, emit_vacancy_published
from placement.alerts.models import Alert, AlertEvent, AlertSubscription
from placement.models import Candidate, Employer, Vacancy
from placement.occupation_normaliser import esco_fields

ZWOLLE, KAMPEN, DALFSEN, DEVENTER, GRONINGEN = "GM0193", "GM0166", "GM0148", "GM0150", "GM0014"
_numbers = itertools.count(1)


def clear(session) -> None:
    for model in (Alert, AlertEvent, AlertSubscription):
        session.execute(delete(model))


def employer(session, gemeente: str = ZWOLLE) -> Employer:
    row = Employer(name=f"Testbedrijf {next(_numbers)}", gemeente_code=gemeente)
    session.add(row)
    session.flush()
    return row


def vacancy(session, title: str, gemeente: str, lo: int = 24, hi: int = 32, status: str = "open",
            publish: bool = True, employer_row: Employer | None = None) -> Vacancy:
    esco = esco_fields(title)
    row = Vacancy(employer_id=(employer_row or employer(session)).id, title=title.capitalize(),
                  esco_uri=esco["esco_uri"], isco_code=esco["isco_code"], hours_min=lo, hours_max=hi,
                  gemeente_code=gemeente, status=status, skills="", description="")
    session.add(row)
    session.flush()
    if publish:
        emit_vacancy_published(session, row.id)
    return row


def candidate(session, title: str, gemeente: str, hours: int | None = 24, register: bool = True,
              name: str = "Anna de Vries") -> Candidate:
    esco = esco_fields(title)
    row = Candidate(channel_key=f"cand-{next(_numbers)}", name=name, occupation=None, esco_uri=esco["esco_uri"],
                    isco_code=esco["isco_code"], gemeente_code=gemeente, hours_wanted=hours, interests="",
                    skills="", available_from=dt.date(2026, 1, 1), active=True, consent_at=dt.datetime(2026, 1, 1))
    session.add(row)
    session.flush()
    if register:
        emit_candidate_registered(session, row.id)
    return row


def seeker(session, title: str, gemeente: str | None, hours: int | None = 24, radius: int | None = None,
           channel: str = "telegram", frequency: str = "direct", conversation: str | None = None) -> AlertSubscription:
    esco = esco_fields(title)
    row = AlertSubscription(conversation_id=conversation or f"tg-test-{next(_numbers)}", channel=channel,
                            kind="werkzoekende", job_title=title, esco_uri=esco["esco_uri"],
                            isco_code=esco["isco_code"], gemeente_code=gemeente, radius_km=radius, hours=hours,
                            frequency=frequency, status="actief")
    session.add(row)
    session.flush()
    return row


def employer_subscription(session, vac: Vacancy, channel: str = "telegram", radius: int | None = None,
                          conversation: str | None = None) -> AlertSubscription:
    row = AlertSubscription(conversation_id=conversation or f"tg-emp-{next(_numbers)}", channel=channel,
                            kind="werkgever", vacancy_id=vac.id, radius_km=radius, frequency="direct",
                            status="actief")
    session.add(row)
    session.flush()
    return row
