"""What a search asks for beyond the slots: the radius ("binnen 20 km") and the job words of a message
whose job_title entity NLU did not find.

NLU finds the span when it can; the ESCO normaliser (placement.occupation_normaliser) resolves it. A
new word that NLU does not tag as job_title ("poetsvrouw") is still found: the action resolves the
typed message itself, minus the place and the radius.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rasa_sdk import Tracker

from placement.matching.distance import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, MIN_RADIUS_KM
from placement.occupation_normaliser import OccupationMatch

RADIUS = re.compile(r"(?<![\w-])(-?\s?\d{1,6}(?:[.,]\d+)?)\s*(?:km|kilometer)s?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Radius:
    km: float
    note: str | None = None  # a polite Dutch line when the asked radius could not be used
    asked: bool = False  # the user named a distance


def last_typed_text(tracker: Tracker) -> str:
    """The most recent message the user typed (button payloads starting with '/' are skipped)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = (event.get("text") or "").strip()
            if text and not text.startswith("/"):
                return text[:500]
    return ""


def _payload_radius(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "radius_km":
            return str(entity.get("value"))
    return None


def parse_radius(text: str) -> Radius:
    match = RADIUS.search(text or "")
    if match is None:
        return Radius(DEFAULT_RADIUS_KM)
    raw = match.group(1).replace(" ", "")
    value = float(raw.replace(",", "."))
    if value < MIN_RADIUS_KM:
        return Radius(DEFAULT_RADIUS_KM, f"Een afstand van {raw} km kan ik niet gebruiken. Ik zoek daarom binnen "
                                         f"{DEFAULT_RADIUS_KM} km. U kunt kiezen van {MIN_RADIUS_KM} tot "
                                         f"{MAX_RADIUS_KM} km, bijvoorbeeld 'binnen 30 km'.", True)
    if value > MAX_RADIUS_KM:
        return Radius(MAX_RADIUS_KM, f"{raw} km is verder dan ik zoek. Ik zoek binnen {MAX_RADIUS_KM} km, "
                                     "de grootste afstand.", True)
    return Radius(round(value, 1), None, True)


def search_radius(tracker: Tracker) -> Radius:
    """From a button payload (radius_km entity) first, else from the last typed message."""
    payload = _payload_radius(tracker)
    if payload is not None:
        return parse_radius(f"{payload} km")
    return parse_radius(last_typed_text(tracker))


def wanted_instrument(tracker: Tracker) -> str | None:
    """"beschut werk" or "banenafspraak" in the typed search: such vacancies rank first within a tie."""
    text = last_typed_text(tracker).lower()
    if "beschut" in text:
        return "beschut_werk"
    if "banenafspraak" in text or "doelgroepregister" in text:
        return "banenafspraak"
    return None


def job_words(tracker: Tracker, place: str | None) -> str:
    """The typed message without the place and the radius: the normaliser finds the job in it."""
    text = re.sub(r"beschut(te?)? werk|banenafspraak|doelgroepregister", " ", RADIUS.sub(" ", last_typed_text(tracker)),
                  flags=re.IGNORECASE)
    if place:
        text = re.sub(re.escape(place), " ", text, flags=re.IGNORECASE)
    return text


def km_text(km: float) -> str:
    return f"{int(km)}" if float(km).is_integer() else f"{km:g}".replace(".", ",")


def choice_payload(option: OccupationMatch, radius_km: float | None = None) -> str:
    entities = {"job_title": option.label}
    if radius_km is not None:
        entities["radius_km"] = km_text(radius_km)
    return "/search_jobs" + json.dumps(entities, separators=(",", ":"), ensure_ascii=False)


def wider_payload(label: str, radius_km: float) -> str:
    return "/search_jobs" + json.dumps({"job_title": label, "radius_km": km_text(radius_km)},
                                       separators=(",", ":"), ensure_ascii=False)
