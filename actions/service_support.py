"""Shared plumbing for the service actions: database work off the event loop, outages, slots, texts."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from placement.db import DatabaseConfigError, engine_for, session_scope
from placement.services.employer import clean_text
from settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_DOWN_READ = "Door een storing kan ik dit nu niet opzoeken. Probeer het over een paar minuten opnieuw."
DB_DOWN_WRITE = ("Door een storing kan ik dit nu niet opslaan. Er is nog niets verwerkt. "
                 "Probeer het over een paar minuten opnieuw.")

STATUS_TEXT = {
    "ingediend": "uw reactie is ontvangen. Er is nog niet naar gekeken.",
    "in_behandeling": "een consulent bekijkt uw reactie.",
    "uitgenodigd": "u bent uitgenodigd voor een gesprek. De consulent spreekt met u af wanneer.",
    "afgewezen": "het is helaas niet gelukt bij deze vacature.",
    "aangenomen": "u bent aangenomen. Gefeliciteerd!",
    "ingetrokken": "u heeft uw reactie ingetrokken.",
}
CONTRACT_TEXT = {
    "vast": "vast contract", "tijdelijk": "tijdelijk contract", "detachering": "detachering",
    "beschut_werk": "beschut werk (alleen met een indicatie)", "proefplaatsing": "proefplaatsing",
    "leerwerk": "leerwerkplek",
}
ROLE_TEXT = {"accountmanager": "accountmanager", "consulent": "consulent", "jobcoach": "jobcoach"}
DELETE_HINT = "U kunt uw gegevens altijd laten wissen: typ 'verwijder mijn gegevens'."


async def with_db(dispatcher: CollectingDispatcher, work: Callable[[Session], T], *, writes: bool) -> T | None:
    """Run `work(session)` as one unit of work in a worker thread.

    When the database cannot be reached the user hears so politely and None is returned: the action
    still ends normally, so the conversation goes on.
    """

    def unit() -> T:
        with session_scope(engine_for(get_settings().database_url)) as session:
            return work(session)

    try:
        return await asyncio.to_thread(unit)
    except (OperationalError, InterfaceError, DatabaseConfigError) as exc:
        log.warning("database unavailable in action: %s", str(exc).splitlines()[0])
    except SQLAlchemyError as exc:  # a bug or a constraint; its text holds the SQL parameters (user text)
        log.error("database error in action: %s", type(exc).__name__,
                  exc_info=exc if log.isEnabledFor(logging.DEBUG) else None)
    dispatcher.utter_message(text=DB_DOWN_WRITE if writes else DB_DOWN_READ)
    return None


def slot(tracker: Tracker, name: str, limit: int = 200) -> str | None:
    """A slot as clean text (None when empty)."""
    value = tracker.get_slot(name)
    if value is None or isinstance(value, (list, dict)):
        return None
    return clean_text(value, limit) or None


def channel_of(tracker: Tracker) -> str | None:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    channel = metadata.get("channel") or tracker.get_latest_input_channel()
    return clean_text(channel, 20) or None


def who(staff_name: str | None, role: str, region_name: str | None) -> str:
    """"Anna de Vries (accountmanager)" when routing picked a real staff member of this database, or
    "een medewerker van het werkgeversservicepunt in regio Midden-Holland": never an invented person,
    and no role that nobody in the region may have (a production database starts without staff)."""
    if staff_name:
        return f"{staff_name} ({ROLE_TEXT.get(role, role)})"
    where = f" in {region(region_name)}" if region_name else ""
    return f"een medewerker van het werkgeversservicepunt{where}"


def region(name: str) -> str:
    """"regio Friesland", but "Regio Zwolle" (a region whose name already says so)."""
    return name if name.lower().startswith("regio ") else f"regio {name}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def unknown_place(place: str, suggestions: list[str] | tuple[str, ...]) -> str:
    hint = f" Bedoelt u {' of '.join(suggestions)}?" if suggestions else ""
    return f"Ik ken de plaats '{place}' niet.{hint} Typ de naam van de gemeente."


def hours_text(lo: int, hi: int) -> str:
    return f"{lo} uur" if lo == hi else f"{lo}-{hi} uur"


def bounded_int(value: object, low: int, high: int) -> int:
    """A slot value as an int in [low, high]; anything else (None, "abc", inf, NaN, 1e308) gives `low`.

    Slots can hold what an entity or an old turn put there; an action must never crash on it."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return low
    return int(number) if math.isfinite(number) and low <= number <= high else low
