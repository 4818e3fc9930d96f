"""Demo data only where it belongs; real staff and werkgeversservicepunt contacts come from CSV imports.

A fresh database (SQLite file or PostgreSQL) gets the reference data and no people; the embedded
default (var/werkpunt.db) still gives a newcomer demo data and the demo admin, whose password file
belongs to that database. Imports take all rows or none, with a Dutch line per bad row.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from placement.db import make_engine, session_scope
from placement.models import Candidate, Employer, Gemeente, Region, ServicePoint, StaffMember, Vacancy
from placement.services.support import sheltered_work_route
from settings import ROOT, Settings
from staff.security import check_password
from tests import action_server
from tests.conftest import new_database_url
from werkpunt import database
from werkpunt.database import DEMO_ADMIN, prepare_database, prepare_demo_staff
from werkpunt.production import demo_rows

STAFF_CSV = """naam;email;rol;regios;sector;telefoon
Anna de Vries;anna.devries@werkbedrijf.nl;accountmanager;AM20;logistiek;0182 123 456
Mo Ait;mo.ait@werkbedrijf.nl;consulent;AM20 AM14;;
Beheer;beheer@werkbedrijf.nl;admin;;;
"""


def people(engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (StaffMember, Employer, Vacancy, Candidate)}


def run_import(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "werkpunt.imports", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_fresh_database_gets_reference_data_and_no_people(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(database, "PASSWORD_DIR", tmp_path)
    url, drop = new_database_url(make_engine(db_url).dialect.name, tmp_path)  # brand new: no tables at all
    try:
        settings = Settings(database_url=url, tracker_store_url=f"sqlite:///{tmp_path}/tracker.db")
        engine = prepare_database(settings)
        prepare_demo_staff(settings, engine)
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(Gemeente)) == 342
            assert s.scalar(select(func.count()).select_from(Region)) == 35
        assert people(engine) == {"staff_member": 0, "employer": 0, "vacancy": 0, "candidate": 0}
        assert not (tmp_path / "tracker.db").exists()  # no demo conversations either
        assert not list(tmp_path.glob("demo-admin-password*"))  # and no demo admin
        engine.dispose()
    finally:
        drop()


def test_demo_data_true_loads_demo_people_and_a_password_file_of_that_database(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(database, "PASSWORD_DIR", tmp_path)
    url, drop = new_database_url(make_engine(db_url).dialect.name, tmp_path)
    try:
        settings = Settings(database_url=url, tracker_store_url=f"sqlite:///{tmp_path}/tracker.db", demo_data=True)
        engine = prepare_database(settings)
        prepare_demo_staff(settings, engine)
        assert people(engine)["vacancy"] > 0 and demo_rows(engine)
        files = list(tmp_path.glob("demo-admin-password-*.txt"))
        assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
        with session_scope(engine) as s:
            admin = s.scalar(select(StaffMember).where(StaffMember.email == DEMO_ADMIN))
            assert check_password(admin, files[0].read_text().strip())
        engine.dispose()
    finally:
        drop()


def test_the_embedded_default_keeps_its_demo_admin_when_another_database_is_tried(tmp_path, monkeypatch):
    embedded = tmp_path / "var" / "werkpunt.db"
    monkeypatch.setattr(database, "EMBEDDED_DATABASE", embedded)
    monkeypatch.setattr(database, "PASSWORD_DIR", tmp_path / "var")
    settings = Settings(database_url=f"sqlite:///{embedded}", tracker_store_url=f"sqlite:///{tmp_path}/var/tracker.db")
    assert database.wants_demo_data(settings)
    engine = prepare_database(settings)
    prepare_demo_staff(settings, engine)
    password_file = tmp_path / "var" / "demo-admin-password.txt"
    password = password_file.read_text().strip()
    # Another database with demo data gets its own password file; the embedded one is untouched.
    other = Settings(database_url=f"sqlite:///{tmp_path}/other.db", demo_data=True,
                     tracker_store_url=f"sqlite:///{tmp_path}/other-tracker.db")
    prepare_demo_staff(other, prepare_database(other))
    # Without DEMO_DATA another database gets no demo admin at all.
    plain = Settings(database_url=f"sqlite:///{tmp_path}/plain.db", tracker_store_url=f"sqlite:///{tmp_path}/t.db")
    prepare_demo_staff(plain, prepare_database(plain))
    assert password_file.read_text().strip() == password
    assert len(list((tmp_path / "var").glob("demo-admin-password*.txt"))) == 2
    prepare_demo_staff(settings, engine)  # a second start changes nothing
    assert password_file.read_text().strip() == password
    with session_scope(engine) as s:
        assert check_password(s.scalar(select(StaffMember).where(StaffMember.email == DEMO_ADMIN)), password)
    engine.dispose()


# --- imports -----------------------------------------------------------------------------------------
def test_staff_import_with_roles_and_regions(engine, db_url, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("\ufeff" + STAFF_CSV, encoding="utf-8")  # Excel's BOM is fine
    result = run_import(db_url, "staff", str(path))
    assert result.returncode == 0 and "3 medewerkers toegevoegd" in result.stdout, result.stderr
    with session_scope(engine) as s:
        members = {m.email: m for m in s.scalars(select(StaffMember))}
        anna, mo = members["anna.devries@werkbedrijf.nl"], members["mo.ait@werkbedrijf.nl"]
        assert (anna.role, anna.sector, anna.phone, [r.region_code for r in anna.regions]) == \
            ("accountmanager", "logistiek", "+31182123456", ["AM20"])
        assert sorted(r.region_code for r in mo.regions) == ["AM14", "AM20"] and anna.password_hash is None
        assert members["beheer@werkbedrijf.nl"].role == "admin"
    again = run_import(db_url, "staff", str(path))  # the same file again: refused, nothing changes
    assert again.returncode == 2 and "bestaat al in de database" in again.stderr
    path.write_text(STAFF_CSV.replace("AM20 AM14", "AM14"), encoding="utf-8")
    assert run_import(db_url, "staff", str(path), "--bijwerken").returncode == 0
    with session_scope(engine) as s:
        mo = s.scalar(select(StaffMember).where(StaffMember.email == "mo.ait@werkbedrijf.nl"))
        assert [r.region_code for r in mo.regions] == ["AM14"]


GOOD_ROW = "Goed,goed.persoon@werkbedrijf.nl,consulent,AM20\n"  # line 2 of every bad file: must not be imported


@pytest.mark.parametrize("rows, expected", [
    ("Piet,piet@x.nl,consulent,AM99\n", "regel 3: onbekende regiocode(s) AM99"),
    ("Piet,piet@x.nl,consulent,AM20\nPia,PIET@x.nl,jobcoach,AM20\n",
     "regel 4: e-mailadres piet@x.nl staat ook al op regel 3"),
    ("Piet,goed.persoon@werkbedrijf.nl,jobcoach,AM20\n", "regel 3: e-mailadres goed.persoon@werkbedrijf.nl staat ook"),
    ("Piet,piet@x.nl,consulent,AM20,extra\n", "regel 3: 5 velden in plaats van 4"),
    ('"Piet,piet@x.nl,consulent,AM20\n', "geen geldige CSV-regel"),
    ("Piet,piet@x.nl,directeur,AM20\n", "regel 3: onbekende rol 'directeur'"),
    ("Piet,geen-mail,consulent,AM20\n", "regel 3: e-mailadres 'geen-mail' is ongeldig"),
    ("Piet,piet@x.nl,consulent,\n", "regel 3: een consulent heeft minstens één regio nodig"),
])
def test_a_bad_staff_file_imports_nothing_and_says_why(engine, db_url, tmp_path, rows, expected):
    before = people(engine)["staff_member"]
    path = tmp_path / "bad.csv"
    path.write_text("naam,email,rol,regios\n" + GOOD_ROW + rows, encoding="utf-8")
    result = run_import(db_url, "staff", str(path))
    assert result.returncode == 2 and "niets geïmporteerd" in result.stderr
    assert expected in result.stderr, result.stderr
    assert people(engine)["staff_member"] == before


@pytest.mark.parametrize("content, expected", [
    ("naam,email\nPiet,piet@x.nl\n", "regel 1: de kolom(men) rol ontbreken"),
    ("", "Het bestand is leeg"),
])
def test_a_staff_file_without_the_right_columns_is_refused(engine, db_url, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = run_import(db_url, "staff", str(path))
    assert result.returncode == 2 and expected in result.stderr, result.stderr


def test_service_point_contacts_from_csv_reach_the_bot(engine, db_url, tmp_path):
    path = tmp_path / "wsp.csv"
    path.write_text("regio,naam,telefoon,email,website\n"
                    "AM20,Werkgeversservicepunt Midden-Holland,0182 123 456,info@wsp-mh.nl,https://www.wsp-mh.nl\n",
                    encoding="utf-8")
    with session_scope(engine) as s:  # before the import: the shipped demo row, without contact details
        route = sheltered_work_route(s, "someone", "Gouda")
        assert route.wsp.demo and not route.wsp.phone
    result = run_import(db_url, "service-points", str(path))
    assert result.returncode == 0 and "1 werkgeversservicepunten toegevoegd" in result.stdout, result.stderr
    with session_scope(engine) as s:
        route = sheltered_work_route(s, "someone", "Gouda")
        assert not route.wsp.demo and (route.wsp.phone, route.wsp.email) == ("+31182123456", "info@wsp-mh.nl")
    bad = tmp_path / "bad.csv"
    bad.write_text("regio,naam,telefoon,email,website\nAM14,Wsp Amersfoort,033 123 4567,,\n"
                   "AM77,Wsp Nergens,,info@x.nl,\nAM14,Weer Amersfoort,,x@y.nl,\nAM15,Leeg,,,\n", encoding="utf-8")
    result = run_import(db_url, "service-points", str(bad))
    assert result.returncode == 2
    for expected in ("regel 3: onbekende regiocode 'AM77'", "regel 4: regio AM14 staat ook al op regel 2",
                     "regel 5: geen telefoon, e-mail of website"):
        assert expected in result.stderr, result.stderr
    with session_scope(engine) as s:
        assert s.get(ServicePoint, "AM14") is None  # the good row of the bad file was not imported


# --- no invented person in a database without staff ---------------------------------------------------
def test_without_staff_the_bot_names_no_person_and_offers_a_callback(engine, db_url):
    from tests.test_actions_services import call, texts

    with session_scope(engine) as s:
        s.query(StaffMember).delete()
    proc, base = action_server.start(db_url)
    try:
        reply = call(base, "action_submit_callback", "no-staff-1", user_role="werkgever", contact_name="Jan",
                     phone="+31612340000", location="Gouda")
        assert "Een medewerker van het werkgeversservicepunt in regio Midden-Holland belt u" in texts(reply)
        reply = call(base, "action_request_human", "no-staff-2", user_role="werkzoekende", location="Gouda")
        assert "een medewerker van het werkgeversservicepunt" in texts(reply)
        assert "/request_callback" in [b["payload"] for r in reply["responses"] for b in (r.get("buttons") or [])]
    finally:
        action_server.stop(proc)
