"""Rasa's SQL tracker store table (`events` at TRACKER_STORE_URL), defined once for all readers.

The definition mirrors `rasa.core.tracker_store.SQLTrackerStore.SQLEvent` (Rasa 3.6), so tests and
the demo generator can create it exactly as Rasa would; Rasa skips a table that already exists.
The gateway deletes a user's events here; the staff workspace reads them.
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Float, Index, Integer, MetaData, String, Table, Text

tracker_metadata = MetaData()
events = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
    Index("ix_events_sender_id", "sender_id"),
)


def create_events_table(engine: Engine) -> None:
    """Create Rasa's `events` table if it is missing (tests, demo data)."""
    tracker_metadata.create_all(engine, checkfirst=True)
