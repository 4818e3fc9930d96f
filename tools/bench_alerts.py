"""`make bench`: a newly published vacancy matched against every opted-in job seeker (issue 16).

Builds (once) the large demo data (100,000 candidates, 20,000 vacancies; tools/bench_matching.build)
and gives 40 % of the registered candidates an active alert subscription with their own criteria
(occupation, gemeente, hours; radius 10/20/30 km; 70 % Telegram, 80 % direct): about 40,000 opted-in
job seekers. Then, for each of N random open vacancies, one alert-job step as the gateway runs it:
an outbox event is added and `matcher.process_events` turns it into alert rows (SQL pre-filter,
radius, feedback, INSERT .. ON CONFLICT DO NOTHING), timed from the event to the inserted alerts and
rolled back afterwards, so every vacancy meets the same state. Prints one JSON line per engine
(p50/p95/max ms, alerts per vacancy); exit 1 when a p95 is above 200 ms.

Environment: BENCH_ALERTS_SQLITE_URL (default var/bench/werkpunt-bench-alerts.db) and
BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/werkpunt_bench; created if missing).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time

from sqlalchemy import Engine, func, insert, select, text

from placement.alerts.matcher import process_events
from placement.alerts.models import AlertEvent, AlertSubscription
from placement.db import session_factory, session_scope
from placement.models import Candidate, Vacancy
from tools.bench_matching import ROOT, build, engines_main, say

SQLITE_URL = os.environ.get("BENCH_ALERTS_SQLITE_URL",
                            f"sqlite:///{ROOT / 'var' / 'bench' / 'werkpunt-bench-alerts.db'}")
TARGET_P95_MS = 200.0
OPT_IN_SHARE = 0.40
DAY = dt.datetime(2026, 12, 3, 9, 0)  # 10:00 in Amsterdam: outside quiet hours, nothing waits for it


def subscribe(engine: Engine, seed: int) -> int:
    """Give OPT_IN_SHARE of the registered candidates a subscription (once); returns how many exist."""
    with session_scope(engine) as s:
        existing = s.scalar(select(func.count()).select_from(AlertSubscription)
                            .where(AlertSubscription.kind == "werkzoekende"))
        if existing:
            return existing
        rows = s.execute(select(Candidate.id, Candidate.channel_key, Candidate.esco_uri, Candidate.isco_code,
                                Candidate.gemeente_code, Candidate.hours_wanted)
                         .where(Candidate.active.is_(True), Candidate.consent_at.is_not(None),
                                Candidate.isco_code.is_not(None)).order_by(Candidate.id)).all()
    rng = random.Random(seed)
    chosen = [r for r in rows if rng.random() < OPT_IN_SHARE]
    values = [dict(conversation_id=f"bench-{r.id}", channel="telegram" if rng.random() < 0.7 else "web",
                   kind="werkzoekende", candidate_id=r.id, esco_uri=r.esco_uri, isco_code=r.isco_code,
                   gemeente_code=r.gemeente_code, radius_km=rng.choice([10, 20, 20, 30]), hours=r.hours_wanted,
                   frequency="direct" if rng.random() < 0.8 else "dagelijks", status="actief",
                   consented_at=DAY, created_at=DAY) for r in chosen]
    with session_scope(engine) as s:
        for start in range(0, len(values), 2000):
            s.execute(insert(AlertSubscription), values[start:start + 2000])
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    say(f"{engine.dialect.name}: {len(values)} van {len(rows)} ingeschreven werkzoekenden krijgen meldingen")
    return len(values)


def measure(engine: Engine, vacancy_ids: list[int]) -> tuple[list[float], list[int]]:
    timings, created = [], []
    factory = session_factory(engine)
    for vacancy_id in vacancy_ids:
        with factory() as session:
            session.add(AlertEvent(kind="vacature_gepubliceerd", object_id=vacancy_id, created_at=DAY))
            session.flush()
            started = time.perf_counter()
            created.append(process_events(session, now=DAY, limit=1))
            session.flush()
            timings.append((time.perf_counter() - started) * 1000)
            session.rollback()  # the next vacancy meets the same database
    return timings, created


def run(url: str, n: int, seed: int) -> dict:
    engine = build(url)
    subscriptions = subscribe(engine, seed)
    with session_scope(engine) as s:
        pending = s.scalar(select(func.count()).select_from(AlertEvent).where(AlertEvent.processed_at.is_(None)))
        open_ids = list(s.scalars(select(Vacancy.id).where(Vacancy.status == "open").order_by(Vacancy.id)))
    if pending:
        raise SystemExit(f"{pending} onverwerkte alert-events in de benchmarkdatabase; gebruik --rebuild")
    sample = random.Random(seed).sample(open_ids, n)
    measure(engine, sample[:20])  # warm up caches and connections
    timings, created = measure(engine, sample)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    result = {"engine": engine.dialect.name, "direction": "vacancy_to_subscribers", "n": len(timings),
              "subscriptions": subscriptions, "p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2),
              "max_ms": round(max(timings), 2), "alerts_per_vacancy": round(statistics.mean(created), 1)}
    print(json.dumps(result), flush=True)
    engine.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    return engines_main(argv, __doc__.splitlines()[0], lambda url, n, seed: [run(url, n, seed)],
                        "vacancies to publish (default 300)", 16, TARGET_P95_MS, sqlite_url=SQLITE_URL)


if __name__ == "__main__":
    sys.exit(main())
