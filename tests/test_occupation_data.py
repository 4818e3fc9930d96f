"""Migration 0010 maps rows written before it onto ESCO/ISCO (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from placement.db import make_engine, session_scope
from placement.reference import load_reference
from werkpunt.database import alembic_config, migrate


def test_existing_rows_get_esco_uri_and_isco_code(db_url):
    command.upgrade(alembic_config(db_url), "0007")
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        load_reference(s)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO employer (id, name, gemeente_code, created_at) VALUES (1, 'X', 'GM0193', :t)"),
                     {"t": dt.datetime(2026, 1, 1)})
        for vid, occ in ((1, "hovenier"), (2, "verzorgende"), (3, None)):
            conn.execute(text(
                "INSERT INTO vacancy (id, employer_id, title, occupation, description, hours_min, hours_max, "
                "gemeente_code, skills, contract_type, banenafspraak, beschut_werk, status, origin, created_at) "
                "VALUES (:id, 1, 'T', :occ, '', 8, 16, 'GM0193', '', 'vast', false, false, 'open', 'staff', :t)"),
                {"id": vid, "occ": occ, "t": dt.datetime(2026, 1, 1)})
        conn.execute(text("INSERT INTO candidate (id, channel_key, occupation, interests, skills, active, created_at) "
                          "VALUES (1, 'k1', 'schoonmaker', '', '', true, :t)"), {"t": dt.datetime(2026, 1, 1)})
    migrate(db_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id, esco_uri, isco_code FROM vacancy"))
        rows = {r.id: (r.esco_uri, r.isco_code) for r in found}
        cand = conn.execute(text("SELECT esco_uri, isco_code FROM candidate")).one()
    assert rows[1] == ("http://data.europa.eu/esco/occupation/e7970c7a-7769-4002-87d3-0a8ea94fdd6f", "6113")
    assert rows[2] == (None, "5321")  # an ISCO group only: ESCO has no single 'verzorgende'
    assert rows[3] == (None, None)
    assert cand.isco_code == "9112" and cand.esco_uri.startswith("http://data.europa.eu/esco/occupation/")
    engine.dispose()
