"""Outbox events for match alerts: written in the caller's transaction, matched later by the alert job.

Publishing a vacancy or completing a registration only adds one `alert_event` row here, so the chat
or staff request never waits for matching (placement/alerts/matcher.py does that in the gateway's
alert job). Because the row is added to the caller's session, it commits or rolls back together with
the publication or registration itself: no alert for a vacancy that was never published.

Who emits (one line each): the staff publish route (staff/routes/vacancies.py), the vacancy intake
service when it opens a vacancy (placement/services/employer.py), and registration
(placement/services/jobseeker.py). Seed data and bulk imports do NOT emit: their vacancies and
candidates existed before anyone subscribed, and alerting thousands of old rows at once would flood
subscribers; alerts are about what is new.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from placement.alerts.models import AlertEvent


def emit_vacancy_published(session: Session, vacancy_id: int) -> AlertEvent:
    """A vacancy became `open`: its matching job-seeker subscriptions get an alert."""
    event = AlertEvent(kind="vacature_gepubliceerd", object_id=vacancy_id)
    session.add(event)
    return event


def emit_candidate_registered(session: Session, candidate_id: int) -> AlertEvent:
    """A job seeker completed registration (consent given): employers with a fitting open vacancy are told."""
    event = AlertEvent(kind="kandidaat_ingeschreven", object_id=candidate_id)
    session.add(event)
    return event
