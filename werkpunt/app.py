"""The composition root: the one web application that `make run` serves.

    python -m uvicorn werkpunt.app:app --host 127.0.0.1 --port 8000

The gateway (`bot/`: web chat, Telegram, health) is the application; the staff workspace (`staff/`) is
mounted at /staff. Only this module knows both: the gateway never imports the staff workspace, and the
staff workspace reaches users through the gateway's outbox. Tests build their own instance with
`create_app(settings, engine=..., tracker_engine=...)`.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from bot.server import create_app as create_gateway
from settings import Settings, get_settings
from staff.app import create_app as create_staff
from staff.config import StaffConfig


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               tracker_engine: Engine | None = None, **staff_overrides) -> FastAPI:
    """Gateway plus staff workspace; `staff_overrides` go to StaffConfig (rasa_url, deliver, ...)."""
    settings = settings or get_settings()
    staff = create_staff(StaffConfig.from_settings(settings, engine=engine, tracker_engine=tracker_engine,
                                                   **staff_overrides))
    return create_gateway(settings, engine=engine, tracker_engine=tracker_engine, mounts={"/staff": staff})


app = create_app()
