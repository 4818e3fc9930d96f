"""Matching on a small hand-made database (SQLite and PostgreSQL): ISCO fit, kilometres and radius,
ranking order, filters, anonymity, determinism, explanations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from placement.db import session_scope
from placement.matching import (
    CandidateProfile,
    candidates_for_request,
    candidates_for_vacancy,
    search_vacancies,
    vacancies_for_candidate,
)
from placement.matching import Target
from placement.matching.area import area_for
from placement.matching.distance import DEFAULT_RADIUS_KM, clamp_radius, km_between, within
from placement.models import Candidate, Employer, Vacancy
from placement.occupation_normaliser import resolve
from placement.occupations import normalise, related
from placement.reference import occupations

ESCO = {o.code: {"esco_uri": o.esco_uri, "isco_code": o.isco_code} for o in occupations()}

GOUDA, WADDINXVEEN, CAPELLE, GRONINGEN = "GM0513", "GM0627", "GM0502", "GM0014"  # AM20, AM20, AM22 (next), AM01
TODAY = dt.date(2026, 12, 1)
CONSENT = dt.datetime(2026, 11, 1, 10, 0)
SECRET = {"name": "Jan Geheimnaam", "email": "jan.geheim@example.org", "phone": "+31612345678"}


def _vacancy(vid, occ, gemeente, lo, hi, status="open", skills="heftruckcertificaat, orderpicken", title=None):
    return Vacancy(id=vid, employer_id=1, title=title or occ.capitalize(), occupation=occ, **ESCO[occ],
                   hours_min=lo, hours_max=hi,
                   gemeente_code=gemeente, sector="logistiek", skills=skills, status=status, origin="seed")


def _candidate(cid, occ, gemeente, hours, active=True, consent=CONSENT, skills="heftruckcertificaat, scanner"):
    return Candidate(id=cid, channel_key=f"test-{cid}", name=f"{SECRET['name']} {cid}", email=SECRET["email"],
                     phone=SECRET["phone"], gemeente_code=gemeente, occupation=occ, **ESCO[occ],
                     interests="in een team",
                     skills=skills, hours_wanted=hours, available_from=TODAY, active=active, consent_at=consent)


@pytest.fixture(scope="module")
def db(engine):
    with session_scope(engine) as s:
        s.add(Employer(id=1, name="Testlogistiek", sector="logistiek", gemeente_code=GOUDA))
        s.flush()
        s.add_all([
            _vacancy(101, "magazijnmedewerker", GOUDA, 20, 32),  # perfect for Gouda, 24 h
            _vacancy(102, "magazijnmedewerker", WADDINXVEEN, 20, 32),  # same region
            _vacancy(103, "magazijnmedewerker", CAPELLE, 20, 32),  # neighbouring region
            _vacancy(104, "heftruckchauffeur", GOUDA, 20, 32),  # related occupation, same place
            _vacancy(105, "magazijnmedewerker", GOUDA, 24, 24, status="closed"),
            _vacancy(106, "magazijnmedewerker", GOUDA, 24, 24, status="filled"),
            _vacancy(107, "magazijnmedewerker", GOUDA, 24, 24, status="concept"),
            _vacancy(108, "magazijnmedewerker", GRONINGEN, 20, 32),  # far away
            _vacancy(109, "magazijnmedewerker", GOUDA, 4, 8),  # hours far off
            _vacancy(110, "magazijnmedewerker", WADDINXVEEN, 20, 32),  # twin of 102: tie broken on id
            _vacancy(111, "schilder", GOUDA, 20, 32, title="Schilder 100% <b>binnen</b>"),
            _vacancy(112, "magazijnmedewerker", GOUDA, 28, 36),  # 24 h is 4 outside
            _vacancy(113, "vakkenvuller", GOUDA, 20, 32),  # ISCO 9334: same 3-digit group 933 as 9333
            _vacancy(114, "productiemedewerker", GOUDA, 20, 32),  # ISCO 9329: same 2-digit group 93
        ])
        s.add_all([
            _candidate(201, "magazijnmedewerker", GOUDA, 24),
            _candidate(202, "magazijnmedewerker", WADDINXVEEN, 24),
            _candidate(203, "heftruckchauffeur", GOUDA, 24),
            _candidate(204, "magazijnmedewerker", GOUDA, 24, active=False),
            _candidate(205, "magazijnmedewerker", GOUDA, 24, consent=None),
            _candidate(206, "magazijnmedewerker", GRONINGEN, 24),
            _candidate(207, "magazijnmedewerker", WADDINXVEEN, 24),  # twin of 202
            _candidate(208, "magazijnmedewerker", GOUDA, 12),  # hours off by 8: partial
        ])
    return engine


def test_ranking_is_fit_then_distance_then_hours(db):
    with session_scope(db) as s:
        result = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=20)
    ids = [m.vacancy_id for m in result.matches]
    assert ids[0] == 101
    assert ids.index(102) < ids.index(103)  # 5 km before 12 km
    assert ids.index(101) < ids.index(112)  # same place: hours that fit beat hours close by
    assert ids.index(103) < ids.index(113) < ids.index(114)  # any distance of the same occupation first
    assert 104 not in ids  # heftruckchauffeur is ISCO 8344: another sub-major group, not shown
    by_id = {m.vacancy_id: m for m in result.matches}
    assert by_id[101].reason == "Zelfde beroep, in Gouda, 20–32 uur"
    assert by_id[102].reason == "Zelfde beroep, 5 km van Gouda, 20–32 uur"
    assert by_id[113].reason.startswith("Verwant beroep (") and by_id[113].fit == "groep3"
    assert by_id[114].fit == "groep2" and "hetzelfde vakgebied" in by_id[114].reason
    assert by_id[103].distance_km == pytest.approx(12.2, abs=0.1)


def test_radius_limits_the_search(db):
    with session_scope(db) as s:
        near = {m.vacancy_id for m in search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=50,
                                                       radius_km=8).matches}
        wide = {m.vacancy_id for m in search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=50,
                                                       radius_km=200).matches}
    assert 102 in near and 103 not in near
    assert 103 in wide and 108 not in wide  # the radius is clamped to 150 km; Groningen is 186 km away


def test_a_requested_instrument_decides_a_tie_and_is_named(db):
    with session_scope(db) as s:
        s.get(Vacancy, 110).beschut_werk = True  # twin of 102: same place, hours and occupation
    with session_scope(db) as s:
        plain = [m.vacancy_id for m in search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=20).matches]
        wanted = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=20, instrument="beschut_werk").matches
    with session_scope(db) as s:
        s.get(Vacancy, 110).beschut_werk = False
    ids = [m.vacancy_id for m in wanted]
    assert plain.index(102) < plain.index(110) and ids.index(110) < ids.index(102)
    assert wanted[ids.index(110)].reason.endswith(", beschut werk")
    assert ids.index(101) < ids.index(110)  # distance still comes before the instrument


def test_distances_are_great_circle_between_gemeente_points():
    assert km_between(GOUDA, GOUDA) == 0.0
    assert km_between(GOUDA, GRONINGEN) == pytest.approx(186, abs=2)
    assert km_between(GOUDA, "GM9999") is None
    codes = [code for code, _ in within(GOUDA, 10)]
    assert codes[0] == GOUDA and WADDINXVEEN in codes and CAPELLE not in codes
    assert clamp_radius(None) == DEFAULT_RADIUS_KM == 20
    assert clamp_radius(-5) == 1 and clamp_radius(9999) == 150


def test_closed_far_and_unfitting_vacancies_never_appear(db):
    with session_scope(db) as s:
        found = {m.vacancy_id for m in search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=50).matches}
        everywhere = {m.vacancy_id for m in search_vacancies(s, "magazijnmedewerker", None, None, page_size=50).matches}
        for_candidate = {m.vacancy_id for m in vacancies_for_candidate(s, 201, limit=50)}
    assert not found & {105, 106, 107, 108, 109, 111}
    assert not everywhere & {105, 106, 107}
    assert 108 in everywhere  # without a place the whole country counts
    assert not for_candidate & {105, 106, 107, 108, 109}
    assert min(for_candidate) == 101


def test_uncertain_titles_are_not_substituted(db):
    with session_scope(db) as s:
        typo = search_vacancies(s, "magazijnmedewerkr", GOUDA, 24, page_size=20)
        first = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=20)
        chosen = search_vacancies(s, None, GOUDA, 24, page_size=20,
                                  target=Target.of(typo.resolution.options()[0]))
    assert typo.matches == [] and typo.target is None  # the dialogue asks first
    assert typo.resolution.options()[0].isco == "9333"
    assert chosen.matches == first.matches


def test_ties_are_broken_on_id_and_results_are_deterministic(db):
    with session_scope(db) as s:
        first = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=20).matches
        again = search_vacancies(s, "medewerker magazijn", GOUDA, 24, page_size=20).matches
        profiles = candidates_for_vacancy(s, 101, limit=10, today=TODAY)
    assert first == again
    twins = [m for m in first if m.vacancy_id in (102, 110)]
    assert twins[0].score == twins[1].score and [m.vacancy_id for m in twins] == [102, 110]
    ids = [p.candidate_id for p in profiles]
    assert ids.index(202) < ids.index(207)


def test_pages_follow_the_ranking(db):
    with session_scope(db) as s:
        full = search_vacancies(s, "magazijnmedewerker", GOUDA, None, page_size=50).matches
        p0 = search_vacancies(s, "magazijnmedewerker", GOUDA, None, page=0, page_size=3)
        p1 = search_vacancies(s, "magazijnmedewerker", GOUDA, None, page=1, page_size=3)
    assert p0.has_more and p0.matches + p1.matches == full[:6]


def test_vacancy_to_candidates_ranking_and_filters(db):
    with session_scope(db) as s:
        profiles = candidates_for_vacancy(s, 101, limit=10, today=TODAY)
        request = candidates_for_request(s, "orderpicker", GOUDA, 24, limit=10, today=TODAY)
    ids = [p.candidate_id for p in profiles]
    assert ids[0] == 201
    assert not set(ids) & {204, 205, 206, 203}  # inactive, no consent, far away, other ISCO sub-major group
    assert ids.index(201) < ids.index(202)  # same place before 5 km
    assert ids.index(201) < ids.index(208)  # hours that fit beat hours far off
    assert profiles[0].reason == "Zelfde beroep, binnen 5 km, wil 24 uur werken, direct beschikbaar"
    assert profiles[0].distance_band == "binnen 5 km"
    assert [p.candidate_id for p in request][0] == 201  # orderpicker: the same ISCO group as magazijnmedewerker


def test_anonymous_profiles_never_contain_personal_fields(db):
    allowed = {"candidate_id", "occupation", "interests", "skills", "region", "hours", "availability", "score",
               "reason", "fit", "distance_band"}
    assert {f.name for f in dataclasses.fields(CandidateProfile)} == allowed
    with session_scope(db) as s:
        profiles = candidates_for_vacancy(s, 101, limit=10, today=TODAY)
    assert profiles
    text = repr(profiles)
    for secret in (SECRET["name"], SECRET["email"], SECRET["phone"], "test-2", "Gouda", "Waddinxveen"):
        assert secret not in text
    assert all(p.region in ("Midden-Holland", "Rijnmond") for p in profiles)


def test_metacharacters_are_harmless(db):
    with session_scope(db) as s:
        for text in ("'; DROP TABLE vacancy; --", "%", "_", "100%", "<script>alert(1)</script>", "x' OR '1'='1",
                     "zz%zz", "x" * 500):
            result = search_vacancies(s, text, GOUDA, None, page_size=50)
            assert result.matches == []  # nothing that looks like a job: the dialogue says so
        assert s.get(Vacancy, 101) is not None


def test_area_tiers():
    area = area_for(GOUDA)
    assert area.region_code == "AM20" and area.tier(GOUDA) == 0 and area.tier(WADDINXVEEN) == 1
    assert area.tier(CAPELLE) == 2 and area.tier(GRONINGEN) == 3
    assert area_for("GM9999") is None


@pytest.mark.parametrize("text,code", [
    ("magazijnmedewerker", "magazijnmedewerker"), ("medewerker magazijn", "magazijnmedewerker"),
    ("magazijn-medewerker", "magazijnmedewerker"), ("Magazijnmedewerkers", "magazijnmedewerker"),
    ("magazijnmedewerkr", "magazijnmedewerker"), ("medewerker in het magazijn", "magazijnmedewerker"),
    ("orderpicker", "magazijnmedewerker"), ("Leerling-schilder met begeleiding", "schilder"),
    ("Schilder (onderhoud woningen)", "schilder"), ("schilders", "schilder"), ("Lasser MIG/MAG", "lasser"),
    ("elektrisien", "elektricien"), ("conciërge", "conciërge"), ("concierge", "conciërge"),
    ("heftruck chauffeur", "heftruckchauffeur"), ("hulp in de keuken", "kok"), ("tuinman", "hovenier"),
    ("parttime kassamedewerker", "verkoopmedewerker"), ("ik zoek werk als stratenmaker", "stratenmaker"),
])
def test_old_vocabulary_still_normalises(text, code):
    """The old 37-word vocabulary still fills `occupation` (staff screens, imports)."""
    assert normalise(text).code == code


def test_old_vocabulary_maps_onto_esco():
    for occ in occupations():
        assert occ.isco_code and len(occ.isco_code) == 4, occ.code
        found = resolve(occ.label)
        assert found.best is not None, occ.code


@pytest.mark.parametrize("text", ["astronaut", "medewerker", "medewerkers", "", "'; DROP TABLE x; --", "directeur"])
def test_unknown_job_titles_stay_unknown(text):
    assert normalise(text) is None


def test_related_occupations_are_the_same_sector():
    assert "heftruckchauffeur" in related("magazijnmedewerker")
    assert related("onbekend") == ()


def test_short_pages_read_only_their_rows_in_the_same_order(db):
    """SQL orders by `rank_key` itself, so a page of 2 is the top 2 of the full ranking (both directions),
    and the chat's count is the number of results, not the number of rows read."""
    with session_scope(db) as s:
        full_c = candidates_for_vacancy(s, 101, limit=50, today=TODAY)
        top_c = candidates_for_vacancy(s, 101, limit=2, today=TODAY)
        full_v = vacancies_for_candidate(s, 201, limit=50)
        mid_v = vacancies_for_candidate(s, 201, limit=2, offset=1)
        every = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=50)
        first = search_vacancies(s, "magazijnmedewerker", GOUDA, 24, page_size=2)
    assert len(full_c) > 2 and top_c == full_c[:2]
    assert len(full_v) > 3 and mid_v == full_v[1:3]
    assert first.total == every.total == len(every.matches) and first.matches == every.matches[:2]
    assert first.has_more and not every.has_more
