"""The placement package on real SQLite and PostgreSQL: reference data, demo data, constraints."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from placement.db import session_scope
from placement.matching import search_vacancies
from placement.models import Application, Candidate, Employer, Gemeente, Region, StaffMember, Vacancy
from placement.queries import find_gemeente, suggest_gemeenten
from placement.reference import load_reference
from placement.seed import SIZES, seed_demo


def test_reference_data_complete(demo_engine):
    with session_scope(demo_engine) as s:
        assert s.scalar(select(func.count()).select_from(Gemeente)) == 342
        assert s.scalar(select(func.count()).select_from(Region)) == 35
        gouda = s.scalar(select(Gemeente).where(Gemeente.name == "Gouda"))
        assert gouda.region.name == "Midden-Holland"
        assert s.get(Gemeente, "GM0080").region_code == "AM02"  # Leeuwarden → Friesland


def test_reference_load_is_idempotent(demo_engine):
    with session_scope(demo_engine) as s:
        load_reference(s)
    with session_scope(demo_engine) as s:
        assert s.scalar(select(func.count()).select_from(Gemeente)) == 342


def test_demo_data_sizes_and_determinism(demo_engine):
    with session_scope(demo_engine) as s:
        assert s.scalar(select(func.count()).select_from(Vacancy)) == SIZES["small"].vacancies
        assert s.scalar(select(func.count()).select_from(Candidate)) == SIZES["small"].candidates
        assert s.scalar(select(func.count()).select_from(StaffMember)) == 1 + 35 * 4
        first = s.scalar(select(Employer).order_by(Employer.id))
        # Faker nl_NL with a fixed seed gives the same first employer every time, on every engine.
        assert first.name and first.contact_name
        assert seed_demo(s) is False  # a second run does not duplicate
        assert s.scalar(select(func.count()).select_from(Application)) > 0


def test_demo_data_answers_the_readme_question(demo_engine):
    with session_scope(demo_engine) as s:
        amersfoort = find_gemeente("amersfoort")
        found = search_vacancies(s, "schilder", amersfoort.code, None).matches
        assert found and all(s.get(Vacancy, m.vacancy_id).status == "open" for m in found)
        assert found[0].occupation == "schilder" and found[0].gemeente == "Amersfoort"


def test_unique_application_per_candidate_and_vacancy(demo_engine):
    with pytest.raises(IntegrityError):
        with session_scope(demo_engine) as s:
            existing = s.scalar(select(Application).order_by(Application.id))
            s.add(Application(candidate_id=existing.candidate_id, vacancy_id=existing.vacancy_id))


def test_hours_constraint(demo_engine):
    with pytest.raises(IntegrityError):
        with session_scope(demo_engine) as s:
            s.add(Vacancy(employer_id=1, title="x", hours_min=30, hours_max=10, gemeente_code="GM0513"))


@pytest.mark.parametrize("typo,expected", [("Amersfort", "Amersfoort"), ("leewarden", "Leeuwarden"),
                                           ("den bosch", "'s-Hertogenbosch")])
def test_gemeente_lookup_and_suggestions(typo, expected):
    hit = find_gemeente(typo)
    assert (hit and hit.name == expected) or expected in suggest_gemeenten(typo)
