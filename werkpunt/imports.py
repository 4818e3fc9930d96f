"""`python -m werkpunt.imports {staff,service-points} FILE.csv`: real people and contacts for a production database.

    staff           naam,email,rol,regios,sector,telefoon   (regios: codes such as AM20, separated by spaces or |)
    service-points  regio,naam,telefoon,email,website        (one werkgeversservicepunt per region)

A file with any problem imports nothing and lists every problem with its line number. Imported staff
have no password yet: `python -m staff.cli set-password <e-mail>`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from placement.db import make_engine, session_scope
from placement.imports import (
    ImportRefused,
    import_service_points,
    import_staff,
    parse_service_points,
    parse_staff,
)
from settings import get_settings
from werkpunt.console import fail, say
from werkpunt.database import check_connection, migrate


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportRefused([f"Het bestand {path} bestaat niet."]) from None
    except UnicodeDecodeError:
        raise ImportRefused([f"{path} is geen UTF-8-tekst. Sla het op als 'CSV UTF-8' en probeer opnieuw."]) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m werkpunt.imports", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    staff = sub.add_parser("staff", help="medewerkers importeren (naam,email,rol,regios,sector,telefoon)")
    staff.add_argument("file", type=Path)
    staff.add_argument("--bijwerken", action="store_true", help="bestaande accounts (zelfde e-mail) bijwerken")
    points = sub.add_parser("service-points", help="contactgegevens van werkgeversservicepunten importeren")
    points.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        text = _read(args.file)
        rows = parse_staff(text) if args.kind == "staff" else parse_service_points(text)
        engine = make_engine(settings.database_url)
        check_connection(engine)
        migrate(settings.database_url)
        with session_scope(engine) as session:  # one transaction: all rows or none
            if args.kind == "staff":
                added, updated = import_staff(session, rows, update=args.bijwerken)
            else:
                added, updated = import_service_points(session, rows)
    except ImportRefused as refused:
        for line in refused.problems:
            fail(line)
        return fail(f"niets geïmporteerd: los {'dit probleem' if len(refused.problems) == 1 else 'deze problemen'} "
                    "op in het bestand en probeer opnieuw.")
    except RuntimeError as exc:  # the database is not reachable (DatabaseConfigError)
        return fail(str(exc))
    if args.kind == "staff":
        say(f"{added} medewerkers toegevoegd, {updated} bijgewerkt. Wachtwoord zetten: "
            "python -m staff.cli set-password <e-mail>")
    else:
        say(f"{added} werkgeversservicepunten toegevoegd, {updated} vervangen.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
