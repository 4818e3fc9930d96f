"""The event-driven matcher: outbox events (events.py) become `alert` rows, never twice per pair.

A published vacancy is matched against the active job-seeker subscriptions; a registered candidate
against the active employer subscriptions whose vacancy is still open. Fit, distance, hours, scores
and the Dutch reason are the chat search's (placement/matching/: ISCO tiers, great-circle km within
the subscriber's radius, the hours tolerance, `scoring.*` points and texts), read the other way round.
SQL pre-filters on the indexed columns (status, kind, ISCO range); Python applies the radius.

An alert interrupts, a search list does not, so alerts need a closer fit than a search shows: the
same ISCO minor group at least (`ALERT_FITS`) and a score of `MIN_SCORE`. Earlier "Niet voor mij"
answers lower similar matches for that subscriber (`penalty`): ander_werk costs matches in the same
ISCO group, te_ver shrinks the radius to below the rejected distance, andere_uren costs hours that do
not fit. `pair_key` is unique and rows go in with INSERT .. ON CONFLICT DO NOTHING (SQLite and
PostgreSQL alike), so a repeated event or two gateway workers never alert a pair twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from placement.alerts import quiet_hours
from placement.alerts.models import Alert, AlertEvent, AlertSubscription
from placement.alerts.texts import occupation_label
from placement.clock import now as clock_now
from placement.matching import scoring as sc
from placement.matching.area import gemeente_name
from placement.matching.distance import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, clamp_radius, km_between, within
from placement.matching.search import _distance_band  # the employer-side wording of the chat search
from placement.models import Candidate, Vacancy

log = logging.getLogger(__name__)
ALERT_FITS = ("beroep", "groep4", "groep3")
MIN_SCORE = 40
ANDER_WERK_PENALTY = {4: 45, 3: 20}  # same unit group / same minor group as a rejected match
HOURS_PENALTY_PER_HOUR = 8  # after andere_uren: each hour outside the wanted hours costs this much
SAME_SPAN_PENALTY = 30  # after andere_uren: the very hours span that was rejected
MAX_ATTEMPTS = 5  # an event that fails this often is given up (logged), so it never blocks the queue
RADIUS_BANDS = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100)  # km: ring edges of the SQL pre-filter
CHUNK = 500  # rows per INSERT (SQLite's limit on bound parameters)


@lru_cache(maxsize=512)
def _within_radius(gemeente_code: str):
    """SQL: the subscriber's gemeente may lie within their own radius of `gemeente_code`. The gemeenten
    around the vacancy are split into distance rings (`RADIUS_BANDS`); a ring whose inner edge is e km
    away is read only for subscribers whose radius exceeds e. Each gemeente is one parameter, and
    Python then checks the exact kilometres. A subscriber without a gemeente matches anywhere, as the
    chat search does without a place."""
    sub = AlertSubscription
    radius = func.coalesce(sub.radius_km, DEFAULT_RADIUS_KM)
    rings: dict[int, list[str]] = {}
    for code, km in within(gemeente_code, MAX_RADIUS_KM):
        inner = max((edge for edge in RADIUS_BANDS if edge < km), default=0)
        rings.setdefault(inner, []).append(code)
    terms = [and_(sub.gemeente_code.in_(codes), radius > inner) if inner else sub.gemeente_code.in_(codes)
             for inner, codes in sorted(rings.items())]
    return or_(sub.gemeente_code.is_(None), *terms)


def _prefix(col, prefix: str):
    """col starts with prefix, as a range an index can serve (as placement/matching/search.py does)."""
    return and_(col >= prefix, col < prefix[:-1] + chr(ord(prefix[-1]) + 1))


@dataclass(frozen=True)
class Rejected:
    """What a subscriber said "Niet voor mij" to: the other side's occupation, distance and hours."""

    feedback: str
    isco: str | None
    km: float | None
    span: tuple[int, int] | None  # the vacancy's hours (job seeker) / (wanted, wanted) (employer)


def penalty(rejected: list[Rejected], isco: str | None, km: float | None, gap: int | None,
            span: tuple[int, int] | None) -> tuple[int, float | None]:
    """(points off, a smaller radius or None) for a new match, from this subscriber's feedback."""
    points, radius = 0, None
    work = [r for r in rejected if r.feedback == "ander_werk" and r.isco and isco]
    if any(r.isco == isco for r in work):
        points += ANDER_WERK_PENALTY[4]
    elif any(r.isco[:3] == isco[:3] for r in work):
        points += ANDER_WERK_PENALTY[3]
    far = [r.km for r in rejected if r.feedback == "te_ver" and r.km]
    if far:
        radius = min(far) - 0.5  # strictly nearer than the nearest match that was too far
    hours = [r for r in rejected if r.feedback == "andere_uren"]
    if hours:
        points += HOURS_PENALTY_PER_HOUR * (gap or 0)
        if span is not None and any(r.span == span for r in hours):
            points += SAME_SPAN_PENALTY
    return points, radius


def _rejected(session: Session, kind: str, where) -> dict[int, list[Rejected]]:
    """Feedback of the subscriptions that `where` selects (few rows: only niet_passend with a reason)."""
    s, v = AlertSubscription, Vacancy
    other = aliased(Candidate)
    if kind == "werkzoekende":
        query = (select(Alert.subscription_id, Alert.feedback, v.isco_code, v.gemeente_code, s.gemeente_code,
                        v.hours_min, v.hours_max)
                 .join(s, s.id == Alert.subscription_id).join(v, v.id == Alert.vacancy_id))
    else:
        query = (select(Alert.subscription_id, Alert.feedback, other.isco_code, other.gemeente_code,
                        v.gemeente_code, other.hours_wanted, other.hours_wanted)
                 .join(s, s.id == Alert.subscription_id).join(v, v.id == Alert.vacancy_id)
                 .join(other, other.id == Alert.candidate_id))
    found: dict[int, list[Rejected]] = {}
    rows = session.execute(query.where(Alert.status == "niet_passend", Alert.feedback.is_not(None), where))
    for sub_id, feedback, isco, there, home, lo, hi in rows:
        km = km_between(home, there) if home and there else None
        found.setdefault(sub_id, []).append(Rejected(feedback, isco, km, (lo, hi) if lo is not None else None))
    return found


def due_at(channel: str, frequency: str, at: dt.datetime, spec: str) -> dt.datetime:
    """Web chat users see alerts when they return (nothing is pushed); Telegram waits for quiet hours
    to end, a daily subscriber for the next digest moment."""
    if channel != "telegram":
        return at
    if frequency == "dagelijks":
        return quiet_hours.next_digest(at, spec)
    return quiet_hours.next_allowed(at, spec)


def vacancy_reason(fit: str, km: float | None, vacancy, home: str | None) -> str:
    """The chat search's reason for a vacancy ("Zelfde beroep, 8 km van Zwolle, 24–32 uur")."""
    fit_text = sc.FIT_TEXT[fit] if fit in ("beroep", "groep4") else (
        f"{sc.FIT_TEXT[fit]} ({occupation_label(vacancy.esco_uri, vacancy.isco_code, vacancy.occupation)})")
    reason = ", ".join([fit_text, sc.distance_text(km, gemeente_name(vacancy.gemeente_code),
                                                   gemeente_name(home) if home else None),
                        sc.span_text(vacancy.hours_min, vacancy.hours_max)])
    return reason[:1].upper() + reason[1:]


def match_vacancy(session: Session, vacancy: Vacancy, at: dt.datetime, spec: str) -> list[dict]:
    """Alert rows (not yet inserted) for every active job-seeker subscription this open vacancy fits."""
    if vacancy.status != "open" or not vacancy.isco_code:
        return []
    s = AlertSubscription
    where = and_(s.status == "actief", s.kind == "werkzoekende", _prefix(s.isco_code, vacancy.isco_code[:3]))
    query = (select(s.id, s.conversation_id, s.channel, s.frequency, s.candidate_id, s.esco_uri, s.isco_code,
                    s.gemeente_code, s.radius_km, s.hours)
             .where(where, _within_radius(vacancy.gemeente_code), or_(s.hours.is_(None), s.hours.between(vacancy.hours_min - sc.HOURS_MAX_DIFF,
                                                                   vacancy.hours_max + sc.HOURS_MAX_DIFF))))
    rows = session.execute(query).all()
    feedback = _rejected(session, "werkzoekende", where) if rows else {}
    span = (vacancy.hours_min, vacancy.hours_max)
    out = []
    for row in rows:
        fit = sc.fit_level(row.esco_uri, row.isco_code, vacancy.esco_uri, vacancy.isco_code)
        if fit not in ALERT_FITS:
            continue
        radius = clamp_radius(row.radius_km)
        km = km_between(row.gemeente_code, vacancy.gemeente_code) if row.gemeente_code else None
        gap = sc.hours_gap(row.hours, *span)
        points, smaller = penalty(feedback.get(row.id, []), vacancy.isco_code, km, gap, span)
        if km is not None and km > min(radius, smaller if smaller is not None else radius):
            continue
        score = sc.FIT[fit] + sc.distance_points(km, radius) + sc.hours_points(gap) - points
        if score < MIN_SCORE:
            continue
        out.append(dict(subscription_id=row.id, pair_key=f"w:{row.conversation_id}:{vacancy.id}",
                        vacancy_id=vacancy.id, candidate_id=row.candidate_id, score=min(score, 100),
                        reason=vacancy_reason(fit, km, vacancy, row.gemeente_code)[:300],
                        due_at=due_at(row.channel, row.frequency, at, spec)))
    return out


def match_candidate(session: Session, cand: Candidate, at: dt.datetime, spec: str) -> list[dict]:
    """Alert rows for every active employer subscription whose open vacancy this candidate fits."""
    if not cand.active or cand.consent_at is None or not cand.isco_code:
        return []
    s, v = AlertSubscription, Vacancy
    where = and_(s.status == "actief", s.kind == "werkgever", v.status == "open",
                 _prefix(v.isco_code, cand.isco_code[:3]))
    query = select(s.id, s.channel, s.frequency, s.radius_km, v).join(v, v.id == s.vacancy_id).where(where)
    if cand.hours_wanted is not None:
        query = query.where(v.hours_min <= cand.hours_wanted + sc.HOURS_MAX_DIFF,
                            v.hours_max >= cand.hours_wanted - sc.HOURS_MAX_DIFF)
    rows = session.execute(query).all()
    feedback = _rejected(session, "werkgever", s.id.in_([r.id for r in rows])) if rows else {}
    today = at.date()
    out = []
    for row in rows:
        vac: Vacancy = row.Vacancy
        fit = sc.fit_level(vac.esco_uri, vac.isco_code, cand.esco_uri, cand.isco_code)
        if fit not in ALERT_FITS:
            continue
        radius = clamp_radius(row.radius_km)
        km = km_between(vac.gemeente_code, cand.gemeente_code) if cand.gemeente_code else None
        gap = sc.hours_gap(cand.hours_wanted, vac.hours_min, vac.hours_max)
        span = (cand.hours_wanted, cand.hours_wanted) if cand.hours_wanted is not None else None
        points, smaller = penalty(feedback.get(row.id, []), cand.isco_code, km, gap, span)
        if km is not None and km > min(radius, smaller if smaller is not None else radius):
            continue
        avail_points, avail_text = sc.availability(cand.available_from, today)
        hours_points, hours_text = sc.wanted_hours_part(cand.hours_wanted, vac.hours_min, vac.hours_max)
        score = (sc.FIT[fit] + sc.distance_points(km, radius) + hours_points
                 + sc.skills_part(cand.skills, vac.skills)[0] + avail_points - points)
        if score < MIN_SCORE:
            continue
        work = occupation_label(cand.esco_uri, cand.isco_code, cand.occupation)
        parts = [sc.FIT_TEXT[fit] + ("" if fit in ("beroep", "groep4") else f" ({work})"),
                 _distance_band(km), hours_text, avail_text if avail_points else ""]
        reason = ", ".join(p for p in parts if p)
        out.append(dict(subscription_id=row.id, pair_key=f"e:{vac.id}:{cand.id}", vacancy_id=vac.id,
                        candidate_id=cand.id, score=min(score, 100), reason=(reason[:1].upper() + reason[1:])[:300],
                        due_at=due_at(row.channel, row.frequency, at, spec)))
    return out


def insert_alerts(session: Session, rows: list[dict], at: dt.datetime) -> int:
    """Insert alert rows, skipping pairs that exist (ON CONFLICT DO NOTHING); returns how many are new."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Alert.__table__
    # Core executemany with RETURNING (SQLAlchemy's insertmanyvalues): one compiled statement, cached
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["pair_key"]).returning(table.c.id)
    created = 0
    for start in range(0, len(rows), CHUNK):
        chunk = [dict(row, status="wachtend", created_at=at, feedback=None, sent_at=None, opened_at=None,
                      reacted_at=None) for row in rows[start:start + CHUNK]]
        created += len(session.execute(statement, chunk).all())
    return created


def process_event(session: Session, event: AlertEvent, at: dt.datetime, spec: str) -> int:
    if event.kind == "vacature_gepubliceerd":
        vacancy = session.get(Vacancy, event.object_id)
        rows = match_vacancy(session, vacancy, at, spec) if vacancy is not None else []
    else:
        cand = session.get(Candidate, event.object_id)
        rows = match_candidate(session, cand, at, spec) if cand is not None else []
    return insert_alerts(session, rows, at) if rows else 0


def expire_closed(session: Session) -> int:
    """Waiting alerts whose vacancy closed (or, for an employer, whose candidate left) become `verlopen`.

    Run before delivery (delivery.claim_due). Correlated EXISTS on primary keys, anchored on the
    waiting alerts (index ix_alert_status_due), so its cost follows the waiting alerts, not the tables.
    """
    closed = select(Vacancy.id).where(Vacancy.id == Alert.vacancy_id, Vacancy.status != "open").exists()
    left = select(Candidate.id).where(Candidate.id == Alert.candidate_id,
                                      or_(Candidate.active.is_(False), Candidate.consent_at.is_(None))).exists()
    stale = and_(Alert.status == "wachtend", or_(closed, and_(Alert.pair_key.startswith("e:"), left)))
    # read first: most rounds find nothing, and an UPDATE would take SQLite's write lock even then
    if session.scalar(select(Alert.id).where(stale).limit(1)) is None:
        return 0
    result = session.execute(update(Alert).where(stale).values(status="verlopen")
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def process_events(session: Session, now: dt.datetime | None = None, limit: int = 100,
                   quiet: str = quiet_hours.DEFAULT_SPEC) -> int:
    """Match up to `limit` pending outbox events, oldest first; returns the number of new alerts.

    Each event runs in a savepoint: one that fails is rolled back, counted (`attempts`) and tried again
    next round, and given up after MAX_ATTEMPTS so it never blocks the queue.
    """
    at = now or clock_now()
    created = 0
    events = session.scalars(select(AlertEvent).where(AlertEvent.processed_at.is_(None))
                             .order_by(AlertEvent.id).limit(limit)).all()
    for event in events:
        try:
            with session.begin_nested():
                created += process_event(session, event, at, quiet)
                event.processed_at = at
        except Exception as exc:  # noqa: BLE001 — one bad event must not stop the others
            event.attempts += 1
            if event.attempts >= MAX_ATTEMPTS:
                event.processed_at = at
            log.warning("alert event %s failed (%s), attempt %d", event.id, type(exc).__name__, event.attempts)
    return created
