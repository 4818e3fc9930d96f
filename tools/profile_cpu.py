"""CPU per turn for tools/profile_turn.py: process CPU from /proc, and a cProfile file summed by category.

`attribute(stats)` gives every function's own time to a (category, phase) pair: the category is the
nearest enclosing function that names one (e.g. `Event.as_dict` -> tracker serialisation, even when
it runs for an action call), the phase the nearest step of Rasa's turn (tracker load, NLU, slot
extraction, policy prediction, running actions, tracker save, lock, HTTP request). cProfile keeps
only caller -> callee edges, so a function called from several places is split over its callers in
proportion to the time each call edge took; own times add up to the profiled CPU exactly.
"""

from __future__ import annotations

import pstats
import sys
from collections import defaultdict
from pathlib import Path

from tools.proc_cpu import cmdline, snapshot, tree

# (category, piece of the file path, function name or None for every function of that file)
CATEGORIES = [
    ("nlu", "rasa/core/processor.py", "parse_message"),
    ("nlu", "rasa/nlu/", None), ("nlu", "sklearn", None), ("nlu", "scipy", None), ("nlu", "crfsuite", None),
    ("policies", "rasa/core/processor.py", "_predict_next_with_tracker"),
    ("policies", "rasa/core/policies/", None),
    ("policies", "rasa/core/featurizers/", None),
    ("policies", "rasa/shared/core/domain.py", "states_for_tracker_history"),
    ("tracker_serialisation", "rasa/shared/core/events.py", None),
    ("tracker_serialisation", "rasa/shared/core/trackers.py", "current_state"),
    ("tracker_serialisation", "rasa/shared/core/trackers.py", "from_dict"),
    ("tracker_serialisation", "rasa/shared/core/trackers.py", "from_events"),
    ("tracker_serialisation", "rasa/shared/core/trackers.py", "_reset"),
    ("tracker_serialisation", "rasa/shared/core/trackers.py", "replay_events"),
    ("tracker_serialisation", "json/", None), ("tracker_serialisation", "ujson", None),
    ("tracker_serialisation", "~", "<built-in method _json"),
    ("tracker_store_sql", "rasa/core/tracker_store.py", None),
    ("tracker_store_sql", "rasa_addons/tracker_store.py", None),
    ("tracker_store_sql", "sqlalchemy/", None), ("tracker_store_sql", "psycopg", None),
    ("tracker_store_sql", "~", "sqlite3"),
    ("lock_store", "rasa/core/lock_store.py", None), ("lock_store", "rasa/core/lock.py", None),
    ("lock_store", "redis/", None),
    ("action_response_check", "rasa/core/actions/action.py", "_validate_action_result"),
    ("action_response_check", "jsonschema/", None), ("action_response_check", "pyrsistent/", None),
    ("action_calls", "rasa/core/actions/action.py", "run"),
    ("action_calls", "rasa/utils/endpoints.py", None), ("action_calls", "aiohttp/", None),
    ("sanic_request", "sanic/", None), ("sanic_request", "rasa/core/channels/", None),
    ("sanic_request", "rasa_addons/channel.py", None), ("sanic_request", "httptools", None),
    ("logging", "logging/", None), ("logging", "structlog/", None),
    ("event_loop", "asyncio/", None), ("event_loop", "uvloop", None),
]
PHASES = [
    ("tracker_load", "fetch_tracker_and_update_session"), ("nlu", "parse_message"),
    ("extract_slots", "run_action_extract_slots"), ("predict", "_predict_next_with_tracker"),
    ("actions", "_run_action"), ("tracker_save", "save_tracker"), ("processor_other", "handle_message"),
]
PHASE_FILES = [("lock", "rasa/core/lock_store.py", "lock"), ("request", "sanic/app.py", "handle_request")]


def _match(func: tuple, rules) -> str | None:
    filename, _, name = func
    for label, path, function in rules:
        if path in filename and (function is None or name == function or
                                 (path == "~" and function in name)):
            return label
    return None


def _category(func: tuple) -> str | None:
    return _match(func, CATEGORIES)


def _phase(func: tuple) -> str | None:
    filename, _, name = func
    if filename.endswith("rasa/core/processor.py"):
        for label, function in PHASES:
            if name == function:
                return label
    return _match(func, PHASE_FILES)


def attribute(stats: pstats.Stats) -> dict[tuple[str, str], float]:
    """Seconds of own time per (category, phase); 'other' where no enclosing function names one."""
    raw = stats.stats  # func -> (cc, nc, tt, ct, callers{func: (cc, nc, tt, ct)})
    memo: dict[tuple, dict] = {}
    busy: set[tuple] = set()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

    def context(func: tuple) -> dict[tuple, float]:
        """Distribution over (category, phase) of the places `func` runs in, itself included."""
        if func in memo:
            return memo[func]
        if func in busy or func not in raw:
            return {(None, None): 1.0}
        busy.add(func)
        callers = raw[func][4]
        weights = {c: (edge[3] or edge[2] or edge[1]) for c, edge in callers.items()}
        total = sum(weights.values())
        mix: dict[tuple, float] = defaultdict(float)
        if not callers or total <= 0:
            mix[(None, None)] = 1.0
        else:
            for caller, weight in weights.items():
                for key, share in context(caller).items():
                    mix[key] += share * weight / total
        own_category, own_phase = _category(func), _phase(func)
        result: dict[tuple, float] = defaultdict(float)
        for (category, phase), share in mix.items():
            result[(own_category or category, own_phase or phase)] += share
        busy.discard(func)
        memo[func] = dict(result)
        return memo[func]

    seconds: dict[tuple[str, str], float] = defaultdict(float)
    for func, (_, _, own, _, _) in raw.items():
        for (category, phase), share in context(func).items():
            seconds[(category or "other", phase or "other")] += own * share
    return dict(seconds)


def summarise_profile(path: Path, turns: int, top: int = 25) -> dict:
    stats = pstats.Stats(str(path))
    per_turn = 1000 / max(1, turns)
    cells = attribute(stats)
    by_category: dict[str, float] = defaultdict(float)
    by_phase: dict[str, float] = defaultdict(float)
    for (category, phase), value in cells.items():
        by_category[category] += value
        by_phase[phase] += value

    def table(values: dict) -> dict:
        return {k: round(v * per_turn, 2) for k, v in sorted(values.items(), key=lambda kv: -kv[1])}

    def name(func: tuple) -> str:
        filename, line, function = func
        short = filename.split("site-packages/")[-1].split("/work/")[-1]
        return f"{short}:{line}:{function}"

    def ranked(index: int) -> list:
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][index])[:top]
        return [{"function": name(f), "own_ms": round(v[2] * per_turn, 2), "cum_ms": round(v[3] * per_turn, 2),
                 "calls": round(v[1] / max(1, turns), 1)} for f, v in rows]

    return {"profiled_cpu_ms_per_turn": round(sum(cells.values()) * per_turn, 1),
            "by_category_ms": table(by_category), "by_phase_ms": table(by_phase),
            "category_in_phase_ms": {f"{c} / {p}": v for (c, p), v in table(cells).items() if v >= 0.2},
            "top_cumulative": ranked(3), "top_own": ranked(2)}


def process_tree_cpu(root: int) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system, the process alone) of every descendant process of `root`, with its
    command line; read with the benchmark's /proc reader (tools/proc_cpu.py)."""
    snap = snapshot()
    return {pid: (cmdline(pid), snap[pid][3]) for pid in tree(root)(snap) if pid != root}


def label(command: str) -> str:
    return "rasa" if "rasa_addons.run" in command else "actions" if "actions.server" in command else command[:40]
