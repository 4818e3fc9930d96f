"""All configuration, read from environment variables (and an optional `.env` file).

Every variable has a default that runs on one laptop without services; the README's
configuration table lists them. This module is the only place that reads the environment, and it
imports nothing of Werkpunt's own: it is the ground every other package stands on. Checks that need
project code (the OFFICE_HOURS syntax, for one) run in the launcher before anything starts.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


class Settings(BaseSettings):
    """Werkpunt configuration; field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{VAR / 'werkpunt.db'}",
        description="Placement database (SQLAlchemy URL).",
    )
    tracker_store_url: str = Field(
        default=f"sqlite:///{VAR / 'tracker.db'}",
        description="Rasa's SQL tracker store (conversations).",
    )
    demo_size: str = Field(default="small", description="Demo data size: small, medium or large.")
    seed: int = Field(default=20261127, description="Random seed for the demo data.")

    host: str = Field(default="127.0.0.1", description="Address the gateway listens on.")
    port: int = Field(default=8000, description="Gateway (web chat) port.")
    rasa_port: int = Field(default=5005, description="Rasa server port (interface: RASA_HOST).")
    action_port: int = Field(default=5055, description="Action server port (interface: ACTION_HOST).")
    rasa_url: str = Field(default="", description="Rasa server base URL; default http://127.0.0.1:RASA_PORT.")
    rasa_timeout: float = Field(default=8.0, description="Seconds the gateway waits for Rasa.")

    log_level: str = Field(default="INFO", description="Log level for our own processes.")

    # --- staff workspace (staff/) -------------------------------------------------------------
    staff_session_idle_minutes: int = Field(
        default=30, ge=1, description="Staff sessions end after this many minutes without activity.")
    staff_session_max_hours: int = Field(
        default=12, ge=1, description="Staff sessions end this many hours after sign-in, active or not.")
    staff_cookie_secure: bool | None = Field(
        default=None, description="Secure flag on the staff cookie; empty = only when served over https.")
    staff_login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per e-mail address in 15 minutes before sign-in slows down "
        "(a back-off, never a lockout of the account).")
    staff_login_max_failures_per_ip: int = Field(
        default=20, ge=1, description="Failed sign-ins per IP address (any e-mail address) in 15 minutes before "
        "sign-in from that address slows down.")
    staff_login_backoff_seconds: int = Field(
        default=30, ge=1, le=900, description="First wait after too many failed sign-ins; it doubles with each "
        "further failure, up to 15 minutes. Refused attempts during the wait do not count.")
    staff_low_confidence: float = Field(
        default=0.6, ge=0, le=1, description="NLU confidence below which the inbox flags a user message.")
    staff_page_size: int = Field(default=50, ge=5, le=500, description="Conversations per inbox page.")
    retention_days: int = Field(
        default=90, ge=1, description="Conversations without activity for this many days are deleted (gateway "
        "messages, Rasa tracker events, review rows and corrections); older messages of active chats too.")
    office_hours: str = Field(
        default="ma-vr 08:30-17:00",
        description="Office hours for live handoff (Europe/Amsterdam), e.g. 'ma-vr 08:30-17:00; za 10:00-12:00'.")
    # --- end staff workspace ------------------------------------------------------------------

    # --- Channel gateway (bot/): Telegram and web chat ---------------------------------------
    gateway_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key that signs web chat session cookies and pseudonymises Telegram chat ids "
        "(tg- + HMAC). Empty: generated once and kept in var/gateway_secret. Set it in production; "
        "changing it starts new conversations for everyone.",
    )
    telegram_token: SecretStr = Field(
        default=SecretStr(""),
        description="Telegram bot token from @BotFather. Empty: Telegram is off, everything else runs.",
    )
    telegram_webhook_url: str = Field(
        default="",
        description="Public HTTPS URL of the gateway's /telegram/webhook. Empty: long polling (local use).",
    )
    telegram_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token in webhook mode "
        "(1-256 characters A-Z a-z 0-9 _ -). Empty: derived from GATEWAY_SECRET.",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL; the token is appended. Tests point it at a local fake server.",
    )
    telegram_retry_seconds: int = Field(
        default=30, ge=1, le=3600, description="First wait before a message Telegram did not accept is sent "
        "again; it doubles with each attempt, up to an hour.")
    telegram_retry_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts per Telegram message before it stays 'failed' (staff see it "
        "on the Bezorging page).")
    erasure_retry_seconds: int = Field(
        default=60, ge=1, le=3600, description="First wait before a failed erasure of Rasa's tracker events is "
        "tried again; it doubles, up to an hour, and never stops until the events are gone.")
    rasa_connect_timeout: float = Field(
        default=2.0, description="Seconds the gateway waits to connect to Rasa before it answers with the fallback."
    )
    max_message_chars: int = Field(
        default=2000, description="Longest user message (characters) the gateway passes on to Rasa."
    )
    support_phone: str = Field(
        default="",
        description="Phone number named in the 'Er gaat even iets mis' message; "
        "empty: 'bel het werkgeversservicepunt in uw regio'.",
    )
    # --- end channel gateway -----------------------------------------------------------------

    # --- issue 13: times the assistant promises (actions/promises.py) ---------------------------
    callback_working_days: int = Field(
        default=2, ge=1, le=30,
        description="Working days within which a routed staff member calls back; said only when a person "
        "is routed and OFFICE_HOURS has days.")
    application_reply_working_days: int = Field(
        default=5, ge=1, le=30,
        description="Working days within which a routed consulent usually reacts to an application (same condition).")
    # --- end issue 13 ------------------------------------------------------------------------

    # --- issue 10: locked doors, demo data and the production check (werkpunt/, actions/server.py) ---
    werkpunt_env: str = Field(
        default="development",
        description="development or production. production: the stack refuses to start while the production "
        "check (python -m werkpunt.cli check) finds a problem.",
    )
    demo_data: bool | None = Field(
        default=None,
        description="Load demo people (employers, vacancies, candidates, staff, conversations). Empty: only into "
        "the embedded default database (sqlite:///var/werkpunt.db); reference data is always loaded.",
    )
    rasa_host: str = Field(
        default="127.0.0.1",
        description="Interface Rasa listens on. Beyond 127.0.0.1 set RASA_TOKEN explicitly (production check).",
    )
    rasa_token: SecretStr = Field(
        default=SecretStr(""),
        description="Token for Rasa's HTTP API (--auth-token) and for the gateway's Rasa channel "
        "(X-Werkpunt-Token header). Empty: generated once and kept in var/rasa_token.",
    )
    action_host: str = Field(
        default="127.0.0.1",
        description="Interface the action server listens on. Beyond 127.0.0.1 set ACTION_SECRET explicitly.",
    )
    action_url: str = Field(
        default="", description="Action server webhook URL Rasa calls; default http://127.0.0.1:ACTION_PORT/webhook.")
    action_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Shared secret Rasa sends to the action server (X-Werkpunt-Action-Secret header); calls without "
        "it get 401. Empty: generated once and kept in var/action_secret.",
    )
    # --- end issue 10 locked doors --------------------------------------------------------------

    # --- issue 10 privacy notice (texts: i10b; fields shared so both branches agree) -----------
    organisation_name: str = Field(
        default="", description="Name of the organisation responsible for the data (the controller, AVG art. 13).")
    privacy_contact: str = Field(
        default="", description="Where users ask about their data: e-mail address or phone of the privacy contact.")
    privacy_url: str = Field(default="", description="Web address of the full privacy statement.")
    # --- end issue 10 privacy notice ------------------------------------------------------------

    # --- issue 14: rate limits (bot/rate_limits.py, actions/leads.py) ---------------------------
    messages_per_minute: int = Field(
        default=20, ge=1, description="Messages one web chat session or one Telegram chat may send per minute.")
    ip_messages_per_minute: int = Field(
        default=120, ge=1, description="Web chat messages per minute from one IP address (all its sessions).")
    leads_per_hour: int = Field(
        default=3, ge=1, description="Callback and handoff requests one conversation may make per hour.")
    log_dir: str = Field(
        default="", description="Directory for the log files of the stack's processes under make run; "
        "empty: var/log.")
    # --- end issue 14 rate limits ---------------------------------------------------------------

    # --- issue 10 retention job (staff/retention.py, werkpunt/retention_job.py) ----------------
    retention_time: str = Field(
        default="03:30", description="Time of day (HH:MM, Europe/Amsterdam) the retention job runs in the running "
        "stack; at start it also runs when the last run is more than a day ago.")
    retention_lead_days: int = Field(
        default=180, ge=1, description="Leads (callback, vacancy, handoff and application requests with name, "
        "phone, e-mail) are deleted this many days after they were made.")
    retention_unregistered_days: int = Field(
        default=30, ge=1, description="Candidates without a completed registration (no consent) are deleted "
        "this many days after they were created.")
    retention_concept_contact_days: int = Field(
        default=60, ge=1, description="An employer's contact person (name, phone, e-mail) is erased when all its "
        "vacancies stayed concept (never published) and the newest is this many days old.")
    retention_audit_ip_days: int = Field(
        default=90, ge=1, description="IP addresses in the staff audit log are erased after this many days "
        "(the rest of the audit row stays).")
    # --- end issue 10 retention job ------------------------------------------------------------

    # --- issue 15: scaled topology, bounded turns, fast start (werkpunt/replicas.py, rasa_addons/) ---
    lock_store_url: str = Field(
        default="",
        description="Rasa's lock store, e.g. redis://127.0.0.1:6379/0 (required for RASA_REPLICAS > 1). "
        "Empty: in-memory locks (one Rasa process).",
    )
    rasa_replicas: int = Field(
        default=1, ge=1, le=16,
        description="Rasa servers to start, on RASA_PORT, RASA_PORT+1, ...; the gateway spreads conversations "
        "over them and fails over to another when one is down.",
    )
    tracker_window_events: int = Field(
        default=60, ge=10,
        description="Events of a long session Rasa loads per turn (plus the state before them); "
        "see rasa_addons/tracker_store.py.",
    )
    action_threads: int = Field(
        default=12, ge=1, le=64,
        description="Threads of the action server for database work, so queries do not queue behind each other.",
    )
    # --- end issue 15 -----------------------------------------------------------------------------

    # --- issue 16: match alerts engine (placement/alerts/, bot/alert_job.py) -----------------------
    alert_interval_s: float = Field(
        default=30.0, gt=0, le=3600,
        description="Seconds between rounds of the gateway's alert job (match new events, push due alerts).")
    alert_quiet_hours: str = Field(
        default="21-8", pattern=r"^\s*([01]?\d|2[0-3])\s*-\s*([01]?\d|2[0-3])\s*$",
        description="Hours (Europe/Amsterdam, 'from-to') in which no alert is pushed; they wait until the end. "
        "The daily digest goes out at the end hour.")
    retention_alert_days: int = Field(
        default=90, ge=1, description="Match alerts that are no longer waiting are deleted this many days after "
        "they were made; a stopped alert subscription (and its alerts) this many days after it was stopped.")
    # --- end issue 16 engine ------------------------------------------------------------------------

    @field_validator("database_url", "tracker_store_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(
                f"'{value}' is geen database-URL. Gebruik bijvoorbeeld "
                "sqlite:///var/werkpunt.db of postgresql+psycopg://user@127.0.0.1:5432/test"
            )
        return value

    @field_validator("demo_size")
    @classmethod
    def _known_size(cls, value: str) -> str:
        if value not in ("small", "medium", "large"):
            raise ValueError("DEMO_SIZE moet small, medium of large zijn")
        return value

    @field_validator("staff_cookie_secure", "demo_data", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `STAFF_COOKIE_SECURE=` in .env means "not set" (the README's "(empty)"), not an invalid boolean.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("retention_time")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        hours, _, minutes = value.strip().partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2
                and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"RETENTION_TIME '{value}' is geen tijd. Gebruik uu:mm, bijvoorbeeld 03:30")
        return f"{int(hours):02d}:{minutes}"

    @field_validator("werkpunt_env")
    @classmethod
    def _known_env(cls, value: str) -> str:
        if value not in ("development", "production"):
            raise ValueError("WERKPUNT_ENV moet development of production zijn")
        return value

    @property
    def log_path(self) -> Path:
        """Where `make run` writes the children's log files (LOG_DIR, default var/log)."""
        return Path(self.log_dir) if self.log_dir else VAR / "log"

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_base_urls[0]

    @property
    def rasa_base_urls(self) -> list[str]:
        """Every Rasa replica: RASA_URL (comma-separated for several), else RASA_REPLICAS consecutive ports."""
        if self.rasa_url:
            return [u.strip() for u in self.rasa_url.split(",") if u.strip()]
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_replicas)]

    @property
    def action_webhook_url(self) -> str:
        return self.action_url or f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def production(self) -> bool:
        return self.werkpunt_env == "production"

    def secret(self, name: str) -> str:
        """The value of a secret setting (gateway_secret, rasa_token, action_secret): as configured, or
        generated once and kept in var/<name> (mode 0600), so every process on this host agrees."""
        configured = getattr(self, name).get_secret_value()
        return configured or stored_secret(VAR / name)


def stored_secret(path: Path) -> str:
    """A random secret kept in `path` (mode 0600); made on first use, atomically, by whichever process is first."""
    try:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(temporary, path)  # fails if another process was first: then its secret counts
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text(encoding="ascii").strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
