"""The retention job covers every kind of data with its own period, and the stack runs it every day.

A fixed clock throughout (NOW): each kind gets one row just past its period and one just inside it.
Conversations, messages, Rasa events and corrections are covered in detail by test_staff_retention.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.models import ButtonPayload, TelegramUpdate
from placement.models import Candidate, Conversation, Employer, Gemeente, Lead, Vacancy
from settings import Settings
from staff import retention
from staff.models import AuditLog
from werkpunt import retention_job
from werkpunt.retention_job import Job, next_run, overdue

NOW = dt.datetime(2026, 6, 15, 12, 0)  # naive UTC, as the columns hold it
PERIODS = retention.Periods(conversations=90, leads=180, unregistered=30, concept_contacts=60, audit_ips=90)
EDGE = dt.timedelta(minutes=1)


def ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture(scope="module")
def rows(engine):
    """One row per kind just past its period ('old') and one just inside ('fresh')."""
    with Session(engine) as s:
        gemeente = s.scalar(select(Gemeente.code).order_by(Gemeente.code).limit(1))
        ids = {}
        for key, created in (("old", ago(180) - EDGE), ("fresh", ago(180) + EDGE)):
            lead = Lead(kind="callback", contact_name="Anna de Vries", contact_phone="+31612345678",
                        contact_email="anna@example.nl", created_at=created)
            s.add(lead)
            s.flush()
            ids[f"lead_{key}"] = lead.id
        for key, consent, created in (("unregistered_old", None, ago(30) - EDGE),
                                      ("unregistered_fresh", None, ago(30) + EDGE),
                                      ("registered_old", ago(400), ago(400))):
            cand = Candidate(channel_key=f"cand-{key}", consent_at=consent, created_at=created)
            s.add(cand)
            s.flush()
            ids[key] = cand.id
        # (employer, [(status, created)]): only the first loses its contact person.
        employers = {
            "concept_old": [("concept", ago(60) - EDGE), ("concept", ago(200))],
            "concept_fresh": [("concept", ago(60) + EDGE), ("concept", ago(200))],
            "published": [("concept", ago(200)), ("open", ago(300))],
            "no_vacancy": [],
        }
        for key, vacancies in employers.items():
            emp = Employer(name=f"Bedrijf {key}", gemeente_code=gemeente, contact_name="Piet Jansen",
                           contact_email=f"piet@{key}.example", contact_phone="+31201234567", created_at=ago(400))
            s.add(emp)
            s.flush()
            ids[f"employer_{key}"] = emp.id
            for status, created in vacancies:
                s.add(Vacancy(employer_id=emp.id, title="Magazijnmedewerker", hours_min=20, hours_max=32,
                              gemeente_code=gemeente, status=status, created_at=created))
        # An active conversation keeps its recent button payloads, not the old ones (they may hold a
        # place or job the user typed); Telegram update ids expire the same way.
        s.add(Conversation(id="tg-retention-active", channel="telegram", created_at=ago(200), last_message_at=ago(1)))
        s.flush()
        for key, created in (("old", ago(90) - EDGE), ("fresh", ago(90) + EDGE)):
            s.add(ButtonPayload(key=f"payload-{key}", conversation_id="tg-retention-active",
                                payload='/search_jobs{"location":"Gouda"}', created_at=created))
        s.add_all([TelegramUpdate(update_id=1001, received_at=ago(90) - EDGE),
                   TelegramUpdate(update_id=1002, received_at=ago(90) + EDGE)])
        s.commit()
    with engine.begin() as conn:
        for key, at in (("ip_old", ago(90) - EDGE), ("ip_fresh", ago(90) + EDGE)):
            conn.execute(insert(AuditLog), [dict(at=at, actor="a@test.example", action="auth.login", outcome="ok",
                                                 ip="192.0.2.7", detail=key)])
    return ids


def test_a_dry_run_counts_each_kind_and_changes_nothing(engine, rows):
    result = retention.run(engine, None, PERIODS, now=NOW, dry_run=True)
    assert (result.leads, result.candidates, result.employer_contacts, result.audit_ips) == (1, 1, 1, 1)
    with Session(engine) as s:
        assert s.get(Lead, rows["lead_old"]) is not None
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.ip.is_not(None))) == 2


def test_each_kind_loses_exactly_what_is_past_its_period(engine, rows):
    result = retention.run(engine, None, PERIODS, now=NOW)
    assert (result.leads, result.candidates, result.employer_contacts, result.audit_ips) == (1, 1, 1, 1)
    with Session(engine) as s:
        assert s.get(Lead, rows["lead_old"]) is None and s.get(Lead, rows["lead_fresh"]) is not None
        assert s.get(Candidate, rows["unregistered_old"]) is None
        assert s.get(Candidate, rows["unregistered_fresh"]) is not None
        assert s.get(Candidate, rows["registered_old"]) is not None  # a completed registration stays
        contacts = {key: s.get(Employer, rows[f"employer_{key}"]) for key in
                    ("concept_old", "concept_fresh", "published", "no_vacancy")}
        gone = contacts.pop("concept_old")
        assert (gone.contact_name, gone.contact_email, gone.contact_phone) == (None, None, None)
        assert gone.name == "Bedrijf concept_old"  # the company and its concept vacancies stay
        assert s.scalar(select(func.count()).select_from(Vacancy).where(Vacancy.employer_id == gone.id)) == 2
        assert all(emp.contact_email and emp.contact_phone and emp.contact_name for emp in contacts.values())
        assert s.get(ButtonPayload, "payload-old") is None and s.get(ButtonPayload, "payload-fresh") is not None
        assert [u.update_id for u in s.scalars(select(TelegramUpdate))] == [1002]
        ips = dict(s.execute(select(AuditLog.detail, AuditLog.ip).where(AuditLog.detail.like("ip_%"))).all())
        assert ips == {"ip_old": None, "ip_fresh": "192.0.2.7"}
        run = s.scalars(select(AuditLog).where(AuditLog.action == "retention.run")
                        .order_by(AuditLog.id.desc())).first()
        assert run.actor == "systeem" and "leads 1" in run.detail and "(90/180/30/60/90 dagen)" in run.detail
    assert retention.last_run(engine) == run.at
    again = retention.run(engine, None, PERIODS, now=NOW)  # nothing left: a second run is harmless
    assert (again.leads, again.candidates, again.employer_contacts, again.audit_ips) == (0, 0, 0, 0)


def test_the_audit_log_stays_append_only_except_for_erasing_an_ip(engine, rows):
    with engine.begin() as conn:
        conn.execute(update(AuditLog).where(AuditLog.detail == "ip_fresh").values(ip=None))
    for statement in ("UPDATE audit_log SET detail = 'changed' WHERE detail = 'ip_old'",
                      "UPDATE audit_log SET ip = NULL, actor = 'iemand anders' WHERE detail = 'ip_old'",
                      "UPDATE audit_log SET ip = '198.51.100.1' WHERE detail = 'ip_old'",
                      "DELETE FROM audit_log WHERE detail = 'ip_old'"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.detail == "ip_old")) == 1


def test_periods_come_from_the_settings():
    settings = Settings(retention_days=10, retention_lead_days=20, retention_unregistered_days=3,
                        retention_concept_contact_days=40, retention_audit_ip_days=50)
    assert retention.Periods.from_settings(settings) == retention.Periods(10, 20, 3, 40, 50)
    defaults = Settings()
    assert retention.Periods.from_settings(defaults) == retention.Periods()
    with pytest.raises(ValueError, match="RETENTION_TIME"):
        Settings(retention_time="half vier")
    assert Settings(retention_time="3:30").retention_time == "03:30"


@pytest.mark.parametrize(("after", "expected"), [
    (dt.datetime(2026, 1, 10, 1, 0), dt.datetime(2026, 1, 10, 2, 30)),    # winter: 03:30 CET = 02:30 UTC
    (dt.datetime(2026, 1, 10, 2, 30), dt.datetime(2026, 1, 11, 2, 30)),   # just ran: tomorrow
    (dt.datetime(2026, 7, 10, 0, 0), dt.datetime(2026, 7, 10, 1, 30)),    # summer: 03:30 CEST = 01:30 UTC
    (dt.datetime(2026, 3, 28, 3, 0), dt.datetime(2026, 3, 29, 1, 30)),    # the night the clocks go forward
    (dt.datetime(2026, 10, 24, 3, 0), dt.datetime(2026, 10, 25, 2, 30)),  # and back
])
def test_the_next_run_is_at_retention_time_in_amsterdam(after, expected):
    assert next_run(after, "03:30") == expected


def test_overdue_means_no_completed_run_in_the_last_day():
    assert overdue(None, NOW)
    assert overdue(NOW - dt.timedelta(hours=25), NOW)
    assert not overdue(NOW - dt.timedelta(hours=23), NOW)


class FakeClock:
    def __init__(self, start: dt.datetime) -> None:
        self.at, self.naps = start, []

    def now(self) -> dt.datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.at += dt.timedelta(seconds=seconds)


def test_the_job_runs_at_start_when_overdue_and_then_daily_at_retention_time(engine, db_url, rows):
    """The schedule of the stack's process (werkpunt/retention_job.py), driven by a fixed clock."""
    clock = FakeClock(dt.datetime(2027, 1, 10, 12, 0))  # the last run above is long ago: overdue
    settings = Settings(database_url=db_url, tracker_store_url=db_url, retention_time="03:30")
    job = Job(settings, now=clock.now, sleep=clock.sleep)
    job.serve(max_runs=3)
    runs = _runs_since(engine, dt.datetime(2027, 1, 1))
    assert runs == [dt.datetime(2027, 1, 10, 12, 0), dt.datetime(2027, 1, 11, 2, 30), dt.datetime(2027, 1, 12, 2, 30)]
    assert max(clock.naps) <= retention_job.MAX_NAP  # short naps: a suspended machine catches up soon
    again = Job(settings, now=clock.now, sleep=clock.sleep)  # a restart right after a run: not overdue
    again.serve(max_runs=1)
    assert _runs_since(engine, dt.datetime(2027, 1, 12, 3, 0)) == [dt.datetime(2027, 1, 13, 2, 30)]


def test_a_failed_run_is_retried_and_the_schedule_survives(tmp_path):
    missing = f"postgresql+psycopg://nobody@127.0.0.1:1/{tmp_path.name}"  # nothing listens on port 1
    clock = FakeClock(dt.datetime(2027, 2, 1, 12, 0))
    job = Job(Settings(database_url=missing, tracker_store_url=missing), now=clock.now, sleep=clock.sleep)
    attempts = []
    real = job.run_once

    def flaky() -> bool:
        attempts.append(clock.now())
        if len(attempts) < 3:
            return real()  # fails: no database
        job.runs += 1
        return True

    job.run_once = flaky
    job.serve(max_runs=1)
    assert attempts == [dt.datetime(2027, 2, 1, 12, 0), dt.datetime(2027, 2, 1, 12, 10),
                        dt.datetime(2027, 2, 1, 12, 20)]


def _runs_since(engine, since: dt.datetime) -> list[dt.datetime]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditLog.at).where(AuditLog.action == "retention.run", AuditLog.at >= since)
                              .order_by(AuditLog.at)))
