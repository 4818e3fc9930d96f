"""How the launcher speaks to the operator: one Dutch line per step, errors on stderr."""

from __future__ import annotations

import sys


def say(message: str) -> None:
    print(f"[werkpunt] {message}", flush=True)


def fail(message: str, code: int = 2) -> int:
    print(f"[werkpunt] FOUT: {message}", file=sys.stderr, flush=True)
    return code
