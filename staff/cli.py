"""`python -m staff.cli ...`: staff accounts, retention, summary refresh, demo conversations.

Passwords are never taken from the command line (visible in `ps` and shell history): they are
asked for twice, or read from standard input with --password-stdin.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
import time

from sqlalchemy import func, select

from placement.db import engine_for, session_factory, session_scope
from placement.models import STAFF_ROLES, Region, StaffMember, StaffRegion


def say(message: str) -> None:
    print(f"[werkpunt-staff] {message}", flush=True)


def _password(args) -> str:
    from staff.security import MIN_PASSWORD_LENGTH

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Nieuw wachtwoord (minstens {MIN_PASSWORD_LENGTH} tekens): ")
    if getpass.getpass("Nog een keer: ") != first:
        raise ValueError("De wachtwoorden zijn niet gelijk.")
    return first


def _member(session, email: str) -> StaffMember:
    member = session.scalar(select(StaffMember).where(func.lower(StaffMember.email) == email.strip().lower()))
    if member is None:
        raise ValueError(f"Geen medewerker met e-mailadres {email}.")
    return member


def create_user(engine, args) -> None:
    from staff import audit
    from staff.security import hash_password

    if args.role not in STAFF_ROLES:
        raise ValueError(f"Rol moet een van {', '.join(STAFF_ROLES)} zijn.")
    regions = [r.strip().upper() for r in (args.regions or "").split(",") if r.strip()]
    if args.role != "admin" and not regions:
        raise ValueError("Geef minstens één regio op (--regions AM20,AM06); alleen een admin heeft er geen.")
    password_hash = hash_password(_password(args))
    with session_scope(engine) as session:
        unknown = set(regions) - set(session.scalars(select(Region.code)))
        if unknown:
            raise ValueError(f"Onbekende regio's: {', '.join(sorted(unknown))}.")
        if session.scalar(select(StaffMember).where(func.lower(StaffMember.email) == args.email.lower())):
            raise ValueError(f"Er is al een medewerker met e-mailadres {args.email}.")
        member = StaffMember(name=args.name, email=args.email.lower(), role=args.role, password_hash=password_hash)
        member.regions = [StaffRegion(region_code=code) for code in regions]
        session.add(member)
        session.flush()
        audit.record(session, "user.create", actor="cli", target_type="staff", target_id=member.id,
                     detail=f"{args.role} {','.join(regions)}")
    say(f"medewerker {args.email} aangemaakt ({args.role}{', ' + ','.join(regions) if regions else ''})")


def set_password(engine, args) -> None:
    from staff import audit
    from staff.security import end_all_sessions, hash_password

    password_hash = hash_password(_password(args))
    with session_scope(engine) as session:
        member = _member(session, args.email)
        member.password_hash, member.active = password_hash, True
        end_all_sessions(session, member.id)  # a new password signs out every browser
        audit.record(session, "user.password", actor="cli", target_type="staff", target_id=member.id)
    say(f"wachtwoord gezet voor {args.email}; bestaande sessies zijn beëindigd")


def deactivate(engine, args) -> None:
    from staff import audit
    from staff.security import end_all_sessions

    with session_scope(engine) as session:
        member = _member(session, args.email)
        member.active = False
        end_all_sessions(session, member.id)
        audit.record(session, "user.deactivate", actor="cli", target_type="staff", target_id=member.id)
    say(f"{args.email} kan niet meer inloggen")


def list_users(engine, args) -> None:
    with session_scope(engine) as session:
        query = select(StaffMember).order_by(StaffMember.role, StaffMember.email)
        if args.region:
            query = query.join(StaffRegion).where(StaffRegion.region_code == args.region.upper())
        for m in session.scalars(query):
            regions = ",".join(r.region_code for r in m.regions)
            state = "actief" if m.active and m.password_hash else "geen wachtwoord" if m.active else "inactief"
            print(f"{m.email:60} {m.role:15} {regions:12} {state}")


def retention(engine, tracker_engine, settings, args) -> None:
    from staff import retention as ret
    from staff.config import StaffConfig

    periods = ret.Periods.from_settings(settings)
    if args.days:
        periods = dataclasses.replace(periods, conversations=args.days)
    policy = StaffConfig.from_settings(settings, engine=engine, tracker_engine=tracker_engine).policy
    result = ret.run(engine, tracker_engine, periods, policy=policy, dry_run=args.dry_run)
    say(("proefrun, niets gewist: " if args.dry_run else "") + f"bewaartermijnen ({periods}): {result}")


def refresh(engine, tracker_engine, args) -> None:
    from staff import summary, tracker
    from staff.models import SyncState

    started, total = time.monotonic(), 0
    top = tracker.max_event_id(tracker_engine) if tracker.has_events_table(tracker_engine) else 0
    with session_factory(engine)() as session:
        if args.full:
            summary.rebuild_all(session, tracker_engine)
        while True:
            total += summary.refresh(session, tracker_engine, limit=50_000)
            state = session.get(SyncState, summary.WATERMARK)
            if state is None or int(state.value or 0) >= top:
                break
    say(f"samenvattingen bijgewerkt: {total} events in {time.monotonic() - started:.1f}s")


def main(argv: list[str] | None = None) -> int:
    from settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m staff.cli", description="Beheer van de medewerkersomgeving")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("create-user", help="medewerker aanmaken")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=STAFF_ROLES)
    p.add_argument("--regions", default="", help="regiocodes, komma-gescheiden (AM20,AM06)")
    p.add_argument("--password-stdin", action="store_true")
    p = sub.add_parser("set-password", help="wachtwoord zetten (ook voor de demomedewerkers)")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true")
    sub.add_parser("deactivate", help="medewerker blokkeren").add_argument("email")
    sub.add_parser("list-users", help="medewerkers tonen").add_argument("--region")
    p = sub.add_parser("retention", help="oude gesprekken verwijderen (dagelijks draaien)")
    p.add_argument("--days", type=int, help="gesprekken; standaard RETENTION_DAYS (de rest: RETENTION_*)")
    p.add_argument("--dry-run", action="store_true", help="alleen tellen")
    sub.add_parser("refresh", help="samenvattingen bijwerken uit de tracker store").add_argument(
        "--full", action="store_true", help="alles opnieuw opbouwen")
    p = sub.add_parser("demo-conversations", help="demogesprekken toevoegen")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = engine_for(settings.database_url)
    tracker_engine = engine_for(settings.tracker_store_url)
    try:
        if args.command == "create-user":
            create_user(engine, args)
        elif args.command == "set-password":
            set_password(engine, args)
        elif args.command == "deactivate":
            deactivate(engine, args)
        elif args.command == "list-users":
            list_users(engine, args)
        elif args.command == "retention":
            retention(engine, tracker_engine, settings, args)
        elif args.command == "refresh":
            refresh(engine, tracker_engine, args)
        elif args.command == "demo-conversations":
            from staff import demo

            ids = demo.generate(engine, tracker_engine, args.count, seed=args.seed)
            say(f"{len(ids)} demogesprekken toegevoegd")
    except ValueError as exc:
        print(f"[werkpunt-staff] FOUT: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
