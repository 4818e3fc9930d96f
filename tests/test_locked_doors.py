"""Settings reach every process intact, the doors between the processes have locks, and the production
check names every problem. (The same through the real launcher stack: tests/test_deployment_stack.py.)"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys

import httpx
import pytest

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from placement.db import make_engine, session_scope
from placement.models import StaffMember
from settings import ROOT, Settings, stored_secret
from staff.handoff import rasa_event
from tests.conftest import new_database_url
from tests.fake_rasa import RASA_TOKEN, FakeRasa, gateway_settings, running_gateway, serve, tracker_engine
from werkpunt.net import free_port
from werkpunt.production import demo_rows, is_loopback, problems
from werkpunt.rasa_env import rasa_environ, run_command, settings_environ

GOOD = dict(gateway_secret="g" * 40, staff_cookie_secure=True, organisation_name="Werkbedrijf Test",
            privacy_contact="privacy@werkbedrijf.nl", privacy_url="https://werkbedrijf.nl/privacy",
            werkpunt_env="production")


# --- settings into child processes ------------------------------------------------------------------
def test_children_get_secret_values_never_the_masked_form():
    settings = Settings(gateway_secret="the-gateway-secret-" + "x" * 20, telegram_token="123:abc",
                        telegram_secret="tg-secret", rasa_token="the-rasa-token", action_secret="the-action-secret",
                        staff_cookie_secure=True)
    env = rasa_environ(settings)
    assert env["GATEWAY_SECRET"] == "the-gateway-secret-" + "x" * 20
    assert env["TELEGRAM_TOKEN"] == "123:abc" and env["TELEGRAM_SECRET"] == "tg-secret"
    assert env["RASA_TOKEN"] == "the-rasa-token" and env["ACTION_SECRET"] == "the-action-secret"
    assert "**********" not in env.values()
    assert env["STAFF_COOKIE_SECURE"] == "true"
    # What a child reads back is what the parent had.
    child = Settings(**{k.lower(): v for k, v in settings_environ(settings).items()})
    assert child.telegram_token.get_secret_value() == "123:abc" and child.staff_cookie_secure is True


def test_a_child_process_reads_the_same_secrets():
    settings = Settings(gateway_secret="child-secret-" + "y" * 30, telegram_token="42:xyz")
    code = ("from settings import Settings; s = Settings(); "
            "print(s.gateway_secret.get_secret_value(), s.telegram_token.get_secret_value())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=rasa_environ(settings), capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == ["child-secret-" + "y" * 30, "42:xyz"]


def test_empty_secrets_are_generated_once_and_kept_owner_only(tmp_path):
    path = tmp_path / "var" / "some_secret"
    first = stored_secret(path)
    assert len(first) == 64 and stored_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["some_secret"]  # no temporary file left behind


def test_rasa_runs_on_the_configured_interface_and_the_token_is_not_on_its_command_line():
    settings = Settings(rasa_host="10.1.2.3", rasa_token="never-in-argv-" + "z" * 30)
    command = run_command(settings, ROOT / "models" / "x.tar.gz")
    assert command[command.index("--interface") + 1] == "10.1.2.3" and "--enable-api" in command
    assert not any("never-in-argv" in part for part in command)
    assert command[1:3] == ["-m", "rasa_addons.run"]  # adds --auth-token from RASA_TOKEN inside the process


# --- the Rasa side: one channel, with the gateway's token --------------------------------------------
def test_the_rasa_channel_and_the_gateway_agree_and_the_channel_imports_only_rasa_sanic_and_stdlib():
    source = (ROOT / "rasa_addons" / "channel.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
    assert constants["TOKEN_HEADER"] == TOKEN_HEADER
    assert CHANNEL_PATH == f"/webhooks/{constants['CHANNEL_NAME']}/webhook"
    for path in (ROOT / "rasa_addons").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                top = name.split(".")[0]
                # rasa_addons runs in the Rasa environment: Rasa, Sanic, the stdlib and itself, never our app packages
                # (jsonschema: Rasa's own response check, rasa_addons/action_calls.py; pinned in rasa.lock)
                assert top in ("rasa", "sanic", "jsonschema", "__future__", "rasa_addons") \
                    or top in sys.stdlib_module_names, (path, name)
    credentials = (ROOT / "credentials.yml").read_text(encoding="utf-8")
    assert "rasa_addons.channel.WerkpuntInput:" in credentials and "${RASA_TOKEN}" in credentials
    assert "\nrest:" not in "\n" + credentials  # Rasa's open REST channel stays off
    endpoints = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    assert "X-Werkpunt-Action-Secret: ${ACTION_SECRET}" in endpoints


async def test_the_gateway_sends_its_token_to_rasa(engine, tmp_path):
    rasa = FakeRasa(token=RASA_TOKEN)  # refuses what real Rasa refuses
    async with serve(rasa.app) as url:
        for token, failed in ((RASA_TOKEN, False), ("wrong-token-" + "w" * 20, True)):
            settings = gateway_settings(url, rasa_token=token)
            async with running_gateway(settings, engine, tracker_engine(tmp_path / f"t{failed}.db")) as gw:
                async with httpx.AsyncClient(base_url=gw.url, timeout=15) as client:
                    await client.get("/")
                    reply = (await client.post("/api/message", json={"text": "hallo"})).json()
            assert reply["failed"] is failed
    assert len(rasa.requests) == 1  # the wrong token never got through


async def test_staff_pause_and_resume_use_rasas_api_token():
    rasa = FakeRasa(token=RASA_TOKEN)
    async with serve(rasa.app) as url:
        assert await rasa_event(url, "conversation-1", "pause", RASA_TOKEN)
        assert not await rasa_event(url, "conversation-1", "resume", "guess")
        assert not await rasa_event(url, "conversation-1", "resume")
    assert rasa.tracker_events == [("conversation-1", "pause")]


# --- the production check ------------------------------------------------------------------------------
def test_a_complete_production_configuration_has_no_problems(engine):
    assert problems(Settings(**GOOD), engine) == []


@pytest.mark.parametrize("change, expected", [
    ({"gateway_secret": ""}, "GATEWAY_SECRET is leeg"),
    ({"gateway_secret": "kort"}, "GATEWAY_SECRET is te kort (4 tekens)"),
    ({"staff_cookie_secure": None}, "STAFF_COOKIE_SECURE staat niet op true"),
    ({"staff_cookie_secure": False}, "STAFF_COOKIE_SECURE staat niet op true"),
    ({"rasa_host": "0.0.0.0"}, "RASA_TOKEN is niet ingesteld"),
    ({"rasa_url": "http://rasa.intern:5005"}, "RASA_TOKEN is niet ingesteld"),
    ({"action_host": "0.0.0.0"}, "ACTION_SECRET is niet ingesteld"),
    ({"action_url": "http://acties.intern:5055/webhook"}, "ACTION_SECRET is niet ingesteld"),
    ({"rasa_token": "short"}, "RASA_TOKEN is te kort"),
    ({"demo_data": True}, "DEMO_DATA=true"),
    ({"organisation_name": ""}, "ORGANISATION_NAME is leeg"),
    ({"privacy_contact": " "}, "PRIVACY_CONTACT is leeg"),
    ({"privacy_url": ""}, "PRIVACY_URL is leeg"),
])
def test_each_problem_gets_its_own_dutch_line(change, expected):
    found = problems(Settings(**{**GOOD, **change}))
    assert len(found) == 1 and expected in found[0], found


def test_a_listener_beyond_loopback_is_fine_with_its_token():
    assert problems(Settings(**GOOD, rasa_host="0.0.0.0", rasa_token="t" * 40, action_host="10.0.0.2",
                             action_secret="s" * 40)) == []
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("rasa.intern")


def test_demo_rows_are_a_production_problem(engine):
    assert demo_rows(engine) == {}
    with session_scope(engine) as session:
        session.add(StaffMember(name="Mara Demo", email="mara.am20.accountmanager@werkpunt.example",
                                role="accountmanager"))
    try:
        found = problems(Settings(**GOOD), engine)
        assert len(found) == 1 and "demodata (1 medewerkers)" in found[0]
    finally:
        with session_scope(engine) as session:
            session.query(StaffMember).filter(StaffMember.email.like("%.example")).delete()


def test_the_launcher_refuses_to_start_in_production_and_names_every_problem(tmp_path, pg_ok):
    url, drop = new_database_url("postgresql" if pg_ok else "sqlite", tmp_path)
    try:
        env = {**os.environ, "WERKPUNT_ENV": "production", "DATABASE_URL": url, "GATEWAY_SECRET": "kort",
               "STAFF_COOKIE_SECURE": "", "ORGANISATION_NAME": "", "PRIVACY_CONTACT": "", "PRIVACY_URL": "",
               "DEMO_DATA": "", "PORT": str(free_port()), "RASA_PORT": str(free_port()),
               "ACTION_PORT": str(free_port()), "RASA_HOST": "0.0.0.0", "RASA_TOKEN": ""}
        result = subprocess.run([sys.executable, "-m", "werkpunt.cli", "run"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stdout + result.stderr
        lines = [line for line in result.stderr.splitlines() if line.startswith("[werkpunt] FOUT:")]
        for expected in ("GATEWAY_SECRET is te kort", "STAFF_COOKIE_SECURE", "RASA_TOKEN is niet ingesteld",
                         "ORGANISATION_NAME", "PRIVACY_CONTACT", "PRIVACY_URL", "deze 6 problemen"):
            assert sum(expected in line for line in lines) == 1, (expected, lines)
        # Nothing was started or written: the database is still empty.
        engine = make_engine(url)
        from sqlalchemy import inspect

        assert inspect(engine).get_table_names() == []
        engine.dispose()
        # The same list without starting anything: `check` (exit code 1).
        check = subprocess.run([sys.executable, "-m", "werkpunt.cli", "check"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert check.returncode == 1 and check.stdout.count("probleem:") == 6, check.stdout + check.stderr
    finally:
        drop()

