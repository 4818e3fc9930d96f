"""`python -m werkpunt.cli {prepare,train,run,check}`: the steps behind `make run` and `make test`, and the
production check."""

from __future__ import annotations

import argparse
import signal
import sys

import httpx

from placement.office_hours import parse_office_hours
from settings import ROOT, Settings, get_settings
from werkpunt.console import fail, say
from placement.db import make_engine
from werkpunt.database import check_connection, prepare_database, prepare_demo_staff
from werkpunt.production import problems
from werkpunt.net import port_free
from werkpunt.replicas import check_replicas, replica_ports
from werkpunt.stack import start_children, stop
from werkpunt.supervisor import GaveUp, Supervisor
from werkpunt.training import ensure_model


def check_settings(settings: Settings) -> None:
    """Settings that only project code can check; a problem ends the start with one Dutch line."""
    try:
        parse_office_hours(settings.office_hours)
    except ValueError as exc:
        raise RuntimeError(f"OFFICE_HOURS: {exc}") from exc


def production_problems(settings: Settings) -> list[str]:
    """The production check against the configured database (which must be reachable)."""
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        return problems(settings, engine)
    finally:
        engine.dispose()


def refuse_unsafe_production(settings: Settings) -> int | None:
    """WERKPUNT_ENV=production: refuse to start while a problem remains, naming each one."""
    if not settings.production:
        return None
    found = production_problems(settings)
    if not found:
        say("productiecontrole: geen problemen gevonden")
        return None
    for line in found:
        fail(line)
    what = "dit probleem" if len(found) == 1 else f"deze {len(found)} problemen"
    return fail(f"Werkpunt start niet in productie: los eerst {what} op (WERKPUNT_ENV=production).")


def cmd_check(settings: Settings) -> int:
    found = production_problems(settings)
    for line in found:
        say(f"probleem: {line}")
    if not found:
        say("productiecontrole: geen problemen gevonden")
    return 1 if found else 0


def telegram_status(settings: Settings) -> str:
    """One line about Telegram, so a newcomer sees how to switch it on."""
    try:
        state = httpx.get(f"http://127.0.0.1:{settings.port}/health", timeout=5).json().get("telegram")
    except (httpx.HTTPError, ValueError):
        state = "onbekend"
    if state == "off":
        return "Telegram staat uit. Zet TELEGRAM_TOKEN=<token van @BotFather> in .env om het aan te zetten."
    return f"Telegram: {state}"


def cmd_run(settings: Settings) -> int:
    check_replicas(settings)
    busy = [p for p in (settings.port, *replica_ports(settings), settings.action_port) if not port_free(p)]
    if busy:
        return fail(f"poort {', '.join(map(str, busy))} is al in gebruik. Stop het andere programma of kies "
                    "een andere poort met PORT, RASA_PORT of ACTION_PORT.")
    refused = refuse_unsafe_production(settings)
    if refused is not None:
        return refused
    prepare_demo_staff(settings, prepare_database(settings))
    model = ensure_model(settings)
    # `kill` (SIGTERM) stops the stack as cleanly as Ctrl+C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    log_dir = settings.log_path
    specs, procs, env = start_children(settings, model, log_dir)
    say(f"Werkpunt draait. Open http://{settings.host}:{settings.port}/ in uw browser "
        f"(medewerkers: /staff/). Stoppen: Ctrl+C")
    say(telegram_status(settings))
    try:
        Supervisor(specs, procs, env, log_dir).run()  # restarts a stopped child; returns only by GaveUp
    except GaveUp as exc:
        return fail(f"{exc} Werkpunt stopt.", 1)
    except KeyboardInterrupt:
        say("stoppen...")
        return 0
    finally:
        stop(procs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="werkpunt")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="migrate and seed the placement database")
    train = sub.add_parser("train", help="train a Rasa model if the data or config changed")
    train.add_argument("--force", action="store_true")
    sub.add_parser("run", help="start the whole stack")
    sub.add_parser("check", help="the production check: list every problem (exit 1 if there is one)")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        check_settings(settings)
        if args.command == "prepare":
            prepare_database(settings)
        elif args.command == "train":
            ensure_model(settings, force=args.force)
        elif args.command == "run":
            return cmd_run(settings)
        elif args.command == "check":
            return cmd_check(settings)
    except Exception as exc:  # every failure ends in one clear line, not a traceback
        from pydantic import ValidationError

        if isinstance(exc, (RuntimeError, ValidationError)):  # DatabaseConfigError is a RuntimeError too
            return fail(str(exc))
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
