"""All configuration, read from environment variables (and an optional `.env` file).

Every variable has a default that runs on one laptop without services; the README's
configuration table lists them. This module is the only place that reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
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
    rasa_port: int = Field(default=5005, description="Rasa server port (always bound to 127.0.0.1).")
    action_port: int = Field(default=5055, description="Action server port (127.0.0.1).")
    rasa_url: str = Field(default="", description="Rasa server base URL; default http://127.0.0.1:RASA_PORT.")
    rasa_timeout: float = Field(default=8.0, description="Seconds the gateway waits for Rasa.")

    log_level: str = Field(default="INFO", description="Log level for our own processes.")

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

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
