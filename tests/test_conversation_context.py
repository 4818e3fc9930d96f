"""Role and region onto the conversation (placement.services.context), on SQLite and PostgreSQL.

The dialogue side (the action server's per-turn hook, through the real Rasa) is in
tests/test_understanding_stack.py; this checks the rule itself on a real database.
"""

from __future__ import annotations

from placement.db import session_scope
from placement.models import Conversation
from placement.queries import find_gemeente
from placement.services.context import deciding_place, note_context


def region(name: str) -> str:
    return find_gemeente(name).region_code


def test_job_seekers_home_and_employers_work_place_decide():
    assert deciding_place("werkzoekende", "Kampen", "Zwolle") == "Kampen"
    assert deciding_place("werkgever", "Kampen", "Tilburg") == "Tilburg"
    assert deciding_place("werkzoekende", None, "zwolle") == "Zwolle"  # provisional until home is known
    assert deciding_place(None, None, "Atlantis") is None


def test_note_context_writes_role_and_region_and_keeps_what_it_does_not_know(engine):
    with session_scope(engine) as s:
        s.add(Conversation(id="ctx-1", channel="web"))
    with session_scope(engine) as s:
        assert note_context(s, "ctx-1", None, None, "Amersfoort").region_code == region("Amersfoort")
    with session_scope(engine) as s:
        done = note_context(s, "ctx-1", "werkzoekende", "Leeuwarden", "Amersfoort")
        assert (done.role, done.region_code) == ("werkzoekende", region("Leeuwarden"))
    with session_scope(engine) as s:
        note_context(s, "ctx-1", None, None, "Atlantis")  # unknown place, unknown role: nothing changes
    with session_scope(engine) as s:
        row = s.get(Conversation, "ctx-1")
        assert (row.role, row.region_code) == ("werkzoekende", region("Leeuwarden"))
        assert not note_context(s, "no-such-conversation", "werkgever", None, "Gouda").found
