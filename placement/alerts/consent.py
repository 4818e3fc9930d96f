"""Consent to match alerts, as the dialogue handles it: opt in, change the frequency, stop, react.

A subscription is consent for this one purpose (issue 16), stored with the moment it was given
(`consented_at`). Stopping ends every active or paused subscription of the conversation and lets
its waiting alerts expire, so nothing more is sent; stopping twice simply changes nothing (0).
Opting in again after a stop makes a NEW subscription with a new consent moment: the stopped one
stays as the record of the earlier consent and its end.

Web chat users have no push channel: `take_waiting` hands their waiting alerts to the gateway when
they return and marks them `verzonden` one row at a time with a guarded UPDATE, so two polls at the
same moment never show the same alert twice.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from placement.alerts.models import FEEDBACK_REASONS, FREQUENCIES, SUBSCRIBER_KINDS, Alert, AlertSubscription
from placement.clock import now
from placement.matching.area import region_code_of

CURRENT = ("actief", "gepauzeerd")  # statuses of a subscription that still holds consent
REACTIONS = ("geopend", "gesolliciteerd", "niet_passend")
FINAL = ("gesolliciteerd", "niet_passend")  # a reaction never goes back to merely "geopend"
UNREAD = ("wachtend", "verzonden")  # matched, and no button under it pressed yet


def parse_alert_id(value: object) -> int | None:
    """"12", 12, 12.0 → 12; anything else (None, "abc", -1, 1e308) → None. Slots can hold anything."""
    try:
        number = int(float(str(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 1 <= number <= 2**31 - 1 else None


def current_subscription(session: Session, conversation_id: str, kind: str,
                         vacancy_id: int | None = None) -> AlertSubscription | None:
    """The active (or paused) subscription of this conversation for this kind (and vacancy), if any."""
    query = select(AlertSubscription).where(AlertSubscription.conversation_id == conversation_id,
                                            AlertSubscription.kind == kind,
                                            AlertSubscription.status.in_(CURRENT))
    if kind == "werkgever":
        query = query.where(AlertSubscription.vacancy_id == vacancy_id)
    return session.scalar(query.order_by(AlertSubscription.id.desc()).limit(1))


def is_subscribed(session: Session, conversation_id: str, kind: str | None = None) -> bool:
    query = select(AlertSubscription.id).where(AlertSubscription.conversation_id == conversation_id,
                                               AlertSubscription.status == "actief")
    if kind is not None:
        query = query.where(AlertSubscription.kind == kind)
    return session.scalar(query.limit(1)) is not None


def subscribe(session: Session, *, conversation_id: str, channel: str, kind: str, frequency: str = "direct",
              job_title: str | None = None, esco_uri: str | None = None, isco_code: str | None = None,
              gemeente_code: str | None = None, radius_km: int | None = None, hours: int | None = None,
              candidate_id: int | None = None, vacancy_id: int | None = None,
              region_code: str | None = None) -> AlertSubscription:
    """Opt in (or update the current opt-in of this conversation + kind + vacancy) and record consent now."""
    if kind not in SUBSCRIBER_KINDS:
        raise ValueError(f"unknown subscriber kind {kind!r}")
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    sub = current_subscription(session, conversation_id, kind, vacancy_id)
    if sub is None:
        sub = AlertSubscription(conversation_id=conversation_id, kind=kind, vacancy_id=vacancy_id)
        session.add(sub)
    sub.channel = (channel or "web")[:20]
    sub.frequency = frequency
    sub.status, sub.paused_reason, sub.stopped_at = "actief", None, None
    sub.consented_at = now()  # the consent the person just gave, for this purpose alone
    for name, value in (("job_title", job_title[:200] if job_title else None), ("esco_uri", esco_uri),
                        ("isco_code", isco_code), ("gemeente_code", gemeente_code), ("radius_km", radius_km),
                        ("hours", hours), ("candidate_id", candidate_id)):
        if value is not None or getattr(sub, name, None) is None:
            setattr(sub, name, value)
    sub.region_code = region_code or region_code_of(sub.gemeente_code) or sub.region_code
    session.flush()
    return sub


def set_frequency(session: Session, conversation_id: str, frequency: str) -> int:
    """Change how often every current subscription of this conversation is told; returns how many."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    result = session.execute(update(AlertSubscription).where(
        AlertSubscription.conversation_id == conversation_id, AlertSubscription.status.in_(CURRENT))
        .values(frequency=frequency))
    return result.rowcount or 0


def stop_all(session: Session, conversation_id: str) -> int:
    """Stop every current subscription of this conversation (0 when none was active: stopping twice)."""
    ids = list(session.scalars(select(AlertSubscription.id).where(
        AlertSubscription.conversation_id == conversation_id, AlertSubscription.status.in_(CURRENT))))
    if not ids:
        return 0
    session.execute(update(AlertSubscription).where(AlertSubscription.id.in_(ids))
                    .values(status="gestopt", stopped_at=now()))
    # Alerts matched but not yet told will never be told now: they expire instead of waiting forever.
    session.execute(update(Alert).where(Alert.subscription_id.in_(ids), Alert.status == "wachtend")
                    .values(status="verlopen"))
    return len(ids)


def _own_alert(session: Session, conversation_id: str, alert_id: object) -> Alert | None:
    number = parse_alert_id(alert_id)
    if number is None:
        return None
    return session.scalar(select(Alert).join(AlertSubscription, AlertSubscription.id == Alert.subscription_id)
                          .where(Alert.id == number, AlertSubscription.conversation_id == conversation_id))


def react(session: Session, conversation_id: str, alert_id: object, reaction: str,
          feedback: str | None = None) -> Alert | None:
    """A button under an alert was pressed; None when the alert is not this person's (or unknown)."""
    if reaction not in REACTIONS:
        raise ValueError(f"unknown reaction {reaction!r}")
    alert = _own_alert(session, conversation_id, alert_id)
    if alert is None:
        return None
    moment = now()
    alert.opened_at = alert.opened_at or moment
    alert.sent_at = alert.sent_at or moment  # pressed in a message, so it was shown
    if reaction in FINAL:
        if not (reaction == "niet_passend" and alert.status == "gesolliciteerd"):
            alert.status = reaction
        alert.reacted_at = moment
    elif alert.status not in FINAL:
        alert.status = "geopend"
    if feedback in FEEDBACK_REASONS:
        alert.feedback = feedback
    session.flush()
    return alert


def _alerts_of(conversation_id: str, statuses: tuple[str, ...]):
    return (select(Alert).join(AlertSubscription, AlertSubscription.id == Alert.subscription_id)
            .where(AlertSubscription.conversation_id == conversation_id, AlertSubscription.status == "actief",
                   Alert.status.in_(statuses)))


def waiting_count(session: Session, conversation_id: str) -> int:
    """Alerts matched for this conversation and not shown yet."""
    query = _alerts_of(conversation_id, ("wachtend",)).with_only_columns(func.count(Alert.id))
    return session.scalar(query) or 0


def unread_count(session: Session, conversation_id: str) -> int:
    """Alerts not shown yet, or shown with no button pressed yet (the web chat's title count)."""
    query = _alerts_of(conversation_id, UNREAD).with_only_columns(func.count(Alert.id))
    return session.scalar(query) or 0


def counts(session: Session, conversation_id: str) -> tuple[int, int]:
    """(unread, waiting) in one query: unread_count and waiting_count together, for the web chat poll."""
    query = _alerts_of(conversation_id, tuple(UNREAD) + ("wachtend",)).with_only_columns(
        func.count(Alert.id).filter(Alert.status.in_(UNREAD)), func.count(Alert.id).filter(Alert.status == "wachtend"))
    unread, waiting = session.execute(query).one()
    return unread or 0, waiting or 0


def take_waiting(session: Session, conversation_id: str, limit: int = 5) -> list[Alert]:
    """The oldest waiting alerts of this conversation, marked `verzonden` (the caller shows them).

    The web chat user is here now, so quiet hours and digest times (due_at) do not hold them back.
    """
    found = session.scalars(_alerts_of(conversation_id, ("wachtend",))
                            .order_by(Alert.created_at, Alert.id).limit(max(1, min(limit, 20)))).all()
    taken, moment = [], now()
    for alert in found:
        claimed = session.execute(update(Alert).where(Alert.id == alert.id, Alert.status == "wachtend")
                                  .values(status="verzonden", sent_at=moment)
                                  .execution_options(synchronize_session=False))
        if claimed.rowcount == 1:  # a parallel poll did not take it first
            session.refresh(alert)
            taken.append(alert)
    return taken
