"""Match alerts in the web chat (issue 16): shown when the user comes back, counted in the page title.

The web chat has no push channel, so alerts for a web conversation wait (`wachtend`) until the user
loads the page or polls again. Then they become ordinary bot messages with their buttons, stored in
`chat_message` in the SAME transaction that marks them `verzonden`: an alert is never marked shown
without its message, and the gateway's button checks (issued payloads, keys) apply to the buttons as
to any of Rasa's. The text is the alert job's own (placement/alerts/texts.py), so Telegram and the web
chat say the same.

`unread` is the number for the title, "(2) Werkpunt": alerts not shown yet or shown with no button
under them pressed.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.models import ChatMessage
from placement.alerts import consent
from placement.alerts.texts import alert_message
from placement.db import session_scope
from placement.models import Conversation

log = logging.getLogger(__name__)
PER_RETURN = 5  # at most this many alerts at once; the rest come with the next poll


def show_waiting(engine: Engine, conversation_id: str) -> int:
    """Store this conversation's waiting alerts as bot messages; returns how many were added."""
    try:
        with session_scope(engine) as session:
            if session.get(Conversation, conversation_id) is None:
                return 0
            alerts = []
            for alert in consent.take_waiting(session, conversation_id, limit=PER_RETURN):
                if alert.vacancy is None or alert.vacancy.status != "open":  # closed since the alert job's round
                    alert.status, alert.sent_at = "verlopen", None
                    continue
                alerts.append(alert)
            for alert in alerts:
                text, buttons = alert_message(session, alert)
                session.add(ChatMessage(conversation_id=conversation_id, author="bot", text=text,
                                        buttons=json.dumps([{"title": b["title"], "payload": b["payload"]}
                                                            for b in buttons]) if buttons else None))
            return len(alerts)
    except SQLAlchemyError as exc:  # alerts are extra: the chat itself must go on
        log.warning("waiting alerts not shown: %s", type(exc).__name__)
        return 0


def counts_in(session, conversation_id: str) -> tuple[int, int]:
    """(unread, waiting) alerts of a conversation (consent.counts), inside the web chat poll's read
    transaction (bot/store.py poll_view): a poll shows waiting alerts only when there are some, so the
    usual poll writes nothing. The poll's last statement: on a failure the read is rolled back and the
    chat goes on (alerts are extra)."""
    try:
        return consent.counts(session, conversation_id)
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("alert count not read: %s", type(exc).__name__)
        return 0, 0
