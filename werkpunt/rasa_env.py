"""Everything the app side needs to drive the Rasa environment: env vars, model fingerprint, commands."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from placement.db import protect_sqlite_file
from settings import ROOT, Settings

RASA_BIN = ROOT / ".venv" / "rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
# Secrets every process of the stack must agree on; empty ones are generated once in var/ (Settings.secret).
SHARED_SECRETS = ("gateway_secret", "rasa_token", "action_secret")
MODELS = ROOT / "models"
# Files whose content decides the trained model. Anything else changing does not need a retrain.
# The NLU component code is a training input too: a change to it must retrain the model.
TRAINING_INPUTS = ("config.yml", "rasa_addons/intent_classifier.py", "rasa_addons/intent_model.py")
TRAINING_DIRS = ("domain", "nlu")


def tracker_env(url: str) -> dict[str, str]:
    """Translate TRACKER_STORE_URL into the variables endpoints.yml reads."""
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect == "sqlite":
        db = parsed.database or str(ROOT / "var" / "tracker.db")
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        protect_sqlite_file(db)  # Rasa creates it otherwise, world-readable
        return {"TRACKER_DIALECT": "sqlite", "TRACKER_HOST": "", "TRACKER_PORT": "0", "TRACKER_DB": db,
                "TRACKER_USER": "", "TRACKER_PASSWORD": ""}
    return {"TRACKER_DIALECT": dialect, "TRACKER_HOST": parsed.host or "127.0.0.1",
            "TRACKER_PORT": str(parsed.port or 5432), "TRACKER_DB": parsed.database or "",
            "TRACKER_USER": parsed.username or "", "TRACKER_PASSWORD": parsed.password or ""}


def lock_store_env(url: str) -> dict[str, str]:
    """Translate LOCK_STORE_URL into the variables endpoints.yml reads (empty: in-memory locks)."""
    if not url:
        return {"LOCK_STORE_TYPE": "in_memory", "LOCK_STORE_HOST": "", "LOCK_STORE_PORT": "6379",
                "LOCK_STORE_DB": "0", "LOCK_STORE_PASSWORD": ""}
    parsed = urlsplit(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise RuntimeError(f"LOCK_STORE_URL '{url}' wordt niet ondersteund: gebruik redis://host:6379/0 of laat "
                           "het leeg (één Rasa-proces).")
    return {"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": parsed.hostname or "127.0.0.1",
            "LOCK_STORE_PORT": str(parsed.port or 6379), "LOCK_STORE_DB": parsed.path.strip("/") or "0",
            "LOCK_STORE_PASSWORD": parsed.password or ""}


def env_value(value: object) -> str:
    """A setting as an environment variable: the secret itself, never pydantic's '**********'."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def settings_environ(settings: Settings) -> dict[str, str]:
    """Every setting as the environment variable a child process reads, with the shared secrets resolved."""
    env = {name.upper(): env_value(getattr(settings, name)) for name in type(settings).model_fields
           if getattr(settings, name) is not None}
    for name in SHARED_SECRETS:
        env[name.upper()] = settings.secret(name)
    return env


def rasa_environ(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    # Child processes (action server, gateway) get exactly the settings of the parent.
    env.update(settings_environ(settings))
    env.update(tracker_env(settings.tracker_store_url))
    env.update(lock_store_env(settings.lock_store_url))
    env["ACTION_PORT"] = str(settings.action_port)
    env["ACTION_WEBHOOK_URL"] = settings.action_webhook_url  # endpoints.yml
    # Rasa's telemetry would try the network at every start; the machine has none to offer.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    files = [ROOT / name for name in TRAINING_INPUTS]
    for folder in TRAINING_DIRS:
        files += sorted(p for p in (ROOT / folder).rglob("*.yml"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path() -> Path:
    """The model that matches the current training data and config (may not exist yet)."""
    return MODELS / f"werkpunt-{training_fingerprint()}.tar.gz"


def train_command(out: Path) -> list[str]:
    return [str(RASA_BIN), "train", "--config", "config.yml", "--domain", "domain", "--data", "nlu",
            "--out", str(out.parent), "--fixed-model-name", out.name.removesuffix(".tar.gz")]


def run_command(settings: Settings, model: Path, port: int | None = None) -> list[str]:
    """`rasa run` on RASA_HOST with the HTTP API behind RASA_TOKEN (added by rasa_addons.run from the
    environment, so the token never shows in the process list) and only Werkpunt's token-checking channel.
    `port`: a replica's own port (default RASA_PORT)."""
    return [str(RASA_PYTHON), "-m", "rasa_addons.run", "run", "--model", str(model), "--interface", settings.rasa_host,
            "--port", str(port or settings.rasa_port), "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--response-timeout", "20", "--enable-api"]


def action_command(settings: Settings, python: str) -> list[str]:
    """The action server (actions/server.py): ACTION_HOST, ACTION_PORT and ACTION_SECRET come from the environment."""
    return [python, "-m", "actions.server"]
