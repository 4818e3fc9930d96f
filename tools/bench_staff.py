"""Inbox benchmark: 100,000 conversations on SQLite and PostgreSQL.

    .venv/app/bin/python -m tools.bench_staff [--conversations 100000] [--backends sqlite,postgresql]

Conversations, summaries, intents and tags are bulk-inserted (the inbox never reads Rasa's events);
the summary refresh is measured separately on conversations with full Rasa events.
PostgreSQL comes from TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from placement import clock
from placement.db import make_engine, session_scope
from placement.models import Conversation
from placement.reference import load_reference
from staff import demo, summary
from staff.access import Staff
from staff.inbox import Filters, search
from staff.models import ConversationIntent, ConversationSummary, ConversationTag
from tests.staff_support import free_port, login, make_staff, workspace
from werkpunt.database import migrate

INTENTS = ["greet", "search_jobs", "post_vacancy", "ask_wage_subsidy", "request_human", "ask_sheltered_work",
           "nlu_fallback", "identify_as_employer", "identify_as_jobseeker", "ask_benefits_impact", "goodbye"]
REGIONS = ["AM20", "AM06", "AM02", "AM17", "AM24", "AM28", "AM01", "AM10", "AM33", "AM35"]
CASES = [
    ("geen filter", {}),
    ("kanaal=telegram", {"kanaal": "telegram"}),
    ("intentie=ask_sheltered_work", {"intentie": "ask_sheltered_work"}),
    ("laag=1", {"laag": "1"}),
    ("fallback + niet beoordeeld", {"fallback": "1", "beoordeeld": "nee"}),
    ("overdracht=1", {"overdracht": "1"}),
    ("label (zeldzaam)", {"label": "klacht"}),
    ("datum 7 dagen", {"van": "{week}", "tot": "{today}"}),
    ("pagina 50", {"pagina": "50"}),
]


def fill(engine, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    now = clock.now()
    batch = 10_000
    for start in range(0, n, batch):
        convs, sums, intents, tags = [], [], [], []
        for i in range(start, min(n, start + batch)):
            cid = f"bench-{i:07d}-{uuid.uuid4().hex[:8]}"
            last = now - dt.timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            region = rng.choice(REGIONS) if rng.random() < 0.85 else None
            convs.append(dict(id=cid, channel=rng.choice(["web", "web", "telegram"]),
                              role=rng.choice(["werkgever", "werkzoekende", None]), region_code=region,
                              handoff_state="requested" if rng.random() < 0.005 else "none",
                              created_at=last - dt.timedelta(minutes=rng.randint(1, 30)), last_message_at=last))
            chosen = rng.sample(INTENTS, rng.randint(1, 4))
            sums.append(dict(conversation_id=cid, ref=summary.conversation_ref(cid), user_messages=rng.randint(1, 12),
                             nlu_messages=rng.randint(0, 8), min_confidence=rng.random(),
                             has_fallback="nlu_fallback" in chosen, handoff_requested="request_human" in chosen,
                             last_event_id=0, reviewed_at=last if rng.random() < 0.05 else None))
            intents += [dict(conversation_id=cid, intent=name, count=1) for name in chosen]
            if rng.random() < 0.002:
                tags.append(dict(conversation_id=cid, tag="klacht"))
        with engine.begin() as conn:
            conn.execute(insert(Conversation), convs)
            conn.execute(insert(ConversationSummary), sums)
            conn.execute(insert(ConversationIntent), intents)
            if tags:
                conn.execute(insert(ConversationTag), tags)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def timed(fn, runs: int = 5) -> float:
    fn()  # warm up caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run_backend(name: str, url: str, n: int) -> None:
    migrate(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference(s)
    started = time.perf_counter()
    fill(engine, n)
    print(f"\n## {name}: {n:,} gesprekken aangemaakt in {time.perf_counter() - started:.0f}s")
    today = dt.date.today()
    admin = Staff(1, "Beheer", "a@x", "admin", (), "s", "c")
    consulent = Staff(2, "Consulent", "c@x", "consulent", ("AM20",), "s", "c")
    print("| filter | admin (alle regio's) ms | consulent (1 regio) ms |\n|---|---|---|")
    for label, params in CASES:
        params = {k: v.format(week=today - dt.timedelta(days=7), today=today) for k, v in params.items()}
        row = []
        for who in (admin, consulent):
            with Session(engine) as session:
                row.append(timed(lambda: search(session, who, Filters.parse(params), 0.6, 50)))
        print(f"| {label} | {row[0]:.1f} | {row[1]:.1f} |")
    with Session(engine) as session:
        noop = timed(lambda: summary.refresh(session, None))
    print(f"| samenvatting verversen zonder nieuwe events | {noop:.1f} | |")
    print("\nHele pagina over HTTP (uvicorn, inloggen, verversen, query, HTML):")
    print("| pagina | admin ms | consulent ms |\n|---|---|---|")
    make_staff(engine, "admin@bench.example", "admin")
    make_staff(engine, "consulent@bench.example", "consulent", ("AM20",))
    with workspace(engine, None, free_port()) as (served, _app):
        clients = [login(served.url, email)[0] for email in ("admin@bench.example", "consulent@bench.example")]
        for path in ("/staff/conversations", "/staff/conversations?laag=1&kanaal=web", "/staff/"):
            row = [timed(lambda: client.get(path).raise_for_status()) for client in clients]
            print(f"| {path} | {row[0]:.1f} | {row[1]:.1f} |")
    tracker_url = url if name == "postgresql" else url.replace(".db", "-tracker.db")
    tracker_engine = make_engine(tracker_url)
    demo.generate(engine, tracker_engine, 5_000, seed=3)
    with Session(engine) as session:
        started = time.perf_counter()
        folded = summary.refresh(session, tracker_engine, limit=10_000_000)
        took = time.perf_counter() - started
    print(f"\nverversen: 5.000 nieuwe gesprekken, {folded:,} events in {took:.1f}s ({folded / took:,.0f} events/s)")
    engine.dispose()
    tracker_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args.conversations)
    if "postgresql" in backends:
        server = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        name = f"wp_staff_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run_backend("postgresql", make_url(server).set(database=name).render_as_string(hide_password=False),
                        args.conversations)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
