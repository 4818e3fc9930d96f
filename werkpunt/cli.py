"""`python -m werkpunt.cli {prepare,train,run}`: the steps behind `make run` and `make test`."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from werkpunt.rasa_env import MODELS, model_path, rasa_environ, run_command, train_command
from werkpunt.settings import ROOT, Settings, get_settings


def say(message: str) -> None:
    print(f"[werkpunt] {message}", flush=True)


def fail(message: str, code: int = 2) -> int:
    print(f"[werkpunt] FOUT: {message}", file=sys.stderr, flush=True)
    return code


def prepare_database(settings: Settings):
    from placement.admin import prepare

    return prepare(settings.database_url, settings.demo_size, settings.seed, report=say)


DEMO_ADMIN = "admin@werkpunt.example"


def prepare_demo_staff(settings: Settings, engine) -> None:
    """First start only: a password for the demo admin (kept in var/, mode 0600) and demo conversations."""
    import secrets

    from sqlalchemy import select

    from placement.db import make_engine, session_scope
    from placement.models import StaffMember
    from staff.security import hash_password

    password_file = ROOT / "var" / "demo-admin-password.txt"
    with session_scope(engine) as session:
        admin = session.scalar(select(StaffMember).where(StaffMember.email == DEMO_ADMIN))
        if admin is None or admin.password_hash:
            return
        password = secrets.token_urlsafe(12)
        admin.password_hash = hash_password(password)
    password_file.parent.mkdir(exist_ok=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    from staff import demo

    tracker_engine = make_engine(settings.tracker_store_url)
    demo.generate(engine, tracker_engine, 200, seed=settings.seed)
    tracker_engine.dispose()
    say(f"medewerkersomgeving: log in als {DEMO_ADMIN} met het wachtwoord in {password_file} "
        "(andere demomedewerkers: python -m staff.cli set-password <e-mail>); 200 demogesprekken toegevoegd")


def ensure_model(settings: Settings, force: bool = False) -> Path:
    """Train a model unless one for the current data and config exists. Never leaves a half model."""
    target = model_path()
    if target.exists() and not force:
        say(f"model {target.name} is actueel, niet opnieuw getraind")
        return target
    MODELS.mkdir(exist_ok=True)
    say(f"model trainen ({target.name}); dit duurt een paar minuten...")
    started = time.monotonic()
    log_path = ROOT / "var" / "log" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MODELS, prefix=".train-") as tmp, open(log_path, "wb") as log:
        partial = Path(tmp) / target.name
        # Rasa's progress bars would flood the terminal: they go to the log, a heartbeat goes here.
        proc = subprocess.Popen(train_command(partial), cwd=ROOT, env=rasa_environ(settings),
                                stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say(f"  nog bezig met trainen ({time.monotonic() - started:.0f}s, log: {log_path})")
        if proc.returncode != 0 or not partial.exists():
            tail = log_path.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError("rasa train is mislukt:\n" + "\n".join(tail) + f"\nVolledige log: {log_path}")
        os.replace(partial, target)  # atomic: a model file is complete or absent
    for old in MODELS.glob("werkpunt-*.tar.gz"):
        if old != target:
            old.unlink()
    say(f"model getraind in {time.monotonic() - started:.0f}s")
    return target


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_http(url: str, timeout: float, proc: subprocess.Popen) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def start_stack(settings: Settings, model: Path, log_dir: Path) -> list[subprocess.Popen]:
    """Start action server, Rasa and the gateway; returns the processes once all answer."""
    python = sys.executable
    env = rasa_environ(settings)
    log_dir.mkdir(parents=True, exist_ok=True)
    specs = [
        ("actieserver", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
         f"http://127.0.0.1:{settings.action_port}/health", 60),
        ("rasa", run_command(settings, model), f"{settings.rasa_base_url}/status", 240),
        ("gateway", [python, "-m", "uvicorn", "bot.server:app", "--host", settings.host, "--port", str(settings.port),
                     "--log-level", "warning", "--timeout-graceful-shutdown", "5"],
         f"http://127.0.0.1:{settings.port}/health", 60),
    ]
    procs: list[subprocess.Popen] = []
    for name, cmd, health, timeout in specs:
        log = open(log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        say(f"{name} starten (log: {log_dir / (name + '.log')})")
        if not wait_http(health, timeout, proc):
            stop(procs)
            raise RuntimeError(f"{name} kwam niet op; kijk in {log_dir / (name + '.log')}")
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


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
    busy = [p for p in (settings.port, settings.rasa_port, settings.action_port) if not port_free(p)]
    if busy:
        return fail(f"poort {', '.join(map(str, busy))} is al in gebruik. Stop het andere programma of kies "
                    "een andere poort met PORT, RASA_PORT of ACTION_PORT.")
    prepare_demo_staff(settings, prepare_database(settings))
    model = ensure_model(settings)
    # `kill` (SIGTERM) stops the stack as cleanly as Ctrl+C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    procs = start_stack(settings, model, ROOT / "var" / "log")
    say(f"Werkpunt draait. Open http://{settings.host}:{settings.port}/ in uw browser "
        f"(medewerkers: /staff/). Stoppen: Ctrl+C")
    say(telegram_status(settings))
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        return fail("een van de processen is gestopt; zie var/log/", 1)
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
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        if args.command == "prepare":
            prepare_database(settings)
        elif args.command == "train":
            ensure_model(settings, force=args.force)
        elif args.command == "run":
            return cmd_run(settings)
    except Exception as exc:  # every failure ends in one clear line, not a traceback
        from pydantic import ValidationError

        if isinstance(exc, (RuntimeError, ValidationError)) or type(exc).__name__ == "DatabaseConfigError":
            return fail(str(exc))
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
