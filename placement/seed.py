"""Deterministic, realistic Dutch demo data: staff per region, employers, vacancies, candidates.

Same seed and size → same rows, on SQLite and PostgreSQL. Large sizes are inserted in bulk with
explicit ids so that a 100,000-candidate benchmark database builds in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.orm import Session

from placement import reference
from placement.occupation_normaliser import esco_fields
from placement.models import Application, Candidate, Employer, StaffMember, StaffRegion, Vacancy


@dataclass(frozen=True)
class Size:
    employers: int
    vacancies: int
    candidates: int


SIZES = {
    "small": Size(employers=120, vacancies=600, candidates=2_000),
    "medium": Size(employers=1_000, vacancies=5_000, candidates=25_000),
    "large": Size(employers=4_000, vacancies=20_000, candidates=100_000),
}
BATCH = 5_000
EPOCH = dt.datetime(2026, 11, 1, 9, 0)

SKILLS = {
    "bouw": ["verf mengen", "steigerwerk", "VCA", "nauwkeurig werken", "schuren", "behangen"],
    "techniek": ["MIG/MAG lassen", "tekening lezen", "VCA", "elektrotechniek", "storingen zoeken"],
    "logistiek": ["heftruckcertificaat", "orderpicken", "scanner", "rijbewijs B", "rijbewijs C", "inpakken"],
    "productie": ["machine bedienen", "inpakken", "kwaliteitscontrole", "in ploegen werken", "sorteren"],
    "facilitair": ["schoonmaken", "zelfstandig werken", "klantvriendelijk", "beveiligingsdiploma"],
    "groen": ["snoeien", "maaien", "bestrating", "planten", "motorzaag"],
    "horeca": ["HACCP", "koken", "afwassen", "gastvrij", "kassa"],
    "retail": ["kassa", "vakkenvullen", "klantvriendelijk", "voorraadbeheer"],
    "kantoor": ["Excel", "Word", "telefoon aannemen", "archiveren", "klantvriendelijk"],
    "zorg": ["ADL-hulp", "geduldig", "BHV", "rapporteren"],
    "ict": ["Windows", "netwerken", "Python", "helpdesk"],
    "voeding": ["HACCP", "vroeg beginnen", "deeg maken", "hygiënisch werken"],
}
INTERESTS = ["buiten werken", "met mensen", "met je handen", "met techniek", "rustige omgeving", "in een team",
             "met dieren", "met computers", "vaste structuur", "afwisseling"]
CONTRACTS = ["tijdelijk", "tijdelijk", "vast", "detachering", "proefplaatsing", "leerwerk", "beschut_werk"]
COMPANY_SUFFIX = {"bouw": "Bouw", "techniek": "Techniek", "logistiek": "Logistiek", "productie": "Productie",
                  "facilitair": "Facilitaire Diensten", "groen": "Hoveniers", "horeca": "Horeca",
                  "retail": "Supermarkt", "kantoor": "Administratiekantoor", "zorg": "Zorggroep", "ict": "ICT",
                  "voeding": "Bakkerij"}

# A few fixed vacancies so that the demo always has answers for the README's example questions.
SHOWCASE = [
    ("Schilder (onderhoud woningen)", "schilder", "GM0307", 24, 36),  # Amersfoort
    ("Leerling-schilder met begeleiding", "schilder", "GM0307", 16, 32),
    ("Schilder nieuwbouw", "schilder", "GM0327", 32, 40),  # Leusden
    ("Lasser MIG/MAG", "lasser", "GM0193", 32, 40),  # Zwolle
    ("Magazijnmedewerker dagdienst", "magazijnmedewerker", "GM0513", 20, 32),  # Gouda
]
# Work that sociale werkbedrijven place people in: every arbeidsmarktregio gets one open vacancy of
# each (title → ESCO occupation through the normaliser; old vocabulary code → sector and skills).
REGIONAL_CORE = [
    ("Medewerker groenvoorziening", "hovenier"), ("Schoonmaker", "schoonmaker"), ("Orderpicker", "magazijnmedewerker"),
    ("Productiemedewerker", "productiemedewerker"), ("Facilitair medewerker", "conciërge"),
    ("Kapper", "verkoopmedewerker"),
    ("Buschauffeur", "chauffeur"), ("Verzorgende IG", "verzorgende"),
]
# Sectors weighted up for the random rows, for the same reason.
SECTOR_WEIGHT = {"groen": 3, "facilitair": 3, "logistiek": 3, "productie": 3, "horeca": 2, "zorg": 2, "retail": 2}


def _progress(report: Callable[[str], None] | None, message: str) -> None:
    if report:
        report(message)


def seed_staff(session: Session, fake: Faker, rng: random.Random) -> None:
    """One admin; per region two accountmanagers (one with a sector), a consulent and a jobcoach."""
    if session.scalar(select(func.count()).select_from(StaffMember)):
        return
    session.add(StaffMember(name="Beheerder Werkpunt", email="admin@werkpunt.example", role="admin"))
    sectors = sorted(SKILLS)
    for code in sorted(reference.regions()):
        for role, sector in (("accountmanager", None), ("accountmanager", rng.choice(sectors)),
                             ("consulent", None), ("jobcoach", None)):
            first, last = fake.first_name(), fake.last_name()
            email = f"{first}.{last}.{code}.{role}".lower().replace(" ", "").replace("'", "") + "@werkpunt.example"
            member = StaffMember(name=f"{first} {last}", email=email, role=role, sector=sector,
                                 phone=f"088-{rng.randint(1000000, 9999999)}")
            member.regions.append(StaffRegion(region_code=code))
            session.add(member)
    session.flush()


def seed_demo(session: Session, size: str = "small", seed: int = 20261127,
              report: Callable[[str], None] | None = None) -> bool:
    """Fill an empty placement database with demo data. Returns False if data was already there."""
    if session.scalar(select(func.count()).select_from(Employer)):
        return False
    spec = SIZES[size]
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    gemeenten = reference.gemeenten()
    occupations = reference.occupations()
    weights = [SECTOR_WEIGHT.get(o.sector, 1) for o in occupations]
    seed_staff(session, fake, rng)
    _progress(report, f"demodata ({size}): {spec.employers} werkgevers")
    employers = []
    for i in range(1, spec.employers + 1):
        occ = rng.choices(occupations, weights)[0]
        g = rng.choice(gemeenten)
        employers.append(dict(
            id=i, name=f"{fake.last_name()} {COMPANY_SUFFIX[occ.sector]}", sector=occ.sector, gemeente_code=g.code,
            contact_name=fake.name(), contact_email=f"info{i}@{fake.domain_word()}.example",
            contact_phone=fake.phone_number(), created_at=EPOCH - dt.timedelta(days=rng.randint(0, 700))))
    _bulk(session, Employer, employers)
    _progress(report, f"demodata ({size}): {spec.vacancies} vacatures")
    vacancies = []
    for n, (title, occ_code, gem, lo, hi) in enumerate(SHOWCASE, start=1):
        vacancies.append(_vacancy(n, rng.randint(1, spec.employers), title, occ_code, gem, lo, hi, rng, fake, "open"))
    by_region: dict[str, list[str]] = {}
    for g in gemeenten:
        by_region.setdefault(g.region_code, []).append(g.code)
    for region in sorted(by_region):
        for title, occ_code in REGIONAL_CORE:
            lo = rng.choice([16, 20, 24])
            vacancies.append(_vacancy(len(vacancies) + 1, rng.randint(1, spec.employers), title, occ_code,
                                      rng.choice(by_region[region]), lo, lo + 8, rng, fake, "open", esco_fields(title)))
    by_code = {o.code: o for o in occupations}
    for i in range(len(vacancies) + 1, spec.vacancies + 1):
        employer = employers[rng.randrange(spec.employers)]
        fitting = [o for o in occupations if o.sector == employer["sector"]] or occupations
        occ = rng.choice(fitting)
        lo = rng.choice([8, 12, 16, 20, 24, 28, 32])
        hi = min(40, lo + rng.choice([0, 4, 8, 12]))
        status = rng.choices(["open", "concept", "closed", "filled"], weights=[70, 8, 14, 8])[0]
        vacancies.append(_vacancy(i, employer["id"], by_code[occ.code].label.capitalize(), occ.code,
                                  employer["gemeente_code"], lo, hi, rng, fake, status))
    _bulk(session, Vacancy, vacancies, report)
    _progress(report, f"demodata ({size}): {spec.candidates} werkzoekenden")
    candidates = []
    for i in range(1, spec.candidates + 1):
        occ = rng.choices(occupations, weights)[0]
        g = rng.choice(gemeenten)
        consent = EPOCH - dt.timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        candidates.append(dict(
            id=i, channel_key=f"demo-{seed}-{i:06d}", name=fake.name(), email=None, phone=None,
            gemeente_code=g.code, occupation=occ.code, esco_uri=occ.esco_uri, isco_code=occ.isco_code,
            interests=", ".join(rng.sample(INTERESTS, 2)), skills=", ".join(rng.sample(SKILLS[occ.sector], 2)),
            hours_wanted=rng.choice([8, 12, 16, 20, 24, 28, 32, 36, 40]),
            available_from=(EPOCH + dt.timedelta(days=rng.randint(-30, 60))).date(),
            active=rng.random() > 0.05, consent_at=consent, created_at=consent))
    _bulk(session, Candidate, candidates, report)
    applications = []
    open_ids = [v["id"] for v in vacancies if v["status"] in ("open", "filled", "closed")]
    for i in range(1, max(1, spec.candidates // 10) + 1):
        applications.append(dict(
            id=i, candidate_id=i * 7 % spec.candidates + 1, vacancy_id=open_ids[(i * 13) % len(open_ids)],
            status=rng.choice(["ingediend", "in_behandeling", "uitgenodigd", "afgewezen", "aangenomen"]),
            created_at=EPOCH, updated_at=EPOCH))
    _bulk(session, Application, _unique(applications))
    session.flush()
    return True


def _vacancy(i, employer_id, title, occ_code, gemeente_code, lo, hi, rng, fake, status, esco=None) -> dict:
    occ = {o.code: o for o in reference.occupations()}[occ_code]
    contract = rng.choice(CONTRACTS)
    esco = esco or {"esco_uri": occ.esco_uri, "isco_code": occ.isco_code}
    return dict(
        id=i, employer_id=employer_id, title=title, occupation=occ_code, **esco,
        description=f"{title} gezocht. {fake.sentence(nb_words=10)} Begeleiding op de werkvloer is mogelijk.",
        hours_min=lo, hours_max=hi, gemeente_code=gemeente_code, sector=occ.sector,
        skills=", ".join(rng.sample(SKILLS[occ.sector], 2)), contract_type=contract,
        banenafspraak=rng.random() < 0.35, beschut_werk=contract == "beschut_werk", status=status,
        origin="seed", created_at=EPOCH - dt.timedelta(days=rng.randint(0, 120)))


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = (row["candidate_id"], row["vacancy_id"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _bulk(session: Session, model, rows: list[dict], report: Callable[[str], None] | None = None) -> None:
    # Migration tests seed a database at an older revision: leave out columns it does not have yet
    # (esco_uri/isco_code before 0010, which then maps the rows from `occupation`).
    present = {c["name"] for c in inspect(session.connection()).get_columns(model.__tablename__)}
    if rows and not set(rows[0]) <= present:
        rows = [{k: v for k, v in row.items() if k in present} for row in rows]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])
        if report and len(rows) > BATCH:
            report(f"  {model.__tablename__}: {min(start + BATCH, len(rows))}/{len(rows)}")
    fix_sequence(session, model)


def fix_sequence(session: Session, model) -> None:
    # Explicit ids bypass PostgreSQL sequences; move them past the highest id.
    if session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")
        )
