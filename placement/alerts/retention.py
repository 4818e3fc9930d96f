"""Deleting alert data: on the person's request, with their conversation, and after the retention period.

- `delete_for_conversations`: "verwijder mijn gegevens" (placement/services/support.py and the gateway's
  erasure, bot/store.py) and the retention job's removal of old conversations take the subscriptions
  (the consent) and every alert of those conversations with them.
- `purge` (RETENTION_ALERT_DAYS, run by staff/retention.py): a stopped subscription and its alerts go
  that many days after it was stopped; any alert that is no longer waiting (sent, answered, expired,
  failed) goes that many days after it was made. Active and paused subscriptions stay while the
  conversation exists: that is the consent the person gave and can stop at any moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from placement.alerts.models import Alert, AlertSubscription

CHUNK = 500


def delete_for_conversations(session: Session, conversation_ids: Sequence[str]) -> int:
    """Delete the subscriptions and alerts of these conversations; returns the subscriptions deleted."""
    deleted = 0
    ids = list(conversation_ids)
    for start in range(0, len(ids), CHUNK):
        subs = select(AlertSubscription.id).where(AlertSubscription.conversation_id.in_(ids[start:start + CHUNK]))
        session.execute(delete(Alert).where(Alert.subscription_id.in_(subs)).execution_options(
            synchronize_session=False))
        deleted += session.execute(delete(AlertSubscription).where(
            AlertSubscription.conversation_id.in_(ids[start:start + CHUNK])).execution_options(
            synchronize_session=False)).rowcount or 0
    return deleted


def purge(session: Session, cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Alert data past the retention period; returns the rows (subscriptions + alerts) removed."""
    stopped = and_(AlertSubscription.status == "gestopt", AlertSubscription.stopped_at < cutoff)
    old = and_(Alert.status != "wachtend", Alert.created_at < cutoff)
    of_stopped = Alert.subscription_id.in_(select(AlertSubscription.id).where(stopped))
    if dry_run:
        alerts = session.scalar(select(func.count()).select_from(Alert).where(old | of_stopped)) or 0
        return alerts + (session.scalar(select(func.count()).select_from(AlertSubscription).where(stopped)) or 0)
    alerts = session.execute(delete(Alert).where(old | of_stopped).execution_options(
        synchronize_session=False)).rowcount or 0
    subs = session.execute(delete(AlertSubscription).where(stopped).execution_options(
        synchronize_session=False)).rowcount or 0
    return alerts + subs
