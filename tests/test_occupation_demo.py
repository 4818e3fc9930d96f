"""Demo data over real occupations: the core work of sociale werkbedrijven in every arbeidsmarktregio,
same sizes as before, every row with an ISCO code (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from placement.db import session_scope
from placement.models import Candidate, Vacancy
from placement.reference import gemeenten, regions
from placement.seed import SIZES

CORE = {"groen": "6113", "schoonmaak": "9112", "magazijn": "9333", "productie": "9329", "facilitair": "5153"}


def test_demo_data_has_core_work_in_every_region(demo_engine):
    region_of = {g.code: g.region_code for g in gemeenten()}
    with session_scope(demo_engine) as s:
        rows = s.execute(select(Vacancy.gemeente_code, Vacancy.isco_code, Vacancy.esco_uri, Vacancy.status)).all()
    assert len(rows) == SIZES["small"].vacancies  # same size as before issue 11
    assert all(r.isco_code for r in rows)
    with session_scope(demo_engine) as s:
        isco = list(s.scalars(select(Candidate.isco_code)))
    assert len(isco) == SIZES["small"].candidates and all(isco)
    for region in regions():
        open_here = {r.isco_code for r in rows if r.status == "open" and region_of[r.gemeente_code] == region}
        missing = {name for name, isco in CORE.items() if isco not in open_here}
        assert not missing, (region, missing)
