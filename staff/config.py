"""What a running staff app needs, resolved once from the settings (or passed in by tests).

Staff replies reach users through the gateway's outbox (`bot.outbox.deliver`): the staff workspace
builds on the gateway, never the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.outbox import deliver as gateway_deliver
from placement.db import engine_for
from settings import get_settings
from staff.security import Policy

# deliver(conversation_id, text, staff_id): store a staff message and push it to the user's channel.
Deliver = Callable[[str, str, int], Awaitable[Any]]


@dataclass
class StaffConfig:
    engine: Engine
    tracker_engine: Engine | None
    deliver: Deliver
    rasa_url: str
    policy: Policy
    cookie_secure: bool | None
    low_confidence: float
    page_size: int
    office_hours: str
    retention_days: int
    refresh_summaries: bool = True
    rasa_token: str = ""  # Rasa's --auth-token for the pause/resume events (RASA_TOKEN)

    @classmethod
    def from_settings(cls, settings=None, **overrides) -> StaffConfig:
        s = settings or get_settings()
        values: dict[str, Any] = dict(
            engine=overrides.pop("engine", None) or engine_for(s.database_url),
            tracker_engine=overrides.pop("tracker_engine", None) or engine_for(s.tracker_store_url),
            deliver=overrides.pop("deliver", None) or gateway_deliver,
            rasa_url=overrides.pop("rasa_url", None) or s.rasa_base_url,
            rasa_token=overrides.pop("rasa_token", None) or s.secret("rasa_token"),
            policy=Policy(idle=dt.timedelta(minutes=s.staff_session_idle_minutes),
                          absolute=dt.timedelta(hours=s.staff_session_max_hours),
                          max_failures=s.staff_login_max_failures,
                          max_failures_per_ip=s.staff_login_max_failures_per_ip,
                          backoff=dt.timedelta(seconds=s.staff_login_backoff_seconds)),
            cookie_secure=s.staff_cookie_secure, low_confidence=s.staff_low_confidence,
            page_size=s.staff_page_size, office_hours=s.office_hours, retention_days=s.retention_days,
        )
        values.update(overrides)
        return cls(**values)
