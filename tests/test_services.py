"""Service functions directly (SQLite and PostgreSQL): routing rules, races, deletion, plain helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from placement.db import session_scope
from placement.models import Application, Candidate, Employer, Lead, StaffMember, StaffRegion, Vacancy
from placement.office_hours import describe, next_opening, within_office_hours
from placement.reference import regions
from placement.seed import fix_sequence
from placement.services import jobseeker
from placement.services.employer import clean_text, parse_hours, submit_callback, submit_vacancy
from placement.services.routing import create_lead, pick_staff
from placement.services.support import (
    delete_user_data,
    request_handoff,
    werkgeversservicepunten,
)

GOUDA = "GM0513"


def _staff(s, name, role, region, sector=None, active=True) -> StaffMember:
    member = StaffMember(name=name, email=f"{name.replace(' ', '.').lower()}@werkpunt.example", role=role,
                         sector=sector, active=active)
    member.regions.append(StaffRegion(region_code=region))
    s.add(member)
    s.flush()
    return member


@pytest.fixture(scope="module")
def db(engine):
    with session_scope(engine) as s:
        _staff(s, "Zorg Zus", "accountmanager", "AM20", sector="zorg")
        _staff(s, "Algemeen Een", "accountmanager", "AM20")
        _staff(s, "Algemeen Twee", "accountmanager", "AM20")
        _staff(s, "Bouw Broer", "accountmanager", "AM20", sector="bouw", active=False)
        _staff(s, "Consulent Cor", "consulent", "AM20")
        s.add(Employer(id=1, name="Testbedrijf", sector="bouw", gemeente_code=GOUDA))
        s.flush()
        s.add(Vacancy(id=1, employer_id=1, title="Schilder", occupation="schilder", hours_min=24, hours_max=32,
                      gemeente_code=GOUDA, status="open"))
        s.flush()
        for model in (Employer, Vacancy):
            fix_sequence(s, model)
    return engine


def test_sector_match_first_then_generalists_by_load(db):
    with session_scope(db) as s:
        assert pick_staff(s, "accountmanager", "AM20", "Zorg").name == "Zorg Zus"
        assert pick_staff(s, "accountmanager", "AM20", "bouw").name == "Algemeen Een"  # bouw is inactive
        assert pick_staff(s, "accountmanager", "AM01") is None and pick_staff(s, "accountmanager", None) is None
        _lead, first = create_lead(s, "callback", "accountmanager", "AM20", topic="een")
        _lead, second = create_lead(s, "callback", "accountmanager", "AM20", topic="twee")
        assert (first.staff_name, second.staff_name) == ("Algemeen Een", "Algemeen Twee")  # fewest open leads
        assert first.reference == f"WP-{first.lead_id:05d}" and first.region_name == "Midden-Holland"
        s.rollback()


def test_parallel_application_is_still_one_row(db, monkeypatch):
    with session_scope(db) as s:
        s.add(Candidate(channel_key="race", consent_at=dt.datetime(2026, 1, 1), gemeente_code=GOUDA))
    with session_scope(db) as s:
        assert jobseeker.apply_for_vacancy(s, sender_id="race", channel="web", vacancy_ref=1).outcome == "applied"
    # the other click checked before this one committed: the unique constraint has the last word
    real, seen = jobseeker._application, []

    def not_yet(*args):  # the first look finds nothing, as in the other request
        seen.append(args)
        return None if len(seen) == 1 else real(*args)

    monkeypatch.setattr(jobseeker, "_application", not_yet)
    with session_scope(db) as s:
        result = jobseeker.apply_for_vacancy(s, sender_id="race", channel="web", vacancy_ref="1")
    assert result.outcome == "already" and len(seen) == 2
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 1
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.sender_id == "race")) == 1


def test_callback_twice_updates_one_lead(db):
    with session_scope(db) as s:
        first = submit_callback(s, sender_id="cb", channel="web", role="werkgever", contact_name="A",
                                phone="+31600000001", preferred_moment="morgen", location="Gouda")
        again = submit_callback(s, sender_id="cb", channel="web", role="werkgever", contact_name="A",
                                phone="+31600000001", preferred_moment="overmorgen", location="Gouda")
        assert first.lead_id == again.lead_id
        assert s.get(Lead, first.lead_id).preferred_moment == "overmorgen"


def test_vacancy_intake_unknown_place_suggests(db):
    with session_scope(db) as s:
        result = submit_vacancy(s, sender_id="x", channel=None, company_name="A", job_title="kok",
                                location="Gouwda", hours="20", contact_name=None, phone=None, email=None)
        assert result.outcome == "unknown_gemeente" and "Gouda" in result.suggestions
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.sender_id == "x")) == 0


def test_handoff_without_region_is_unassigned_but_kept(db):
    with session_scope(db) as s:
        handoff = request_handoff(s, sender_id="nowhere", channel="telegram", role=None)
        assert not handoff.conversation_found and handoff.routed.staff_name is None
        assert s.get(Lead, handoff.routed.lead_id).kind == "handoff"


def test_delete_user_data_keeps_published_business_data(db):
    with session_scope(db) as s:
        intake = submit_vacancy(s, sender_id="del", channel="web", company_name="Testbedrijf", job_title="schilder",
                                location="Gouda", hours="24", contact_name="Dirk", phone="+31600000009",
                                email="dirk@example.org")
        assert intake.existing_employer
        assert s.get(Employer, 1).contact_phone == "+31600000009"  # filled in: the employer had none
    with session_scope(db) as s:
        deleted = delete_user_data(s, "del")
        assert (deleted.leads, deleted.vacancies, deleted.candidates) == (1, 1, 0)
        employer = s.get(Employer, 1)
        assert employer is not None and employer.contact_phone is None and employer.contact_name is None
        assert s.get(Vacancy, 1) is not None


def test_every_region_has_a_werkgeversservicepunt_row():
    rows = werkgeversservicepunten()
    assert set(rows) == set(regions())
    assert all(row.demo and not (row.phone or row.email or row.website) for row in rows.values())


def test_office_hours():
    tz = dt.timezone.utc
    spec = "ma-vr 09:00-17:00"
    monday_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=tz)  # 10:00 in Amsterdam
    friday_18 = dt.datetime(2026, 12, 4, 17, 30, tzinfo=tz)
    sunday = dt.datetime(2026, 12, 6, 12, 0, tzinfo=tz)
    early_tuesday = dt.datetime(2026, 12, 1, 5, 0, tzinfo=tz)
    assert within_office_hours(spec, monday_10)
    assert not within_office_hours(spec, friday_18) and not within_office_hours(spec, sunday)
    assert next_opening(spec, friday_18) == ("maandag", dt.time(9, 0))
    assert next_opening(spec, sunday) == ("morgen", dt.time(9, 0))
    assert next_opening(spec, early_tuesday) == ("vandaag", dt.time(9, 0))
    assert describe(spec) == "Onze medewerkers werken op maandag tot en met vrijdag van 9.00 tot 17.00 uur."


@pytest.mark.parametrize("value,hours", [("24", 24), ("24 uur", 24), (24.0, 24), ("0", None), ("99", None),
                                         (None, None), ("veel", None)])
def test_parse_hours(value, hours):
    assert parse_hours(value) == hours


def test_clean_text_strips_markup_and_bounds_length():
    assert "<" not in clean_text("<script>alert(1)</script>")
    assert len(clean_text("a" * 500, 50)) == 50
    assert jobseeker.parse_vacancy_ref("nr. 123") == 123 and jobseeker.parse_vacancy_ref("geen") is None
