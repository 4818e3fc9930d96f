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
Writes reports/turn_profile.json.
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wp-profile-") as tmp:
        profile = Path(tmp) / "turns.jsonl"
        os.environ["WERKPUNT_TURN_PROFILE"] = str(profile)  # dialogue_stack passes os.environ to Rasa
        started = time.perf_counter()
        with dialogue_stack(Path(tmp), model=args.model) as base:
            ready = time.perf_counter() - started
            token = Settings().secret("rasa_token")
            round_trips: list[float] = []
            with httpx.Client(timeout=60, headers={TOKEN_HEADER: token}) as client:
                for _ in range(args.rounds + 1):  # the first conversation warms up graph and connections
                    sender = f"profile-{uuid.uuid4().hex[:10]}"
                    for text in WERKPUNT_CONVERSATION:
                        began = time.perf_counter()
                        client.post(f"{base}{CHANNEL_PATH}", json={"sender": sender, "message": text,
                                                                    "metadata": {"channel": "web"}}).raise_for_status()
                        round_trips.append(time.perf_counter() - began)
        lines = [json.loads(line) for line in profile.read_text(encoding="utf-8").splitlines()]
    skip = len(WERKPUNT_CONVERSATION)
    result = {"model": (args.model.name if args.model else "current"), "turns": len(lines) - skip,
              "rasa_and_actions_ready_s": round(ready, 1),
              "client_round_trip_median_ms": round(statistics.median(round_trips[skip:]) * 1000, 1),
              "load_average": [round(x, 2) for x in os.getloadavg()], "parts": summarise(lines, skip)}
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "turn_profile.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
