"""Profile one turn: where Rasa spends the time of a web chat turn, per component, as JSON.

`.venv/app/bin/python -m tools.profile_turn [--rounds 5] [--model models/x.tar.gz]`

Starts the action server and Rasa (tools.bench_rasa.dialogue_stack: fresh SQLite databases) with
WERKPUNT_TURN_PROFILE set, so Rasa writes one line of timings per turn (rasa_addons/turn_profile.py),
and sends the benchmark's mixed conversation (tools.bench_stock.WERKPUNT_CONVERSATION: job search and
more results from the database, instrument questions, thanks) `--rounds` times, one turn at a time.
Prints, per part of a turn, the median milliseconds per turn and how often it ran per turn: tracker
load and save, NLU, slot extraction (with the action_validate_slot_mappings call), policy predictions
(each bot action is one), every graph component, every action (custom ones: the HTTP call to the
action server, which includes the queries). Also the seconds until Rasa answered /status (model load)
and the HTTP round trip seen by the client. The gateway's own share is tools/bench_gateway.py's.
Always: CPU ms per measured turn of the Rasa and action-server processes (user + system from /proc,
so it does not depend on the load of other processes). `--cprofile`: Rasa runs its main thread under
cProfile for the measured turns (rasa_addons/cprofile_turns.py, thread CPU as the clock) and the
report adds CPU ms per turn by category (NLU, policies, tracker (de)serialisation, tracker store SQL,
lock store, action calls, Sanic, logging, event loop) and by step of the turn, and the top functions
by cumulative and own time (tools/profile_cpu.py). cProfile roughly doubles the CPU it measures:
compare categories within one run; the /proc figure of a run without --cprofile is the real cost.
Writes reports/turn_profile.json (--cprofile: reports/turn_cprofile.json and .prof).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from settings import ROOT, Settings
from tools.bench_stock import WERKPUNT_CONVERSATION
from tools.profile_cpu import label, process_tree_cpu, summarise_profile


def summarise(lines: list[dict], skip: int) -> dict[str, dict[str, float]]:
    """Median ms per turn (0 where a part did not run) and mean calls per turn, largest first."""
    turns = lines[skip:]
    keys = {key for line in turns for key in line["ms"]}
    parts = {}
    for key in keys:
        values = [line["ms"].get(key, 0.0) for line in turns]
        calls = [line["count"].get(key, 1 if key == "turn" else 0) for line in turns]
        parts[key] = {"median_ms": round(statistics.median(values), 1), "mean_ms": round(statistics.fmean(values), 1),
                      "calls_per_turn": round(statistics.fmean(calls), 2)}
    return dict(sorted(parts.items(), key=lambda item: -item[1]["mean_ms"]))


def main(argv: list[str] | None = None) -> int:
    from tools.bench_rasa import dialogue_stack

    parser = argparse.ArgumentParser(prog="tools.profile_turn")
    parser.add_argument("--rounds", type=int, default=5, help="conversations, one after the other")
    parser.add_argument("--model", type=Path, default=None, help="default: the current trained model")
    parser.add_argument("--cprofile", action="store_true", help="cProfile Rasa's main thread, CPU by category")
    parser.add_argument("--same-conversation", action="store_true",
                        help="every round in one conversation (a long session: 6 turns per round)")
    parser.add_argument("--top", type=int, default=25, help="--cprofile: functions listed per ranking")
    parser.add_argument("--rasa-own", action="store_true",
                        help="without rasa_addons' per-turn savings (WERKPUNT_TURN_SPEEDUPS=0): the 'before'")
    args = parser.parse_args(argv)
    if args.rasa_own:
        os.environ["WERKPUNT_TURN_SPEEDUPS"] = "0"
    skip = len(WERKPUNT_CONVERSATION)
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wp-profile-") as tmp:
        profile = Path(tmp) / "turns.jsonl"
        cprofile = reports / "turn_cprofile.prof"
        if not args.cprofile:  # the per-turn timers' shared wrappers would blur cProfile's call graph
            os.environ["WERKPUNT_TURN_PROFILE"] = str(profile)  # dialogue_stack passes os.environ to Rasa
        else:
            cprofile.unlink(missing_ok=True)
            os.environ["WERKPUNT_CPROFILE"] = str(cprofile)
            os.environ["WERKPUNT_CPROFILE_SKIP"] = str(skip)
        started = time.perf_counter()
        with dialogue_stack(Path(tmp), model=args.model) as base:
            ready = time.perf_counter() - started
            token = Settings().secret("rasa_token")
            round_trips: list[float] = []
            cpu_before: dict[int, tuple[str, float]] = {}
            with httpx.Client(timeout=60, headers={TOKEN_HEADER: token}) as client:
                for round_ in range(args.rounds + 1):  # the first conversation warms up graph and connections
                    if round_ == 1:
                        cpu_before = process_tree_cpu(os.getpid())
                    if round_ < 2 or not args.same_conversation:
                        sender = f"profile-{uuid.uuid4().hex[:10]}"
                    for text in WERKPUNT_CONVERSATION:
                        began = time.perf_counter()
                        client.post(f"{base}{CHANNEL_PATH}", json={"sender": sender, "message": text,
                                                                    "metadata": {"channel": "web"}}).raise_for_status()
                        round_trips.append(time.perf_counter() - began)
            cpu_after = process_tree_cpu(os.getpid())
        lines = [json.loads(line) for line in profile.read_text(encoding="utf-8").splitlines()] \
            if profile.exists() else [{"ms": {}, "count": {}}] * len(round_trips)
    measured = len(lines) - skip
    cpu: dict[str, float] = defaultdict(float)
    for pid, (command, seconds) in cpu_after.items():
        cpu[label(command)] += (seconds - cpu_before.get(pid, (command, 0.0))[1]) * 1000 / max(1, measured)
    result = {"model": (args.model.name if args.model else "current"), "turns": measured,
              "cprofile": args.cprofile, "rasa_own": args.rasa_own, "same_conversation": args.same_conversation,
              "cpu_ms_per_turn": {k: round(v, 1) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
              "rasa_and_actions_ready_s": round(ready, 1),
              "client_round_trip_median_ms": round(statistics.median(round_trips[skip:]) * 1000, 1),
              "load_average": [round(x, 2) for x in os.getloadavg()], "parts": summarise(lines, skip)}
    if args.cprofile:
        result["profile"] = summarise_profile(cprofile, measured, args.top)
    (reports / f"turn_{'c' if args.cprofile else ''}profile{'_rasa_own' if args.rasa_own else ''}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
