"""Writing the append-only audit log: who, what, when, outcome — never message content.

`record()` adds the entry to the caller's unit of work (it commits with the action it describes).
`record_now()` commits at once in its own transaction: for refusals, which must be logged even
though the request itself fails.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine, exists, insert, select
from sqlalchemy.orm import Session

from placement.clock import now
from staff.models import AuditLog

log = logging.getLogger(__name__)

# Actions written by the workspace (the audit page lists them in Dutch).
ACTIONS = {
    "auth.login": "Inloggen",
    "auth.logout": "Uitloggen",
    "auth.session_expired": "Sessie verlopen",
    "csrf.refused": "Formulier zonder geldige CSRF-code",
    "access.denied": "Geen toegang",
    "transcript.view": "Gesprek bekeken",
    "export.nlu": "Correcties geëxporteerd (NLU)",
    "export.story": "Gesprek als teststory geëxporteerd",
    "review.list": "Correcties bekeken",
    "review.mark": "Gesprek beoordeeld",
    "review.tag": "Label gewijzigd",
    "review.correct": "Intentie/entiteiten gecorrigeerd",
    "handoff.take": "Gesprek overgenomen",
    "handoff.reply": "Antwoord gestuurd",
    "handoff.release": "Gesprek teruggegeven",
    "lead.view": "Lead bekeken",
    "lead.list": "Leadlijst bekeken",
    "lead.update": "Lead gewijzigd",
    "vacancy.publish": "Vacature gepubliceerd",
    "audit.view": "Auditlog bekeken",
    "retention.run": "Bewaartermijn toegepast",
    "user.create": "Account aangemaakt",
    "user.password": "Wachtwoord gezet",
    "user.deactivate": "Account gedeactiveerd",
    "user.reactivate": "Account weer actief",
    "user.update": "Rol of regio's gewijzigd",
    "user.reset": "Wachtwoordlink gemaakt",
    "user.list": "Accounts bekeken",
    "user.view": "Account bekeken",
    "delivery.list": "Bezorgproblemen bekeken",
}


def _row(action: str, *, staff_id: int | None = None, actor: str = "", outcome: str = "ok",
         target_type: str | None = None, target_id: str | int | None = None, ip: str | None = None,
         detail: str = "", at=None) -> dict:
    # `at`: the moment a system job acted on (retention runs with the clock it was given).
    return dict(at=at or now(), staff_id=staff_id, actor=(actor or "")[:200], action=action[:40], outcome=outcome,
                target_type=target_type, target_id=None if target_id is None else str(target_id)[:64],
                ip=(ip or None) and ip[:45], detail=(detail or "")[:200])


def record(session: Session, action: str, **fields) -> None:
    session.execute(insert(AuditLog), [_row(action, **fields)])


def record_now(engine: Engine, action: str, **fields) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(insert(AuditLog), [_row(action, **fields)])
    except Exception:  # the refusal still happens; a lost log line is reported loudly
        log.exception("auditregel kon niet worden geschreven: %s", action)
        raise


def viewed_recently(session: Session, staff_id: int, target_type: str, target_id: str,
                    within: dt.timedelta) -> bool:
    """Whether this staff member's view of this record is already in the log within `within`."""
    return bool(session.scalar(select(exists().where(
        AuditLog.staff_id == staff_id, AuditLog.action == "transcript.view", AuditLog.outcome == "ok",
        AuditLog.target_type == target_type, AuditLog.target_id == str(target_id)[:64],
        AuditLog.at >= now() - within))))
