"""What the dialogue knows about the user, onto their `conversation` row (issue 10 item 5).

The staff workspace queues handoffs and callbacks per region and shows employers' chats to
accountmanagers and job seekers' chats to consulenten (staff/access.py). Those filters read
`conversation.role` and `conversation.region_code`; this module is the one production writer of
both, called by the action server on every user turn in which the role or a place changed.

Which place decides the region: for a job seeker the gemeente where they live (that gemeente decides
on beschut werk, bijstand and loonkostensubsidie, and its region's consulenten help them); for an
employer the place of work (the vacancy's region has the accountmanager). While the deciding place
is unknown, the other named place gives a provisional region, so a handoff is never queued
nationwide when the user did name a gemeente; the deciding place replaces it as soon as it is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from placement.models import Conversation
from placement.queries import find_gemeente

ROLES = ("werkgever", "werkzoekende")


@dataclass(frozen=True)
class Context:
    found: bool  # the conversation row exists (the gateway creates it before the first turn)
    role: str | None
    region_code: str | None


def deciding_place(role: str | None, home_place: str | None, work_place: str | None) -> str | None:
    """The gemeente name whose region the conversation belongs to (see the module docstring)."""
    home, work = find_gemeente(home_place), find_gemeente(work_place)
    first, second = (work, home) if role == "werkgever" else (home, work)
    chosen = first or second
    return chosen.name if chosen else None


def note_context(session: Session, sender_id: str, role: str | None, home_place: str | None,
                 work_place: str | None) -> Context:
    """Write role and region onto the conversation; a value the dialogue does not know is left alone."""
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        return Context(False, None, None)
    if role in ROLES:
        conversation.role = role
    place = find_gemeente(deciding_place(conversation.role, home_place, work_place))
    if place is not None:
        conversation.region_code = place.region_code
    return Context(True, conversation.role, conversation.region_code)
