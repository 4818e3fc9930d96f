"""Stable references and careful storage: ids are never reused, erased data leaves no bytes behind in
SQLite's files, database and secret files are owner-only, and BSNs and health details are recognised."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from bot.store import Store
from placement.db import checkpoint, make_engine, session_scope
from placement.models import Candidate, Lead
from placement.reference import load_reference
from placement.seed import seed_demo
from placement.sensitive import BSN_PLACEHOLDER, looks_like_bsn, mentions_health, redact_bsn
from placement.services.routing import create_lead
from werkpunt.database import migrate


# --- ids that users and staff see ----------------------------------------------------------------
def test_a_deleted_leads_reference_is_never_handed_out_again(engine):
    with session_scope(engine) as s:
        _lead, first = create_lead(s, "callback", "accountmanager", "AM20", sender_id="ids-1")
    with session_scope(engine) as s:
        s.delete(s.get(Lead, first.lead_id))  # the newest lead: SQLite without AUTOINCREMENT reused its id
    with session_scope(engine) as s:
        _lead, second = create_lead(s, "callback", "accountmanager", "AM20", sender_id="ids-2")
    assert second.reference != first.reference and second.lead_id > first.lead_id


def test_a_deleted_candidates_id_is_never_handed_out_again(engine):
    with session_scope(engine) as s:
        first = Candidate(channel_key="ids-c1", gemeente_code="GM0513")
        s.add(first)
        s.flush()
        first_id = first.id
    with session_scope(engine) as s:
        s.delete(s.get(Candidate, first_id))
    with session_scope(engine) as s:
        second = Candidate(channel_key="ids-c2", gemeente_code="GM0513")
        s.add(second)
        s.flush()
        assert second.id > first_id


def test_migration_0007_keeps_every_row_and_the_ids_of_existing_tables(tmp_path):
    db_url = f"sqlite:///{tmp_path}/before-0007.db"  # PostgreSQL needs no rebuild: serial ids are never reused
    migrate(db_url, "0006")
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        load_reference(s)
    with session_scope(engine) as s:
        seed_demo(s, "small", 7, None)
    tables = ("staff_member", "staff_region", "employer", "vacancy", "candidate", "application")
    with engine.connect() as conn:
        before = {t: conn.execute(text(f"SELECT COUNT(*), COALESCE(SUM(rowid), 0) FROM {t}")).one() for t in tables}
        newest = conn.execute(text("SELECT MAX(id) FROM candidate")).scalar()
    engine.dispose()
    migrate(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        after = {t: conn.execute(text(f"SELECT COUNT(*), COALESCE(SUM(rowid), 0) FROM {t}")).one() for t in tables}
        schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'candidate'")).scalar()
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on after the rebuild
    assert after == before  # rebuilding never cascade-deleted applications or staff regions
    assert "AUTOINCREMENT" in schema
    with session_scope(engine) as s:
        s.delete(s.get(Candidate, newest))
    with session_scope(engine) as s:
        fresh = Candidate(channel_key="after-0007")
        s.add(fresh)
        s.flush()
        assert fresh.id == newest + 1 and s.get(Candidate, newest) is None
    engine.dispose()


# --- erasure leaves no bytes in SQLite's files ---------------------------------------------------
def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _store(tmp_path: Path, secure_delete_off: bool = False) -> tuple[Store, Path]:
    path = tmp_path / f"gw-{uuid.uuid4().hex[:6]}.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    if secure_delete_off:  # the control: what SQLite leaves behind without secure_delete
        event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA secure_delete=OFF"))
    with session_scope(engine) as s:
        load_reference(s)
    return Store(engine, None), path


def _chat_with_an_email(store: Store, email: str) -> str:
    conversation = "web-" + uuid.uuid4().hex
    store.add_user_message(conversation, "web", None, f"Mail mij op {email} alstublieft")
    store.add_message(conversation, "bot", "Dank u wel.")
    return conversation


def test_an_erased_conversation_leaves_no_bytes_in_the_database_or_its_wal(tmp_path):
    store, path = _store(tmp_path)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    email = f"wis-{uuid.uuid4().hex[:10]}@example.org".encode()
    conversation = _chat_with_an_email(store, email.decode())
    keep = _chat_with_an_email(store, "blijft@example.org")
    assert email in _raw(path)
    store.delete_conversation(conversation)
    assert email not in _raw(path)
    assert path.with_name(path.name + "-wal").stat().st_size == 0  # checkpointed and truncated
    assert [m.text for m in store.history(keep)][0].startswith("Mail mij op blijft@")


def test_the_byte_search_would_see_leftovers(tmp_path):
    """Controls: without secure_delete, or without the checkpoint, the deleted text is still on disk."""
    store, path = _store(tmp_path, secure_delete_off=True)
    email = f"controle-{uuid.uuid4().hex[:10]}@example.org".encode()
    store.delete_conversation(_chat_with_an_email(store, email.decode()))
    assert email in _raw(path)
    store, path = _store(tmp_path)
    email = f"wal-{uuid.uuid4().hex[:10]}@example.org".encode()
    conversation = _chat_with_an_email(store, email.decode())
    with session_scope(store.engine) as s:  # a deletion without the checkpoint
        s.execute(text("DELETE FROM chat_message WHERE conversation_id = :c"), {"c": conversation})
    assert email in _raw(path)
    assert checkpoint(store.engine) and email not in _raw(path)


# --- files only their owner can read ----------------------------------------------------------------
def test_sqlite_files_are_created_owner_only_and_old_ones_are_tightened(tmp_path):
    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
        conn.execute(text("INSERT INTO t VALUES ('persoonsgegevens')"))
    for file in (path, path.with_name("new.db-wal"), path.with_name("new.db-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    engine.dispose()
    old = tmp_path / "old.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    make_engine(f"sqlite:///{old}").dispose()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_the_tracker_store_file_is_made_owner_only_before_rasa_creates_it(tmp_path):
    from werkpunt.rasa_env import tracker_env

    env = tracker_env(f"sqlite:///{tmp_path}/tracker.db")
    assert stat.S_IMODE(Path(env["TRACKER_DB"]).stat().st_mode) == 0o600


# --- BSN and health details -------------------------------------------------------------------------
def test_bsn_numbers_are_recognised_and_redacted():
    assert looks_like_bsn("mijn bsn is 123456782") and looks_like_bsn("1234.56.782")
    assert looks_like_bsn(f"mijn bsn is {BSN_PLACEHOLDER}")  # the gateway's replacement still counts
    assert not looks_like_bsn("0612345678") and not looks_like_bsn("123456789")  # phone; not eleven-proof
    assert redact_bsn("bsn 123456782, bel 0612345678") == f"bsn {BSN_PLACEHOLDER}, bel 0612345678"


@pytest.mark.parametrize("text", [
    "ik heb een burn-out gehad", "Ik ben ziek", "ik heb autisme", "ik gebruik medicijnen", "ADHD",
    "ik heb een lichamelijke beperking", "mijn handicap", "na mijn depressie", "diagnose: reuma", "ik ben doof",
])
def test_health_details_are_recognised(text):
    assert mentions_health(text)


@pytest.mark.parametrize("text", [
    "schoonmaker in het ziekenhuis", "ziekenverzorgende", "begeleider van mensen met een beperking",
    "verpleegkundige", "apothekersassistent", "maandagochtend", "Bakkerij Ziekman", "zorgmedewerker",
    "ziekteverzuimbegeleider",
])
def test_everyday_job_words_are_not_health_details(text):
    assert not mentions_health(text)
