"""The conversations inbox: filters from the query string → one indexed query over conversation + summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from placement.models import Conversation
from staff.access import Staff, conversation_scope
from staff.models import ConversationIntent, ConversationSummary, ConversationTag
from staff.templating import AMSTERDAM

COUNT_CAP = 10_000  # beyond this the inbox says "meer dan 10.000" instead of counting every row
CHANNELS = ("web", "telegram")
ROLES = ("werkgever", "werkzoekende")


@dataclass
class Filters:
    kanaal: str = ""
    rol: str = ""
    van: str = ""
    tot: str = ""
    intentie: str = ""
    laag: str = ""
    fallback: str = ""
    overdracht: str = ""
    beoordeeld: str = ""
    label: str = ""
    regio: str = ""
    pagina: int = 1

    @classmethod
    def parse(cls, params) -> Filters:
        raw = {f.name: (params.get(f.name) or "").strip()[:80] for f in fields(cls)}
        try:
            page = max(1, min(int(raw.pop("pagina") or 1), 100_000))
        except ValueError:
            page = 1
        made = cls(**raw, pagina=page)
        made.kanaal = made.kanaal if made.kanaal in CHANNELS else ""
        made.rol = made.rol if made.rol in ROLES else ""
        made.beoordeeld = made.beoordeeld if made.beoordeeld in ("ja", "nee") else ""
        for name in ("laag", "fallback", "overdracht"):
            setattr(made, name, "1" if getattr(made, name) == "1" else "")
        made.van = made.van if _date(made.van) else ""
        made.tot = made.tot if _date(made.tot) else ""
        return made

    def query(self, **changes) -> dict:
        """As query parameters (for links: pagination keeps the filters)."""
        values = asdict(self) | changes
        if values.get("pagina") == 1:
            values["pagina"] = ""
        return values

    @property
    def active(self) -> bool:
        return any(v for k, v in asdict(self).items() if k != "pagina")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _utc_midnight(day: dt.date) -> dt.datetime:
    """Start of an Amsterdam calendar day, as naive UTC (how the database stores times)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=AMSTERDAM)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def conditions(session: Session, staff: Staff, f: Filters, low_confidence: float) -> list:
    c, s = Conversation, ConversationSummary
    where = [conversation_scope(staff, session)]
    if f.kanaal:
        where.append(c.channel == f.kanaal)
    if f.rol:
        where.append(c.role == f.rol)
    if f.regio:
        where.append(c.region_code == f.regio)
    if f.van:
        where.append(c.last_message_at >= _utc_midnight(_date(f.van)))
    if f.tot:
        where.append(c.last_message_at < _utc_midnight(_date(f.tot) + dt.timedelta(days=1)))
    if f.intentie:
        where.append(c.id.in_(select(ConversationIntent.conversation_id)
                              .where(ConversationIntent.intent == f.intentie)))
    if f.laag:
        where.append(s.min_confidence < low_confidence)
    if f.fallback:
        where.append(s.has_fallback.is_(True))
    if f.overdracht:
        where.append(or_(s.handoff_requested.is_(True), c.handoff_state != "none"))
    if f.beoordeeld == "ja":
        where.append(s.reviewed_at.is_not(None))
    elif f.beoordeeld == "nee":
        where.append(s.reviewed_at.is_(None))
    if f.label:
        where.append(c.id.in_(select(ConversationTag.conversation_id).where(ConversationTag.tag == f.label)))
    return where


@dataclass
class Page:
    rows: list
    total: int
    capped: bool
    page: int
    pages: int


def search(session: Session, staff: Staff, f: Filters, low_confidence: float, page_size: int) -> Page:
    c, s = Conversation, ConversationSummary
    where = conditions(session, staff, f, low_confidence)
    base = select(c.id).join(s, s.conversation_id == c.id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.limit(COUNT_CAP + 1).subquery()))
    capped = total > COUNT_CAP
    pages = max(1, -(-min(total, COUNT_CAP) // page_size))
    page = min(f.pagina, pages)
    query = (select(c.id, c.channel, c.role, c.region_code, c.handoff_state, c.created_at, c.last_message_at,
                    s.ref, s.user_messages, s.min_confidence, s.has_fallback, s.handoff_requested, s.reviewed_at)
             .join(s, s.conversation_id == c.id).where(*where)
             .order_by(c.last_message_at.desc(), c.id.desc()).limit(page_size).offset((page - 1) * page_size))
    rows = session.execute(query).all()
    ids = [r.id for r in rows]
    intents: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    if ids:
        for cid, intent in session.execute(select(ConversationIntent.conversation_id, ConversationIntent.intent)
                                           .where(ConversationIntent.conversation_id.in_(ids))
                                           .order_by(ConversationIntent.count.desc(), ConversationIntent.intent)):
            intents.setdefault(cid, []).append(intent)
        for cid, tag in session.execute(select(ConversationTag.conversation_id, ConversationTag.tag)
                                        .where(ConversationTag.conversation_id.in_(ids)).order_by(ConversationTag.tag)):
            tags.setdefault(cid, []).append(tag)
    # The raw conversation id stays on the server: templates get the public `ref` only.
    items = [dict(r._mapping, intents=intents.get(r.id, []), tags=tags.get(r.id, [])) for r in rows]
    for item in items:
        del item["id"]
    return Page(items, min(total, COUNT_CAP), capped, page, pages)


def known_tags(session: Session, limit: int = 200) -> list[str]:
    return list(session.scalars(select(ConversationTag.tag).distinct().order_by(ConversationTag.tag).limit(limit)))
