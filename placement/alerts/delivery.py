"""Which alerts go out now, as which messages; and what a blocked bot does to a subscription.

The gateway's alert job (bot/alert_job.py) pushes only to Telegram subscribers: web chat users have
no push channel and see their waiting alerts on return (consent.take_waiting). Outside quiet hours,
every due `direct` alert is one message; a `dagelijks` subscriber gets at most one digest a day with
all due alerts in it (texts.digest_message). An alert is claimed (wachtend → verzonden) row by row
with a conditional UPDATE before its message is built, so two gateway workers never send it twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from placement.alerts import quiet_hours
from placement.alerts.matcher import expire_closed
from placement.alerts.models import Alert, AlertSubscription
from placement.alerts.texts import alert_message, digest_message
from placement.models import Conversation

DIGEST_GAP = dt.timedelta(hours=20)  # a second digest within this time waits for the next morning
DIGEST_MAX = 10  # matches in one digest; more wait for the next one
BLOCKED = "telegram_geblokkeerd"


@dataclass(frozen=True)
class Push:
    """One message to send: the alerts it tells, to which Telegram chat, with which text and buttons."""

    conversation_id: str
    address: str
    subscription_id: int
    alert_ids: tuple[int, ...]
    text: str
    buttons: tuple[dict, ...]


def _claim(session: Session, alert_ids: list[int], at: dt.datetime) -> list[int]:
    claimed = []
    for alert_id in alert_ids:
        done = session.execute(update(Alert).where(Alert.id == alert_id, Alert.status == "wachtend")
                               .values(status="verzonden", sent_at=at).execution_options(synchronize_session=False))
        if done.rowcount:
            claimed.append(alert_id)
    return claimed


def claim_due(session: Session, at: dt.datetime, spec: str = quiet_hours.DEFAULT_SPEC,
              limit: int = 200) -> list[Push]:
    """Claim the Telegram alerts due at `at` and build their messages (none during quiet hours)."""
    if quiet_hours.is_quiet(at, spec):
        return []
    expire_closed(session)  # a vacancy closed (or a candidate left) before delivery: never sent
    s = AlertSubscription
    rows = session.execute(
        select(Alert.id, s.id, s.conversation_id, s.frequency, s.last_digest_at, Conversation.channel_address)
        .join(s, s.id == Alert.subscription_id)
        .outerjoin(Conversation, Conversation.id == s.conversation_id)
        .where(Alert.status == "wachtend", Alert.due_at <= at, s.status == "actief", s.channel == "telegram")
        .order_by(Alert.id).limit(limit)).all()
    by_sub: dict[int, list] = {}
    for row in rows:
        by_sub.setdefault(row[1], []).append(row)
    pushes: list[Push] = []
    for sub_id, group in by_sub.items():
        _, _, conversation_id, frequency, last_digest, address = group[0]
        ids = [row[0] for row in group]
        if not address:  # the conversation is gone (or never had a chat id): nothing can be sent
            session.execute(update(Alert).where(Alert.id.in_(ids)).values(status="mislukt")
                            .execution_options(synchronize_session=False))
            continue
        if frequency == "dagelijks":
            if last_digest is not None and at - last_digest < DIGEST_GAP:
                continue
            claimed = _claim(session, ids[:DIGEST_MAX], at)
            if not claimed:
                continue
            session.execute(update(s).where(s.id == sub_id).values(last_digest_at=at))
            alerts = session.scalars(select(Alert).where(Alert.id.in_(claimed)).order_by(Alert.id)).all()
            text, buttons = digest_message(session, list(alerts))
            pushes.append(Push(conversation_id, address, sub_id, tuple(claimed), text, tuple(buttons)))
            continue
        for alert_id in _claim(session, ids, at):
            text, buttons = alert_message(session, session.get(Alert, alert_id))
            pushes.append(Push(conversation_id, address, sub_id, (alert_id,), text, tuple(buttons)))
    return pushes


def unclaim(session: Session, alert_ids: list[int]) -> None:
    """Alerts claimed but not sent this round (an earlier message of the chat failed): wait again."""
    session.execute(update(Alert).where(Alert.id.in_(alert_ids), Alert.status == "verzonden")
                    .values(status="wachtend", sent_at=None).execution_options(synchronize_session=False))


def pause_blocked(session: Session, conversation_id: str, alert_ids: list[int]) -> int:
    """The user blocked the bot (Telegram 403): consent paused (not stopped: it was not the user's
    choice, and staff may ask), the alert marked mislukt. Returns the subscriptions paused."""
    session.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(status="mislukt", sent_at=None)
                    .execution_options(synchronize_session=False))
    paused = session.execute(update(AlertSubscription).where(
        AlertSubscription.conversation_id == conversation_id, AlertSubscription.status == "actief")
        .values(status="gepauzeerd", paused_reason=BLOCKED).execution_options(synchronize_session=False))
    return paused.rowcount or 0
