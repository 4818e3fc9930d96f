"""A conversation as staff read it: Rasa's events joined with the gateway's chat_message rows.

Rasa's events carry what NLU predicted and which action answered. chat_message adds what Rasa never
saw: staff replies, system notes, and user messages stored while Rasa was down or while a person had
the conversation. A user/bot row in chat_message that matches an event (same text, within a few
minutes) is the same message and is shown once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import ChatMessage, TelegramDelivery
from placement.models import StaffMember
from staff import tracker
from staff.models import Handoff, NluCorrection

MATCH_WINDOW = dt.timedelta(minutes=5)
HIDDEN_SLOTS = {"requested_slot", "session_started_metadata"}


@dataclass
class Item:
    kind: str  # user / bot / staff / system / slot / form / session / pause / resume
    at: dt.datetime
    text: str = ""
    event_id: int | None = None
    turn: tracker.UserTurn | None = None
    action: str | None = None
    policy: str | None = None
    buttons: list[str] = field(default_factory=list)
    status: str | None = None
    source: str = "rasa"  # rasa / gateway / staff (the handoff log)
    author: str | None = None
    correction: NluCorrection | None = None
    delivery: str | None = None  # Telegram: "retrying" or "failed" (bot/delivery.py), None = delivered


@dataclass
class Transcript:
    items: list[Item]
    slots: dict[str, Any]
    active_form: str | None
    events_available: bool


def _from_events(rows: list[dict[str, Any]]) -> tuple[list[Item], dict[str, Any], str | None]:
    items: list[Item] = []
    slots: dict[str, Any] = {}
    form: str | None = None
    last_action: tuple[str | None, str | None] = (None, None)
    for row in rows:
        data, kind, at = row["data"], row["type_name"], tracker.to_datetime(row["timestamp"]) or dt.datetime.min
        if kind == "user":
            turn = tracker.user_turn(data, row["intent_name"])
            items.append(Item("user", at, turn.text, row["id"], turn=turn))
        elif kind == "action":
            last_action = (row["action_name"], data.get("policy"))
        elif kind == "bot":
            action = (data.get("metadata") or {}).get("utter_action") or last_action[0]
            items.append(Item("bot", at, str(data.get("text") or ""), row["id"], action=action,
                              policy=last_action[1], buttons=tracker.bot_buttons(data)))
        elif kind == "slot" and data.get("name") not in HIDDEN_SLOTS:
            slots[str(data.get("name"))] = data.get("value")
            items.append(Item("slot", at, f"{data.get('name')} = {data.get('value')}", row["id"]))
        elif kind == "active_loop":
            name = data.get("name")
            items.append(Item("form", at, f"Formulier {name} gestart" if name else f"Formulier {form} afgerond",
                              row["id"]))
            form = name
        elif kind == "session_started":
            items.append(Item("session", at, "Nieuwe sessie", row["id"]))
        elif kind in ("pause", "resume"):
            text = "Assistent gepauzeerd (medewerker)" if kind == "pause" else "Assistent hervat"
            items.append(Item(kind, at, text, row["id"]))
    return items, slots, form


def _merge(items: list[Item], messages: list[ChatMessage], names: dict[int, str],
           deliveries: dict[int, str]) -> list[Item]:
    unmatched = {"user": [i for i in items if i.kind == "user"], "bot": [i for i in items if i.kind == "bot"]}
    extra: list[Item] = []
    for msg in messages:
        if msg.author in unmatched:
            twin = next((i for i in unmatched[msg.author]
                         if i.text.strip() == msg.text.strip() and abs(i.at - msg.created_at) <= MATCH_WINDOW), None)
            if twin is not None:
                unmatched[msg.author].remove(twin)
                twin.status = msg.status if msg.status != "ok" else None
                twin.delivery = deliveries.get(msg.id)
                continue
        extra.append(Item(msg.author if msg.author in ("user", "bot", "staff", "system") else "system",
                          msg.created_at, msg.text, source="gateway",
                          status=msg.status if msg.status != "ok" else None,
                          author=names.get(msg.staff_id) if msg.staff_id else None,
                          delivery=deliveries.get(msg.id)))
    merged = items + extra
    merged.sort(key=lambda i: i.at)  # stable: events keep their order at equal times
    return merged


def build(session: Session, tracker_engine, conversation_id: str) -> Transcript:
    available = True
    try:
        rows = tracker.sender_events(tracker_engine, conversation_id) if tracker_engine is not None else []
    except Exception:  # tracker store down or not created yet: show what the gateway stored
        rows, available = [], False
    items, slots, form = _from_events(rows)
    messages = list(session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
                                    .order_by(ChatMessage.id)))
    staff_ids = {m.staff_id for m in messages if m.staff_id}
    names = dict(session.execute(select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    handoffs = list(session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)))
    taker_ids = {h.taken_by for h in handoffs if h.taken_by} - set(names)
    if taker_ids:
        names.update(session.execute(select(StaffMember.id, StaffMember.name)
                                     .where(StaffMember.id.in_(taker_ids))).all())
    for h in handoffs:
        who = names.get(h.taken_by, "een medewerker")
        items.append(Item("system", h.taken_at, f"Gesprek overgenomen door {who}.", source="staff"))
        if h.released_at:
            items.append(Item("system", h.released_at, f"Gesprek teruggegeven aan de assistent door {who}.",
                              source="staff"))
    deliveries = dict(session.execute(select(TelegramDelivery.message_id, TelegramDelivery.state).join(
        ChatMessage, ChatMessage.id == TelegramDelivery.message_id).where(
        ChatMessage.conversation_id == conversation_id)).all())
    merged = _merge(items, messages, names, deliveries)
    corrections = {c.event_id: c for c in session.scalars(
        select(NluCorrection).where(NluCorrection.conversation_id == conversation_id))}
    for item in merged:
        if item.kind == "user" and item.event_id in corrections:
            item.correction = corrections[item.event_id]
    return Transcript(merged, slots, form, available)


def find_user_event(tracker_engine, conversation_id: str, event_id: int) -> dict[str, Any] | None:
    """The user event with this id, only if it belongs to this conversation."""
    for row in tracker.sender_events(tracker_engine, conversation_id):
        if row["id"] == event_id and row["type_name"] == "user":
            return row
    return None
