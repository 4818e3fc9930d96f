"""Import staff accounts and werkgeversservicepunt contacts from CSV: all rows or none.

Every row is checked first; one bad row (a malformed line, an unknown region code, an e-mail address
twice) stops the whole import with a Dutch message per problem, naming the line. Only a file without
problems is written, in one transaction. The command line is `python -m werkpunt.imports`.

Files are UTF-8 (a BOM from Excel is fine), separated by commas or semicolons, with a header line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placement.models import STAFF_ROLES, ServicePoint, StaffMember, StaffRegion
from placement.reference import occupations, regions

STAFF_COLUMNS = ("naam", "email", "rol", "regios", "sector", "telefoon")
STAFF_REQUIRED = ("naam", "email", "rol")
SERVICE_POINT_COLUMNS = ("regio", "naam", "telefoon", "email", "website")
SERVICE_POINT_REQUIRED = ("regio", "naam")
EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$")
LIST_SEPARATORS = re.compile(r"[\s|/,;]+")


class ImportRefused(ValueError):
    """The file has problems; nothing was imported. `problems` holds one Dutch line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class StaffRow:
    line: int
    name: str
    email: str
    role: str
    regions: list[str] = field(default_factory=list)
    sector: str | None = None
    phone: str | None = None


@dataclass
class ServicePointRow:
    line: int
    region_code: str
    name: str
    phone: str | None
    email: str | None
    website: str | None


def read_rows(text: str, columns: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) per data line; malformed lines and missing columns are problems."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise ImportRefused(["Het bestand is leeg. De eerste regel moet de kolomnamen bevatten: "
                             + ",".join(columns) + "."])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower().replace("'", "").replace("’", "") for h in next(reader)]
        missing = [c for c in required if c not in header]
        unknown = [h for h in header if h not in columns]
        if missing or unknown:
            lines = []
            if missing:
                lines.append(f"regel 1: de kolom(men) {', '.join(missing)} ontbreken.")
            if unknown:
                lines.append(f"regel 1: onbekende kolom(men) {', '.join(unknown)}.")
            raise ImportRefused(lines + [f"Gebruik de kolommen: {','.join(columns)}."])
        rows, problems = [], []
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # an empty line
            if len(values) != len(header):
                problems.append(f"regel {line}: {len(values)} velden in plaats van {len(header)} "
                                f"({','.join(header)}). Staat er een {delimiter!r} te veel of te weinig?")
                continue
            rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
    except csv.Error as exc:
        raise ImportRefused([f"regel {reader.line_num}: dit is geen geldige CSV-regel ({exc})."]) from exc
    if problems:
        raise ImportRefused(problems)
    return rows


def _phone(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _region_codes(value: str) -> tuple[list[str], list[str]]:
    codes = [c.upper() for c in LIST_SEPARATORS.split(value) if c]
    known = regions()
    return [c for c in codes if c in known], [c for c in codes if c not in known]


def _check_contact(line: int, row: dict[str, str], problems: list[str]) -> tuple[str | None, str | None]:
    phone = email = None
    if row.get("telefoon"):
        phone = _phone(row["telefoon"])
        if phone is None:
            problems.append(f"regel {line}: telefoonnummer {row['telefoon']!r} is ongeldig.")
    if row.get("email"):
        email = row["email"].lower()
        if not EMAIL.match(email):
            problems.append(f"regel {line}: e-mailadres {row['email']!r} is ongeldig.")
    return phone, email


def parse_staff(text: str) -> list[StaffRow]:
    """Check a staff CSV (naam,email,rol,regios,sector,telefoon); raises ImportRefused listing every problem."""
    problems: list[str] = []
    parsed: list[StaffRow] = []
    seen: dict[str, int] = {}
    sectors = {o.sector for o in occupations()}
    for line, row in read_rows(text, STAFF_COLUMNS, STAFF_REQUIRED):
        empty = [c for c in STAFF_REQUIRED if not row.get(c)]
        if empty:
            problems.append(f"regel {line}: {', '.join(empty)} is leeg.")
            continue
        phone, email = _check_contact(line, row, problems)
        role = row["rol"].lower()
        if role not in STAFF_ROLES:
            problems.append(f"regel {line}: onbekende rol {row['rol']!r}. Kies uit: {', '.join(STAFF_ROLES)}.")
        codes, unknown = _region_codes(row.get("regios", ""))
        if unknown:
            problems.append(f"regel {line}: onbekende regiocode(s) {', '.join(unknown)}. Gebruik codes als AM20 "
                            "(zie placement/data/arbeidsmarktregios.csv).")
        elif not codes and role in STAFF_ROLES and role != "admin":
            problems.append(f"regel {line}: een {role} heeft minstens één regio nodig "
                            "(kolom regios, bijvoorbeeld AM20).")
        sector = (row.get("sector") or "").lower() or None
        if sector and sector not in sectors:
            problems.append(f"regel {line}: onbekende sector {row['sector']!r}. "
                            f"Kies uit: {', '.join(sorted(sectors))}.")
        if email in seen:
            problems.append(f"regel {line}: e-mailadres {email} staat ook al op regel {seen[email]}.")
        elif email:
            seen[email] = line
        parsed.append(StaffRow(line, row["naam"], email or "", role, sorted(set(codes)), sector, phone))
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_staff(session: Session, rows: Iterable[StaffRow], update: bool = False) -> tuple[int, int]:
    """Add the accounts (no password yet); with `update`, existing e-mail addresses get the file's name,
    role, regions, sector and phone. Returns (added, updated). Raises ImportRefused without writing."""
    rows = list(rows)
    existing = {m.email.lower(): m for m in session.scalars(
        select(StaffMember).where(func.lower(StaffMember.email).in_([r.email for r in rows])))}
    if existing and not update:
        raise ImportRefused([f"regel {r.line}: e-mailadres {r.email} bestaat al in de database. Gebruik --bijwerken "
                             "om bestaande accounts bij te werken." for r in rows if r.email in existing])
    added = 0
    for row in rows:
        member = existing.get(row.email)
        if member is None:
            member = StaffMember(email=row.email, name=row.name, role=row.role, active=True)
            session.add(member)
            added += 1
        member.name, member.role, member.sector, member.phone = row.name, row.role, row.sector, row.phone
        member.regions = [StaffRegion(region_code=code) for code in row.regions]
    session.flush()
    return added, len(rows) - added


def parse_service_points(text: str) -> list[ServicePointRow]:
    """Check a contacts CSV (regio,naam,telefoon,email,website); raises ImportRefused listing every problem."""
    problems: list[str] = []
    parsed: list[ServicePointRow] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(text, SERVICE_POINT_COLUMNS, SERVICE_POINT_REQUIRED):
        empty = [c for c in SERVICE_POINT_REQUIRED if not row.get(c)]
        if empty:
            problems.append(f"regel {line}: {', '.join(empty)} is leeg.")
            continue
        code = row["regio"].upper()
        if code not in regions():
            problems.append(f"regel {line}: onbekende regiocode {row['regio']!r}. Gebruik codes als AM20 "
                            "(zie placement/data/arbeidsmarktregios.csv).")
        elif code in seen:
            problems.append(f"regel {line}: regio {code} staat ook al op regel {seen[code]}.")
        else:
            seen[code] = line
        phone, email = _check_contact(line, row, problems)
        website = row.get("website") or None
        if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
            problems.append(f"regel {line}: website {website!r} is ongeldig. Schrijf het volledige adres, "
                            "bijvoorbeeld https://www.wsp-regio.nl.")
        if not (row.get("telefoon") or row.get("email") or website):
            problems.append(f"regel {line}: geen telefoon, e-mail of website. Zonder contactgegevens heeft de rij "
                            "geen zin; laat de regio dan weg (de bot biedt dan terugbellen aan).")
        parsed.append(ServicePointRow(line, code, row["naam"], phone, email, website))
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_service_points(session: Session, rows: Iterable[ServicePointRow]) -> tuple[int, int]:
    """Add or replace the contact of each region in the file. Returns (added, replaced)."""
    added = replaced = 0
    for row in rows:
        point = session.get(ServicePoint, row.region_code)
        if point is None:
            point = ServicePoint(region_code=row.region_code)
            session.add(point)
            added += 1
        else:
            replaced += 1
        point.name, point.phone, point.email, point.website = row.name, row.phone, row.email, row.website
    session.flush()
    return added, replaced
