"""Per-turn cost against conversation length: one conversation of 200 turns through Rasa.

`.venv/app/bin/python -m tools.bench_length [--turns 200] [--tracker-store-url URL]`

Starts the action server and Rasa (tools.bench_rasa.dialogue_stack: fresh SQLite placement database,
SQLite tracker store unless --tracker-store-url is given) and sends one conversation of `--turns`
messages, one after the other, cycling through a realistic mix (job search with database actions,
more results, instrument questions, small talk). Prints the median latency per block of 20 turns and
the ratio median(turns 181-200) / median(turns 1-20) as JSON; writes reports/length_curve.json.
The machine is shared, so compare the ratio within one run, not absolute numbers between runs; each
turn is also paired with the same message in a short conversation (ratio_long_short_per_block), which
cancels most of the load that other processes put on the machine while the run goes on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bot.rasa_client import CHANNEL_PATH, TOKEN_HEADER
from settings import ROOT, Settings

CYCLE = ["hallo", "ik zoek werk als kok in Zwolle", "meer", "wat is loonkostensubsidie?", "hoe werkt de no-riskpolis",
         "ik zoek werk als schoonmaker in Utrecht", "wat is jobcarving", "bedankt", "ben jij een robot",
         "wat zijn jullie openingstijden"]
BLOCK = 20


def curve(latencies: list[float]) -> dict[str, object]:
    """Median per block of BLOCK turns and the last block's median over the first block's."""
    blocks = [latencies[i:i + BLOCK] for i in range(0, len(latencies), BLOCK)]
    medians = [round(statistics.median(b) * 1000, 1) for b in blocks if b]
    return {"block_turns": BLOCK, "median_ms_per_block": medians,
            "ratio_last_first": round(medians[-1] / medians[0], 2) if medians and medians[0] else None}


def _turn(client: httpx.Client, base: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    response = client.post(f"{base}{CHANNEL_PATH}", json={"sender": sender, "message": text,
                                                          "metadata": {"channel": "web"}})
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or not response.json():
        raise RuntimeError(f"HTTP {response.status_code} {response.text[:80]}")
    return elapsed


def run_conversation(base: str, token: str, turns: int, reference: list[float] | None = None) -> list[float]:
    """Send `turns` messages in one conversation; returns each turn's latency in seconds.

    With `reference`, every turn is followed by the same message in a short conversation (a new one
    every BLOCK turns), whose latencies go there: the machine is shared, and the long turn over the
    short turn at the same moment cancels most of the other helpers' load."""
    sender = f"length-{uuid.uuid4().hex[:12]}"
    latencies: list[float] = []
    with httpx.Client(timeout=60, headers={TOKEN_HEADER: token}) as client:
        for i in range(turns):
            text = CYCLE[i % len(CYCLE)]
            latencies.append(_turn(client, base, sender, text))
            if reference is not None:
                reference.append(_turn(client, base, f"{sender}-short-{i // BLOCK}", text))
    return latencies


def main(argv: list[str] | None = None) -> int:
    from tools.bench_rasa import dialogue_stack

    parser = argparse.ArgumentParser(prog="tools.bench_length")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--tracker-store-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wp-length-") as tmp, \
            dialogue_stack(Path(tmp), tracker_store_url=args.tracker_store_url or None) as base:
        token = Settings().secret("rasa_token")
        run_conversation(base, token, 3)  # warm-up in another conversation: model graph, DB connections
        short: list[float] = []
        result = curve(run_conversation(base, token, args.turns, short))
    reference = curve(short)["median_ms_per_block"]
    result["short_conversation_median_ms_per_block"] = reference
    result["ratio_long_short_per_block"] = [round(a / b, 2) for a, b in zip(result["median_ms_per_block"], reference)]
    result["turns"] = args.turns
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "length_curve.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
