"""The complete metadata that the migrations own, and the filter autogenerate uses.

Each package keeps its tables next to its code, all on `placement.models.Base`: the placement data
(`placement/models.py`), the gateway's (`bot/models.py`) and the staff workspace's (`staff/models.py`).
Importing them here, at the top, makes one metadata for Alembic and for the drift test.
"""

from __future__ import annotations

from sqlalchemy import MetaData

import bot.models  # noqa: F401  (registers the gateway tables)
import placement.alerts.models  # noqa: F401  (registers the match-alert tables)
import staff.models  # noqa: F401  (registers the staff tables and their conversation indexes)
from placement.models import Base


def full_metadata() -> MetaData:
    return Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Ignore tables that are not ours (Rasa's `events` when the tracker shares the database)."""
    if type_ == "table":
        return name in Base.metadata.tables or name == "alembic_version"
    return True
