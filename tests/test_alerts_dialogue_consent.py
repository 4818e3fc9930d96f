"""The consent API of match alerts (placement/alerts/consent.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from placement.alerts import consent
from placement.alerts.models import Alert, AlertSubscription
from placement.db import session_scope
from placement.models import Employer, Vacancy
from placement.occupation_normaliser import esco_fields
from placement.seed import fix_sequence

GOUDA = "GM0513"


@pytest.fixture(scope="module")
def world(engine):
    with session_scope(engine) as s:
        s.add(Employer(id=1, name="Test BV", sector="logistiek", gemeente_code=GOUDA))
        s.flush()
        for vid in range(1, 8):
            s.add(Vacancy(id=vid, employer_id=1, title=f"Magazijnmedewerker {vid}",
                          **esco_fields("magazijnmedewerker"), hours_min=24, hours_max=32, gemeente_code=GOUDA,
                          status="open", origin="seed"))
        fix_sequence(s, Employer)
        fix_sequence(s, Vacancy)
    return engine


def _sub(s, conv, **extra):
    return consent.subscribe(s, conversation_id=conv, channel="web", kind="werkzoekende", job_title="magazijn",
                             isco_code="9333", gemeente_code=GOUDA, radius_km=25, hours=24, **extra)


def _alert(s, sub, vacancy_id, status="wachtend"):
    row = Alert(subscription_id=sub.id, pair_key=f"w:{sub.conversation_id}:{vacancy_id}", vacancy_id=vacancy_id,
                reason="het werk past bij wat u zoekt", status=status)
    s.add(row)
    s.flush()
    return row


def test_subscribe_stores_consent_with_a_timestamp_and_is_idempotent(world):
    with session_scope(world) as s:
        first = _sub(s, "web-a")
        assert first.status == "actief" and first.consented_at is not None
        assert first.region_code is not None  # derived from the gemeente, for the staff's region view
        again = _sub(s, "web-a", frequency="dagelijks")
        assert again.id == first.id and again.frequency == "dagelijks"
        assert s.scalar(select(AlertSubscription.id).where(AlertSubscription.conversation_id == "web-a")
                        .order_by(AlertSubscription.id.desc())) == first.id
        assert consent.is_subscribed(s, "web-a") and not consent.is_subscribed(s, "web-nobody")


def test_bad_kind_or_frequency_is_refused(world):
    with session_scope(world) as s:
        with pytest.raises(ValueError):
            consent.subscribe(s, conversation_id="web-x", channel="web", kind="iedereen")
        with pytest.raises(ValueError):
            consent.set_frequency(s, "web-x", "elk uur")


def test_set_frequency_counts_current_subscriptions(world):
    with session_scope(world) as s:
        _sub(s, "web-f")
        assert consent.set_frequency(s, "web-f", "dagelijks") == 1
        assert consent.set_frequency(s, "web-none", "dagelijks") == 0


def test_stop_twice_then_resubscribe_makes_a_new_consent(world):
    with session_scope(world) as s:
        sub = _sub(s, "web-s")
        waiting = _alert(s, sub, 1)
        assert consent.stop_all(s, "web-s") == 1
        assert consent.stop_all(s, "web-s") == 0  # polite "you had none" in the dialogue
        s.refresh(sub)
        s.refresh(waiting)
        assert sub.status == "gestopt" and sub.stopped_at is not None
        assert waiting.status == "verlopen"  # never shown after the stop
        assert consent.waiting_count(s, "web-s") == 0
        new = _sub(s, "web-s")
        assert new.id != sub.id and new.status == "actief" and new.consented_at >= sub.consented_at


def test_employer_subscriptions_are_per_vacancy(world):
    with session_scope(world) as s:
        a = consent.subscribe(s, conversation_id="web-e", channel="web", kind="werkgever", vacancy_id=1)
        b = consent.subscribe(s, conversation_id="web-e", channel="web", kind="werkgever", vacancy_id=2)
        assert a.id != b.id
        assert consent.subscribe(s, conversation_id="web-e", channel="web", kind="werkgever", vacancy_id=1).id == a.id
        assert consent.stop_all(s, "web-e") == 2


def test_take_waiting_marks_sent_once_and_counts(world):
    with session_scope(world) as s:
        sub = _sub(s, "web-t")
        for vid in (2, 3, 4):
            _alert(s, sub, vid)
        assert consent.waiting_count(s, "web-t") == 3 and consent.unread_count(s, "web-t") == 3
        taken = consent.take_waiting(s, "web-t", limit=2)
        assert [a.vacancy_id for a in taken] == [2, 3] and all(a.status == "verzonden" for a in taken)
        assert consent.waiting_count(s, "web-t") == 1 and consent.unread_count(s, "web-t") == 3
        assert [a.vacancy_id for a in consent.take_waiting(s, "web-t")] == [4]
        assert consent.take_waiting(s, "web-t") == []  # never shown twice
        assert consent.take_waiting(s, "web-other") == []


def test_react_only_on_own_alert_and_never_downgrades(world):
    with session_scope(world) as s:
        sub = _sub(s, "web-r")
        alert = _alert(s, sub, 5, status="verzonden")
        assert consent.react(s, "web-someone-else", alert.id, "geopend") is None
        assert consent.react(s, "web-r", "not a number", "geopend") is None
        assert consent.react(s, "web-r", "1e308", "geopend") is None
        opened = consent.react(s, "web-r", str(alert.id), "geopend")
        assert opened.status == "geopend" and opened.opened_at is not None
        applied = consent.react(s, "web-r", alert.id, "gesolliciteerd")
        assert applied.status == "gesolliciteerd" and applied.reacted_at is not None
        assert consent.react(s, "web-r", alert.id, "geopend").status == "gesolliciteerd"
        assert consent.unread_count(s, "web-r") == 0
        other = _alert(s, sub, 6, status="verzonden")
        done = consent.react(s, "web-r", other.id, "niet_passend", feedback="te_ver")
        assert done.status == "niet_passend" and done.feedback == "te_ver"
        assert consent.react(s, "web-r", other.id, "niet_passend", feedback="onzin").feedback == "te_ver"
        with pytest.raises(ValueError):
            consent.react(s, "web-r", other.id, "verwijderd")


def test_parse_alert_id_bounds():
    assert consent.parse_alert_id("12") == 12 and consent.parse_alert_id(7.0) == 7
    for bad in (None, "", "abc", "-3", "0", "inf", "nan", "1e308", [1]):
        assert consent.parse_alert_id(bad) is None
