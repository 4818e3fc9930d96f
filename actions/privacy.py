"""Deleting a user's data on request ("verwijder mijn gegevens"), after the dialogue asked to confirm."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.service_support import with_db
from placement.db import checkpoint, engine_for
from placement.privacy_notice import is_embedded_sqlite
from placement.privacy_notice import notice_values as _values
from placement.services.support import delete_user_data
from settings import VAR, get_settings

DATA_DELETED_EVENT = {"werkpunt_event": "data_deleted"}
# Slots the privacy responses (domain/privacy.yml) name; set at every session start.
NOTICE_SLOTS = ("privacy_organisation", "privacy_contact", "privacy_url", "retention_days", "retention_lead_days",
                "retention_unregistered_days", "retention_contact_days")


def notice_values() -> dict[str, str]:
    """What the privacy notice names, from this process's settings (placement/privacy_notice.py)."""
    settings = get_settings()
    return _values(settings, embedded=is_embedded_sqlite(settings.database_url, VAR / "werkpunt.db"))


class ActionDeleteUserData(Action):
    """Deletes profile, applications and leads of this sender; tells the gateway to wipe the chat."""

    def name(self) -> str:
        return "action_delete_user_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        sender = tracker.sender_id
        deleted = await with_db(dispatcher, lambda s: delete_user_data(s, sender), writes=True)
        if deleted is None:
            # Nothing was deleted, so the gateway must not wipe the transcript either (no event).
            return []
        # The deleted rows must not survive in SQLite's WAL either (secure_delete zeroes the pages).
        await asyncio.to_thread(checkpoint, engine_for(get_settings().database_url))
        parts = []
        if deleted.candidates:
            parts.append("uw inschrijving")
        if deleted.applications:
            parts.append("uw reacties op vacatures")
        if deleted.leads:
            parts.append("uw verzoeken aan onze medewerkers")
        what = (", ".join(parts[:-1]) + " en " + parts[-1]) if len(parts) > 1 else (parts[0] if parts else "")
        first = f"Ik heb {what} verwijderd." if what else "Ik had geen profiel of verzoeken van u opgeslagen."
        dispatcher.utter_message(json_message=DATA_DELETED_EVENT)
        dispatcher.utter_message(text=f"{first} Dit gesprek wordt nu ook gewist. U kunt altijd opnieuw beginnen.")
        return [AllSlotsReset()]
