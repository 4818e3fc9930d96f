"""`make bench`: latency of matching on 100,000 candidates and 20,000 vacancies, SQLite and PostgreSQL.

Builds (once) a database with the "large" demo data on each engine, then times a few hundred random
queries per direction (ISCO fit, kilometres within a radius, hours; chat searches include the ESCO
normaliser), each in its own session as the actions do. Prints one JSON line per
measurement on stdout (engine, direction, n, p50_ms, p95_ms); progress goes to stderr. Exit code 1
when a p95 misses the target. A second run reuses the databases (`--rebuild` starts over).

Environment: BENCH_SQLITE_URL (default var/bench/werkpunt-bench.db) and BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/werkpunt_bench; created if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from placement.db import DatabaseConfigError, make_engine, session_scope
from placement.matching import candidates_for_vacancy, search_vacancies, vacancies_for_candidate
from placement.models import Candidate, Employer, Vacancy
from placement.reference import gemeenten, load_reference, occupations
from placement.seed import seed_demo
from werkpunt.database import check_connection, migrate

ROOT = Path(__file__).resolve().parent.parent
SQLITE_URL = os.environ.get("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'werkpunt-bench.db'}")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/werkpunt_bench")
TARGET_P95_MS = 50.0


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database on the server if it does not exist yet."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                say(f"database {parsed.database} aanmaken")
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def build(url: str) -> Engine:
    """Migrate, load reference data and (once) the large demo data; ANALYZE after a build."""
    if make_url(url).get_backend_name() == "postgresql":
        ensure_postgres_database(url)
    engine = make_engine(url)
    check_connection(engine)
    migrate(url)
    with session_scope(engine) as s:
        load_reference(s)
    started = time.monotonic()
    with session_scope(engine) as s:
        created = seed_demo(s, size="large", report=say)
    if created:
        say(f"{engine.dialect.name}: gebouwd in {time.monotonic() - started:.0f}s; statistieken bijwerken")
    with engine.connect() as conn:  # planner statistics (cheap; also after migrations added indexes)
        conn.execute(text("ANALYZE"))
        conn.commit()
    with session_scope(engine) as s:
        counts = (s.scalar(select(func.count()).select_from(Candidate)),
                  s.scalar(select(func.count()).select_from(Vacancy)))
    say(f"{engine.dialect.name}: {counts[0]} werkzoekenden, {counts[1]} vacatures"
        + ("" if created else " (bestaande database hergebruikt)"))
    return engine


def _workload(engine: Engine, n: int, seed: int) -> dict[str, list[Callable]]:
    rng = random.Random(seed)
    with session_scope(engine) as s:
        cand_ids = list(s.scalars(select(Candidate.id).where(Candidate.active.is_(True)).order_by(Candidate.id)))
        vac_ids = list(s.scalars(select(Vacancy.id).where(Vacancy.status == "open").order_by(Vacancy.id)))
        assert s.scalar(select(func.count()).select_from(Employer))
    # Old vocabulary words and their synonyms, plus the everyday words of issue 11 (all through the
    # ESCO normaliser, so its cost is part of every chat search).
    words = [w for occ in occupations() for w in (occ.label, *occ.synonyms[:4])] + [
        "groenvoorziening", "poetsvrouw", "kapster", "orderpicker", "verzorgende", "buschauffeur"]
    places = [g.name for g in gemeenten()]
    searches = [(rng.choice(words), rng.choice(places), rng.choice([None, 16, 24, 32, 40]),
                 rng.choice([None, 10, 20, 50])) for _ in range(n)]
    from placement.queries import find_gemeente

    def chat(title: str, place: str, hours: int | None, radius: int | None):
        return lambda s: search_vacancies(s, title, find_gemeente(place).code, hours, page=rng.choice([0, 0, 1]),
                                          radius_km=radius)

    return {
        "candidate_to_vacancies": [lambda s, i=i: vacancies_for_candidate(s, i) for i in rng.sample(cand_ids, n)],
        "vacancy_to_candidates": [lambda s, i=i: candidates_for_vacancy(s, i) for i in rng.sample(vac_ids, n)],
        "chat_search": [chat(*args) for args in searches],
    }


def measure(engine: Engine, queries: list[Callable]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        with session_scope(engine) as s:
            query(s)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(url: str, n: int, seed: int) -> list[dict]:
    engine = build(url)
    results = []
    for direction, queries in _workload(engine, n, seed).items():
        measure(engine, queries[:20])  # warm up caches and connections
        timings = measure(engine, queries)
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        results.append({"engine": engine.dialect.name, "direction": direction, "n": len(timings),
                        "p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2),
                        "max_ms": round(max(timings), 2)})
        print(json.dumps(results[-1]), flush=True)
    engine.dispose()
    return results


def engines_main(argv: list[str] | None, description: str, run_one: Callable[[str, int, int], list[dict]],
                 n_help: str, seed: int, target_ms: float, sqlite_url: str = SQLITE_URL) -> int:
    """The command line shared by the database benchmarks: each engine in turn, exit 1 above the p95 target."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-n", type=int, default=300, help=n_help)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark databases")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one engine only")
    args = parser.parse_args(argv)
    urls = [u for u in (sqlite_url, POSTGRES_URL) if not args.only or make_url(u).get_backend_name() == args.only]
    results: list[dict] = []
    try:
        for url in urls:
            if args.rebuild:
                drop_database(url)
            results += run_one(url, args.n, args.seed)
    except DatabaseConfigError as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return 2
    missed = [r for r in results if r["p95_ms"] > target_ms]
    say(f"doel gehaald: p95 <= {target_ms:g} ms overal" if not missed else f"doel NIET gehaald voor {len(missed)} metingen")
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    return engines_main(argv, __doc__.splitlines()[0], run, "queries per direction (default 300)", 7, TARGET_P95_MS)


if __name__ == "__main__":
    sys.exit(main())
