"""Figures for the overview page, always within the staff member's own regions (admins: all)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session

from placement.clock import now
from placement.models import Conversation, Lead
from staff import alert_figures
from staff.access import Staff, conversation_scope, lead_scope, queue_scope
from staff.models import ConversationIntent, ConversationSummary, Handoff
from staff.templating import AMSTERDAM

DAYS = 14


def _day(session: Session, column):
    """Calendar day in Amsterdam (today's UTC offset), as text 'YYYY-MM-DD', on SQLite and PostgreSQL."""
    offset = int(dt.datetime.now(AMSTERDAM).utcoffset().total_seconds() // 3600)
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{offset:+d} hours")
    return func.to_char(column + func.make_interval(0, 0, 0, 0, literal(offset, Integer)), "YYYY-MM-DD")


@dataclass
class Overview:
    days: list[str]
    per_channel: dict[str, list[int]]
    fallback_rate: list[float]
    handoffs: list[int]
    top_intents: list[tuple[str, int]]
    conversations: int
    fallback_total: float | None
    median_wait: dt.timedelta | None
    waiting_now: int
    open_leads: int
    alerts: list = field(default_factory=list)  # issue 16: staff/alert_figures.RegionFigures per region


def overview(session: Session, staff: Staff, today: dt.date | None = None) -> Overview:
    today = today or dt.datetime.now(AMSTERDAM).date()
    days = [(today - dt.timedelta(days=DAYS - 1 - i)).isoformat() for i in range(DAYS)]
    since = dt.datetime.combine(today - dt.timedelta(days=DAYS), dt.time()) - dt.timedelta(hours=2)
    scope = conversation_scope(staff, session)
    c, s = Conversation, ConversationSummary

    day = _day(session, c.created_at).label("day")
    per_channel: dict[str, list[int]] = defaultdict(lambda: [0] * DAYS)
    for d, channel, n in session.execute(select(day, c.channel, func.count()).where(scope, c.created_at >= since)
                                         .group_by(day, c.channel)):
        if str(d) in days:
            per_channel[channel or "?"][days.index(str(d))] = n

    fb_total = [0] * DAYS
    fb_hits = [0] * DAYS
    query = (select(day, func.count(), func.sum(cast(case((s.has_fallback.is_(True), 1), else_=0), Integer)))
             .join(s, s.conversation_id == c.id).where(scope, c.created_at >= since, s.user_messages > 0)
             .group_by(day))
    for d, n, hits in session.execute(query):
        if str(d) in days:
            fb_total[days.index(str(d))], fb_hits[days.index(str(d))] = n, hits or 0
    rates = [hits / n if n else 0.0 for hits, n in zip(fb_hits, fb_total)]

    taken = _day(session, Handoff.taken_at).label("day")
    handoffs = [0] * DAYS
    waits: list[dt.timedelta] = []
    for d, requested, taken_at in session.execute(
            select(taken, Handoff.requested_at, Handoff.taken_at).join(c, c.id == Handoff.conversation_id)
            .where(scope, Handoff.taken_at >= since)):
        if str(d) in days:
            handoffs[days.index(str(d))] += 1
            if requested is not None and taken_at >= requested:
                waits.append(taken_at - requested)

    month = now() - dt.timedelta(days=30)
    top = session.execute(select(ConversationIntent.intent, func.sum(ConversationIntent.count).label("n"))
                          .join(c, c.id == ConversationIntent.conversation_id)
                          .where(scope, c.last_message_at >= month)
                          .group_by(ConversationIntent.intent).order_by(func.sum(ConversationIntent.count).desc())
                          .limit(10)).all()
    waiting_now = session.scalar(select(func.count()).select_from(c).where(queue_scope(staff))) or 0
    open_leads = session.scalar(select(func.count()).select_from(Lead).where(lead_scope(staff),
                                                                           Lead.status != "afgerond")) or 0
    return Overview(
        days=days, per_channel=dict(sorted(per_channel.items())), fallback_rate=rates, handoffs=handoffs,
        top_intents=[(name, int(n)) for name, n in top], conversations=sum(sum(v) for v in per_channel.values()),
        fallback_total=(sum(fb_hits) / sum(fb_total)) if sum(fb_total) else None,
        median_wait=statistics.median(waits) if waits else None, waiting_now=waiting_now, open_leads=open_leads,
        alerts=alert_figures.per_region(session, staff))
