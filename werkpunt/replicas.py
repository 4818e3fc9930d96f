"""Rasa replicas: RASA_REPLICAS servers on consecutive ports, one shared tracker store and lock store.

This is Rasa's own scale-out topology: every replica loads the same model, reads and writes the same
SQL tracker store (PostgreSQL in production) and takes a per-conversation lock in Redis
(LOCK_STORE_URL) before it handles a turn, so any replica can serve any turn of any conversation. The
gateway (bot/rasa_client.py) sends a conversation to one replica by a hash of its id and fails over to
the next one when that replica is down. One replica (the default) needs neither Redis nor PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from settings import Settings
from werkpunt.rasa_env import run_command


def replica_ports(settings: Settings) -> list[int]:
    return [settings.rasa_port + i for i in range(settings.rasa_replicas)]


def check_replicas(settings: Settings) -> None:
    """Several Rasa processes on one conversation are only safe with a shared lock store."""
    if settings.rasa_replicas > 1 and not settings.lock_store_url:
        raise RuntimeError(f"RASA_REPLICAS={settings.rasa_replicas} vraagt een gedeelde lock store: zet "
                           "LOCK_STORE_URL=redis://127.0.0.1:6379/0 (Redis), of zet RASA_REPLICAS=1.")
    if settings.rasa_replicas > 1 and settings.rasa_url:
        raise RuntimeError("RASA_URL en RASA_REPLICAS > 1 gaan niet samen: de replica's draaien op RASA_PORT, "
                           "RASA_PORT+1, ... Laat RASA_URL leeg.")


def rasa_specs(settings: Settings, model: Path, token: str) -> list[tuple]:
    """One start spec (name, command, health URL, timeout, credentials) per replica, for werkpunt.stack."""
    ports = replica_ports(settings)
    specs = []
    for number, (port, url) in enumerate(zip(ports, settings.rasa_base_urls), start=1):
        name = "rasa" if len(ports) == 1 else f"rasa-{number}"
        # 600 s: loading the model takes 1-5 minutes on a busy 2-core machine, longer with several replicas.
        specs.append((name, run_command(settings, model, port), f"{url}/status", 600, {"params": {"token": token}}))
    return specs
